//! Staging leftovers of a killed process, cleaned by the next load.
//!
//! object_store's local store writes `<name>#<n>` and renames it over
//! `<name>`, so a kill between the two leaves the staging file behind for
//! good (its listings hide it, so nothing else would ever remove it). S3
//! has no such files: a PUT is atomic, and an unfinished multipart upload
//! is the bucket lifecycle rule's to abort.
//!
//! A load removes the staging files older than [`MIN_AGE_SECONDS`] (a live
//! writer's file is milliseconds old) where a load writes: the local
//! catalog, `current_albums`, and the folders of the extract date it loads
//! (a re-run of a killed load's date cleans up after it). It never walks
//! the whole lake, whose size grows with the weeks.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::catalog::CATALOG_DIR;
use crate::ids::ExtractDate;
use crate::lake::is_staging;
use crate::schema::{CURRENT_ALBUMS, Table};
use crate::store::Location;

/// Staging files younger than this may belong to a live writer.
pub const MIN_AGE_SECONDS: u64 = 60;

/// Removes old staging files under the folders a load of `date` writes;
/// returns how many went. Failures are warnings: cleaning is never worth
/// failing a load for.
pub fn clean(lake: &Location, date: ExtractDate) -> usize {
    let Some(root) = lake.local_dir() else {
        return 0;
    };
    let mut dirs = vec![root.join(CATALOG_DIR), root.join(CURRENT_ALBUMS)];
    dirs.extend(
        Table::ALL
            .iter()
            .map(|t| root.join(t.name()).join(format!("extract_date={date}"))),
    );
    let now = SystemTime::now();
    let removed: usize = dirs.iter().map(|d| clean_dir(d, now, 0)).sum();
    if removed > 0 {
        tracing::info!(
            files = removed,
            "Staging leftovers of an earlier, killed process removed."
        );
    }
    removed
}

fn clean_dir(dir: &Path, now: SystemTime, depth: usize) -> usize {
    // The deepest layout is table/extract_date=/artist_id=/file.
    if depth > 3 {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            removed += clean_dir(&path, now, depth + 1);
            continue;
        }
        if !kind.is_file() || !is_staging(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= Duration::from_secs(MIN_AGE_SECONDS));
        if !old_enough {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "Cannot remove a staging leftover.");
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_names_are_recognised() {
        assert!(is_staging("part-00000.parquet#1"));
        assert!(is_staging("albums.json#12"));
        assert!(!is_staging("part-00000.parquet"));
        assert!(!is_staging("a#b"));
        assert!(!is_staging("a#"));
    }

    #[test]
    fn old_leftovers_go_and_young_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let lake = crate::store::open(dir.path().to_str().unwrap()).unwrap();
        let date: ExtractDate = "2026-11-26".parse().unwrap();
        let part = dir
            .path()
            .join("albums/extract_date=2026-11-26/artist_id=0du5cEVh5yTK9QJze8zA0C");
        std::fs::create_dir_all(&part).unwrap();
        std::fs::create_dir_all(dir.path().join("_catalog")).unwrap();
        let old = [
            part.join("part-00000.parquet#1"),
            dir.path().join("_catalog/albums.json#3"),
        ];
        let young = part.join("part-00000.parquet#2");
        let kept = part.join("part-00000.parquet");
        for f in old.iter().chain([&young, &kept]) {
            std::fs::write(f, b"x").unwrap();
        }
        let past = SystemTime::now() - Duration::from_secs(MIN_AGE_SECONDS * 2);
        for f in old.iter().chain([&kept]) {
            std::fs::File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(past)
                .unwrap();
        }
        assert_eq!(clean(&lake, date), 2);
        assert!(old.iter().all(|f| !f.exists()));
        assert!(young.exists() && kept.exists());
    }
}
