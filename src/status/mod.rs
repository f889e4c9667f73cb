//! `status`: the raw zone and the lake at a glance, for a person or a
//! program, without changing anything.
//!
//! Why a command of its own: the weekly job runs unwatched (DESIGN.md,
//! Nothing fails silently), so the questions after a quiet week are always
//! the same: did the last run finish, what is pending and how is it
//! resumed, how big is the lake, does the catalog show what is on disk?
//! Answering them by hand means reading manifests and listing prefixes;
//! [`gather`] does it from the stores alone (no Spotify call, no query
//! engine, so the Lambda build has it too) and [`Status`] prints it as an
//! aligned text view or as JSON.
//!
//! What it reads:
//! - the raw zone: the `extract_date=…` folders and each one's
//!   `manifest.json` (the status, stop reason and pending artists);
//! - the lake: one listing of every object, grouped by top-level folder
//!   (every folder not starting with `_` is a table, so a table added later
//!   shows up without a change here), and with a catalog the partitions it
//!   registers, per table it knows;
//! - the last run's summary, which `run`, `load` and the Lambda persist at
//!   `<lake>/_runs/last.json` ([`record_last`]).
//!
//! Warnings never fail the command: they are part of what it reports.
//! Only a zone that cannot be read at all is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use futures::{StreamExt as _, TryStreamExt as _};
use object_store::ObjectStoreExt as _;
use object_store::path::Path;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::catalog::Catalog;
use crate::ids::ExtractDate;
use crate::lake::PartitionKey;
use crate::raw::model::{ManifestArtist, ManifestPlaylist};
use crate::raw::{self, Snapshot};
use crate::schema::Table;
use crate::store::Location;
use crate::summary::Summary;

mod lake;
mod snapshots;
mod text;

use lake::*;
use snapshots::*;
pub use snapshots::{RawHead, raw_head, resume_for};
use text::*;

/// Where `run`, `load` and the Lambda record their last summary, relative
/// to the lake root.
pub const LAST_RUN: &str = "_runs/last.json";

/// The newest complete snapshot may be this many days old before `status`
/// warns: the weekly schedule plus a day's grace.
pub const STALE_DAYS: i64 = 8;

/// Manifests read at once.
const MANIFEST_READS: usize = 8;

/// Snapshots listed one per line in the text view (JSON lists them all).
const SNAPSHOT_LINES: usize = 8;

/// Why the status cannot be gathered: a zone that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// Listing the lake failed (permissions, network, a broken folder).
    #[error(transparent)]
    ListLake(#[from] crate::store::ListLakeError),
    /// Reading a file that exists failed (not a missing one: that is a state).
    #[error("cannot read {path}; check that the {zone} is readable")]
    Read {
        /// The file.
        path: String,
        /// `raw zone` or `lake`.
        zone: &'static str,
        /// Why.
        #[source]
        source: object_store::Error,
    },
}

/// What a snapshot's manifest says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotState {
    /// Every requested artist and playlist was extracted.
    Complete,
    /// A stop (quota, deadline, budget) left artists or playlists pending.
    Partial,
    /// No `manifest.json`: an extract that died or is still running, or a
    /// snapshot written by hand.
    NoManifest,
    /// A `manifest.json` that does not parse.
    UnreadableManifest,
}

impl SnapshotState {
    fn word(self) -> &'static str {
        match self {
            SnapshotState::Complete => "complete",
            SnapshotState::Partial => "partial",
            SnapshotState::NoManifest => "no manifest",
            SnapshotState::UnreadableManifest => "unreadable manifest",
        }
    }
}

/// One snapshot folder of the raw zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    /// `YYYY-MM-DD`.
    pub extract_date: String,
    /// What its manifest says.
    pub status: SnapshotState,
}

/// An artist the newest snapshot left pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingArtist {
    /// The resolved id (none when the stop came before the name was
    /// resolved).
    pub artist_id: Option<String>,
    /// Spotify's name for it, when known.
    pub artist_name: Option<String>,
    /// The name, id or URI as configured.
    pub query: Option<String>,
}

impl PendingArtist {
    /// How a resumed run names it: by id when resolved, else as configured.
    pub fn resume_name(&self) -> Option<&str> {
        self.artist_id.as_deref().or(self.query.as_deref())
    }
}

/// The command that resumes the newest snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resume {
    /// The command line, quoted for a POSIX shell.
    pub command: String,
    /// The same as an argument vector (for programs; no quoting).
    pub args: Vec<String>,
}

impl Resume {
    fn new(args: Vec<String>) -> Self {
        Resume {
            command: shell_words(&args),
            args,
        }
    }

    /// Adds `flag value` (e.g. the `--config` the status was read with, so
    /// the resumed run sees the same settings).
    pub fn push_flag(&mut self, flag: &str, value: &str) {
        self.args.push(flag.to_owned());
        self.args.push(value.to_owned());
        self.command = shell_words(&self.args);
    }
}

/// The newest snapshot, in detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Newest {
    /// `YYYY-MM-DD`.
    pub extract_date: String,
    /// Days between it and `today` (negative for a future date).
    pub age_days: i64,
    /// What its manifest says.
    pub status: SnapshotState,
    /// quota, deadline or budget when the extract stopped early.
    pub stop_reason: Option<String>,
    /// Seconds Spotify asked to wait (a quota stop).
    pub retry_after_seconds: Option<u64>,
    /// When the last extract of that date ended (RFC 3339, UTC).
    pub ended_at: Option<String>,
    /// Artists left pending, in manifest order.
    pub pending_artists: Vec<PendingArtist>,
    /// Playlists left pending.
    pub pending_playlists: Vec<String>,
    /// Why the manifest could not be read, when it could not.
    pub manifest_error: Option<String>,
    /// The command that finishes the snapshot (`None` when it is complete).
    pub resume: Option<Resume>,
}

/// The raw zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawStatus {
    /// Where it is.
    pub location: String,
    /// Every snapshot, oldest first.
    pub snapshots: Vec<SnapshotInfo>,
    /// The newest snapshot (`None` when there is none).
    pub newest: Option<Newest>,
}

/// One top-level folder of the lake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableStatus {
    /// The folder's name, e.g. `albums`.
    pub table: String,
    /// Distinct `extract_date=` values among its Parquet files.
    pub extract_dates: u64,
    /// Distinct folders holding Parquet files below the table folder.
    pub partitions: u64,
    /// Parquet files.
    pub files: u64,
    /// Bytes of every object in the folder (Parquet and other files).
    pub bytes: u64,
    /// Objects that are not Parquet files (staging leftovers, markers).
    pub other_files: u64,
    /// Partitions the catalog registers (`None`: no catalog, or not a
    /// table the catalog knows).
    pub registered: Option<u64>,
    /// Partition files on disk the catalog does not register.
    pub unregistered: Option<u64>,
    /// Registered partitions with no file on disk.
    pub registered_without_files: Option<u64>,
}

/// The lake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LakeStatus {
    /// Where it is.
    pub location: String,
    /// Whether a catalog was read (`--catalog none`: no).
    pub catalog: bool,
    /// Each table folder: the known tables first, then the rest by name.
    pub tables: Vec<TableStatus>,
    /// The committed `current_albums` version (what the answers read), if any.
    pub current: Option<crate::lake::current::Commit>,
}

/// The last run's or load's summary, as recorded at `<lake>/_runs/last.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastRun {
    /// When it was recorded (the file's time, RFC 3339, UTC).
    pub recorded_at: Option<String>,
    /// complete or partial.
    pub status: String,
    /// The snapshot it wrote.
    pub extract_date: String,
    /// Its wall time.
    pub seconds: f64,
    /// Rows written per table.
    pub rows: BTreeMap<String, u64>,
    /// Parquet files written.
    pub files_written: u64,
    /// Objects it left out.
    pub skipped: u64,
    /// Artists it left pending.
    pub pending_artists: Vec<String>,
}

/// The fields of a recorded [`Summary`] that `status` shows; every one
/// optional, so a summary written by an older or newer version still reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Recorded {
    status: String,
    extract_date: String,
    seconds: f64,
    rows: BTreeMap<String, u64>,
    files_written: u64,
    skipped: Vec<serde::de::IgnoredAny>,
    pending_artists: Vec<String>,
}

/// The parts of a `manifest.json` that `status` reads. Fields it does not
/// name (the album map, tens of thousands of entries in a large snapshot)
/// are skipped by the parser without being built, so reading a year of
/// manifests stays cheap.
#[derive(Debug, Clone, Default, Deserialize)]
struct ManifestHead {
    status: Option<String>,
    stop_reason: Option<String>,
    retry_after_seconds: Option<u64>,
    ended_at: Option<String>,
    artists: Option<Vec<ManifestArtist>>,
    playlists: Option<Vec<ManifestPlaylist>>,
}

/// What a warning is about: a stable name for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// The raw zone holds no snapshot.
    NoSnapshot,
    /// The newest snapshot is partial.
    PartialSnapshot,
    /// The newest snapshot has no manifest.
    NoManifest,
    /// The newest snapshot's manifest does not parse.
    UnreadableManifest,
    /// No complete snapshot in the last [`STALE_DAYS`] days.
    Stale,
    /// Partition files the catalog does not register.
    UnregisteredPartitions,
    /// Registered partitions with no file.
    MissingPartitionFiles,
    /// The catalog's partitions could not be read.
    CatalogUnreadable,
    /// `_runs/last.json` does not parse.
    LastRunUnreadable,
}

/// Something someone should look at, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What it is about.
    pub kind: WarningKind,
    /// What is wrong and the fix, in words.
    pub message: String,
}

impl Warning {
    fn new(kind: WarningKind, message: String) -> Self {
        Warning { kind, message }
    }
}

/// The raw zone and the lake at a glance (`spotify-lake status`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// The day the ages are counted to (`YYYY-MM-DD`, UTC).
    pub today: String,
    /// The raw zone.
    pub raw: RawStatus,
    /// The lake.
    pub lake: LakeStatus,
    /// The last run's or load's summary (`None` when none was recorded).
    pub last_run: Option<LastRun>,
    /// What needs attention; empty when all is well.
    pub warnings: Vec<Warning>,
}

/// Reads the raw zone, the lake and (when given) the catalog.
///
/// Fails only when a zone cannot be read (a listing or a read refused);
/// everything else, a missing manifest or an unregistered partition
/// included, is part of the status and its warnings.
pub async fn gather(
    raw: &Location,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    today: ExtractDate,
) -> Result<Status, crate::Error> {
    let mut warnings = Vec::new();
    let (snapshots, newest_manifest) = read_snapshots(raw).await?;
    let newest = snapshots
        .last()
        .map(|s| newest(raw, lake, s, newest_manifest, today));
    warnings.extend(snapshot_warnings(
        &raw.to_string(),
        &snapshots,
        newest.as_ref(),
        today,
    ));
    let (tables, mut table_warnings) = read_lake(raw, lake, catalog).await?;
    warnings.append(&mut table_warnings);
    let current = match crate::pipeline::current::committed(lake, catalog).await {
        Ok(c) => c,
        Err(e) => {
            warnings.push(Warning::new(
                WarningKind::CatalogUnreadable,
                format!(
                    "cannot read the committed current_albums version: {}",
                    crate::error_chain(&e)
                ),
            ));
            None
        }
    };
    let last_run = match read_last_run(lake).await? {
        Ok(last) => last,
        Err(reason) => {
            warnings.push(Warning::new(
                WarningKind::LastRunUnreadable,
                format!(
                    "{} is not a run summary ({reason}); the next run or load rewrites it",
                    under(lake, LAST_RUN)
                ),
            ));
            None
        }
    };
    Ok(Status {
        today: today.to_string(),
        raw: RawStatus {
            location: raw.to_string(),
            snapshots: snapshots.iter().map(|(info, _)| info.clone()).collect(),
            newest,
        },
        lake: LakeStatus {
            location: lake.to_string(),
            catalog: catalog.is_some(),
            tables,
            current,
        },
        last_run,
        warnings,
    })
}

/// Persists a run's or load's final summary at `<lake>/_runs/last.json`,
/// for `status`. A failure is a WARN log, never a failed run: the data is
/// written and registered by then.
pub async fn record_last(lake: &Location, summary: &Summary) {
    let path = Path::from(LAST_RUN);
    let result = match serde_json::to_vec_pretty(summary) {
        Ok(body) => lake
            .store
            .put(&path, body.into())
            .await
            .map(|_| ())
            .map_err(|e| crate::error_chain(&e)),
        Err(e) => Err(e.to_string()),
    };
    if let Err(error) = result {
        tracing::warn!(
            path = %under(lake, LAST_RUN),
            %error,
            "Cannot record the run's summary; `status` will show an older one."
        );
    }
}

/// `<location>/<rel>` for messages.
fn under(location: &Location, rel: &str) -> String {
    let root = location.to_string();
    if root.ends_with('/') {
        format!("{root}{rel}")
    } else {
        format!("{root}/{rel}")
    }
}

/// Test data: Drake, resolved, and `query`, not resolved yet.
#[cfg(test)]
pub(crate) fn drake_and_unresolved(query: &str) -> Vec<PendingArtist> {
    vec![
        PendingArtist {
            artist_id: Some("3TVXtAsR1Inumwj472S9r4".into()),
            artist_name: Some("Drake".into()),
            query: Some("Drake".into()),
        },
        PendingArtist {
            artist_id: None,
            artist_name: None,
            query: Some(query.into()),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::LocalCatalog;
    use object_store::memory::InMemory;
    use std::sync::Arc;

    const A: &str = "3TVXtAsR1Inumwj472S9r4";
    const B: &str = "0du5cEVh5yTK9QJze8zA0C";

    fn date(s: &str) -> ExtractDate {
        s.parse().unwrap()
    }

    fn memory(name: &str) -> Location {
        Location::new(
            Arc::new(InMemory::new()),
            Url::parse(&format!("memory:///{name}/")).unwrap(),
        )
    }

    fn read(d: &str, status: SnapshotState) -> SnapshotRead {
        (
            SnapshotInfo {
                extract_date: d.to_owned(),
                status,
            },
            Ok(None),
        )
    }

    fn newest_of(snaps: &[SnapshotRead], today: &str) -> Option<Newest> {
        let (raw, lake) = (memory("raw"), memory("lake"));
        snaps.last().map(|s| {
            let manifest = match s.0.status {
                SnapshotState::Partial => Ok(Some(ManifestHead {
                    status: Some("partial".into()),
                    stop_reason: Some("quota".into()),
                    ..ManifestHead::default()
                })),
                SnapshotState::UnreadableManifest => Err("malformed JSON".into()),
                _ => Ok(None),
            };
            newest(&raw, &lake, s, manifest, date(today))
        })
    }

    fn kinds(snaps: &[SnapshotRead], today: &str) -> Vec<WarningKind> {
        let newest = newest_of(snaps, today);
        snapshot_warnings("raw", snaps, newest.as_ref(), date(today))
            .into_iter()
            .map(|w| w.kind)
            .collect()
    }

    #[test]
    fn a_recent_complete_snapshot_warns_of_nothing() {
        use SnapshotState::*;
        let snaps = [read("2026-11-19", Complete), read("2026-11-26", Complete)];
        assert_eq!(kinds(&snaps, "2026-11-26"), vec![]);
        // Eight days is the weekly schedule plus a day's grace.
        assert_eq!(kinds(&snaps, "2026-12-04"), vec![]);
        assert_eq!(kinds(&snaps, "2026-12-05"), vec![WarningKind::Stale]);
    }

    #[test]
    fn no_snapshot_is_one_warning_not_two() {
        assert_eq!(kinds(&[], "2026-11-26"), vec![WarningKind::NoSnapshot]);
    }

    #[test]
    fn a_partial_newest_warns_even_when_an_older_one_is_complete() {
        use SnapshotState::*;
        let snaps = [read("2026-11-19", Complete), read("2026-11-26", Partial)];
        assert_eq!(
            kinds(&snaps, "2026-11-26"),
            vec![WarningKind::PartialSnapshot]
        );
        // The complete one ages on; the partial one does not count.
        assert_eq!(
            kinds(&snaps, "2026-11-28"),
            vec![WarningKind::PartialSnapshot, WarningKind::Stale]
        );
        let w = snapshot_warnings(
            "raw",
            &snaps,
            newest_of(&snaps, "2026-11-26").as_ref(),
            date("2026-11-26"),
        );
        assert!(
            w[0].message.contains("(stopped: quota)"),
            "{}",
            w[0].message
        );
        assert!(
            w[0].message.contains("2026-11-26, is partial"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn only_partial_or_manifestless_snapshots_are_stale_at_once() {
        use SnapshotState::*;
        let snaps = [read("2026-11-26", Partial)];
        assert_eq!(
            kinds(&snaps, "2026-11-26"),
            vec![WarningKind::PartialSnapshot, WarningKind::Stale]
        );
        let snaps = [read("2026-11-19", Complete), read("2026-11-26", NoManifest)];
        assert_eq!(kinds(&snaps, "2026-11-26"), vec![WarningKind::NoManifest]);
        let snaps = [
            read("2026-11-19", Complete),
            read("2026-11-26", UnreadableManifest),
        ];
        assert_eq!(
            kinds(&snaps, "2026-11-26"),
            vec![WarningKind::UnreadableManifest]
        );
    }

    #[test]
    fn a_future_snapshot_is_not_stale() {
        use SnapshotState::*;
        assert_eq!(kinds(&[read("2026-12-01", Complete)], "2026-11-26"), vec![]);
    }

    #[test]
    fn the_resume_command_names_pending_artists_and_quotes_for_the_shell() {
        let artists = drake_and_unresolved("Guns N' Roses");
        let args = resume_args(
            "2026-11-26",
            "/data/my raw",
            "s3://bucket/lake/",
            &artists,
            &["E5k306J2TvzaJHnw8DG434".into()],
        );
        let mut resume = Resume::new(args);
        assert_eq!(
            resume.command,
            format!(
                "spotify-lake run --extract-date 2026-11-26 --raw '/data/my raw' --lake s3://bucket/lake/ --artist {A} --artist 'Guns N'\\'' Roses' --playlist E5k306J2TvzaJHnw8DG434"
            )
        );
        assert_eq!(resume.args[11], "Guns N' Roses", "argv is unquoted");
        resume.push_flag("--config", "my.toml");
        assert!(resume.command.ends_with(" --config my.toml"));
        assert_eq!(resume.args.last().map(String::as_str), Some("my.toml"));
    }

    #[test]
    fn a_snapshot_folder_as_raw_resumes_from_its_root() {
        let mut raw = memory("raw");
        raw.url = Url::parse("file:///data/raw/extract_date=2026-11-26/").unwrap();
        assert_eq!(folder_date(&raw.url), Some(date("2026-11-26")));
        assert_eq!(raw_root(&raw), "/data/raw/");
        raw.url = Url::parse("file:///data/raw/").unwrap();
        assert_eq!(folder_date(&raw.url), None);
    }

    #[tokio::test]
    async fn the_raw_head_reads_back_to_the_newest_complete_snapshot_only() {
        let (raw, lake) = (memory("raw"), memory("lake"));
        let head = raw_head(&raw, &lake, date("2026-12-01")).await.unwrap();
        assert!(head.newest.is_none() && head.newest_complete.is_none());
        let put = |d: &str, body: String| {
            let raw = raw.clone();
            let path = Path::from(format!("extract_date={d}/{}", raw::MANIFEST));
            async move { raw.store.put(&path, body.into()).await.unwrap() }
        };
        put("2026-11-12", r#"{"status": "complete"}"#.into()).await;
        put("2026-11-19", r#"{"status": "complete"}"#.into()).await;
        put(
            "2026-11-26",
            format!(r#"{{"status": "partial", "artists": [{{"artist_id": "{A}", "status": "pending"}}, {{"artist_id": "{B}", "status": "complete"}}]}}"#),
        )
        .await;
        let head = raw_head(&raw, &lake, date("2026-12-01")).await.unwrap();
        let newest = head.newest.as_ref().unwrap();
        assert_eq!(newest.extract_date, "2026-11-26");
        assert_eq!(newest.status, SnapshotState::Partial);
        assert_eq!(newest.pending_artists.len(), 1);
        assert_eq!(head.newest_complete, Some(date("2026-11-19")));
        assert_eq!(head.complete_age_days(date("2026-12-01")), Some(12));

        let resume = resume_for(&raw, &lake, date("2026-11-26"))
            .await
            .unwrap()
            .expect("a partial snapshot has a resume command");
        assert_eq!(Some(&resume), newest.resume.as_ref(), "status's command");
        assert!(
            resume.command.ends_with(&format!("--artist {A}")),
            "{}",
            resume.command
        );
        assert!(
            resume_for(&raw, &lake, date("2026-11-19"))
                .await
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn bytes_read_in_binary_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }

    async fn put(loc: &Location, path: &str, body: &[u8]) {
        loc.store
            .put(&Path::from(path), body.to_vec().into())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn the_lake_is_tallied_per_folder_and_checked_against_the_catalog() {
        let (raw, lake) = (memory("raw"), memory("lake"));
        let d1 = date("2026-11-19");
        let d2 = date("2026-11-26");
        let registered = PartitionKey::Albums {
            date: d1,
            artist: crate::ids::SpotifyId::parse(crate::ids::IdKind::Artist, A).unwrap(),
        };
        let unregistered = PartitionKey::Albums {
            date: d2,
            artist: crate::ids::SpotifyId::parse(crate::ids::IdKind::Artist, B).unwrap(),
        };
        let gone = PartitionKey::Artists { date: d1 };
        put(&lake, registered.file_path().as_ref(), &[0; 100]).await;
        put(&lake, unregistered.file_path().as_ref(), &[0; 50]).await;
        // A staging leftover: bytes, not a file of the table.
        put(&lake, "albums/extract_date=2026-11-26/x.tmp", &[0; 7]).await;
        put(
            &lake,
            "artists/extract_date=2026-11-26/part-00000.parquet",
            &[0; 3],
        )
        .await;
        // A table this program does not know yet, and folders that are no tables.
        put(&lake, "current_albums/v=2/part-00000.parquet", &[0; 10]).await;
        put(&lake, "current_albums/v=3/part-00000.parquet", &[0; 10]).await;
        put(&lake, "_catalog/whatever.json", b"{}").await;
        put(&lake, "report.html", b"x").await;
        let catalog = LocalCatalog::new(Arc::clone(&lake.store));
        for t in [Table::Albums, Table::Artists] {
            catalog.ensure_table(t.def()).await.unwrap();
        }
        catalog
            .add_partitions(&[
                registered.clone(),
                gone.clone(),
                PartitionKey::Artists { date: d2 },
            ])
            .await
            .unwrap();

        let status = gather(&raw, &lake, Some(&catalog), d2).await.unwrap();
        let tables: Vec<&str> = status
            .lake
            .tables
            .iter()
            .map(|t| t.table.as_str())
            .collect();
        assert_eq!(tables, ["albums", "artists", "current_albums"]);
        let albums = &status.lake.tables[0];
        assert_eq!(
            (albums.extract_dates, albums.partitions, albums.files),
            (2, 2, 2)
        );
        assert_eq!((albums.bytes, albums.other_files), (157, 1));
        assert_eq!(
            (
                albums.registered,
                albums.unregistered,
                albums.registered_without_files
            ),
            (Some(1), Some(1), Some(0))
        );
        let artists = &status.lake.tables[1];
        assert_eq!(
            (artists.registered, artists.registered_without_files),
            (Some(2), Some(1))
        );
        let current = &status.lake.tables[2];
        assert_eq!(
            (current.partitions, current.files, current.bytes),
            (2, 2, 20)
        );
        assert_eq!(current.registered, None, "not a table the catalog knows");

        let kinds: Vec<WarningKind> = status.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(
            kinds,
            [
                WarningKind::NoSnapshot,
                WarningKind::UnregisteredPartitions,
                WarningKind::MissingPartitionFiles
            ]
        );
        let unreg = &status.warnings[1].message;
        assert!(unreg.contains(&unregistered.dir()), "{unreg}");
        assert!(
            unreg.contains("spotify-lake load --extract-date 2026-11-26"),
            "{unreg}"
        );
        assert!(status.warnings[2].message.contains(&gone.dir()));

        // Without a catalog nothing is compared.
        let status = gather(&raw, &lake, None, d2).await.unwrap();
        assert!(status.lake.tables.iter().all(|t| t.registered.is_none()));
        assert_eq!(status.warnings.len(), 1);
        let text = status.to_string();
        assert!(text.contains("no catalog"), "{text}");
    }

    fn manifest_json(status: &str, artists: &[(&str, &str, &str)]) -> Vec<u8> {
        let artists: Vec<serde_json::Value> = artists
            .iter()
            .map(|(id, name, s)| {
                serde_json::json!({"query": name, "artist_id": id, "artist_name": name, "status": s})
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({
            "format": 1, "status": status,
            "stop_reason": if status == "partial" { Some("quota") } else { None },
            "retry_after_seconds": if status == "partial" { Some(3600) } else { None },
            "artists": artists,
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn snapshots_are_read_from_their_manifests() {
        let (raw, lake) = (memory("raw"), memory("lake"));
        put(
            &raw,
            "extract_date=2026-11-19/manifest.json",
            &manifest_json("complete", &[]),
        )
        .await;
        put(&raw, "extract_date=2026-11-22/artists/x.json", b"{}").await;
        put(
            &raw,
            "extract_date=2026-11-26/manifest.json",
            &manifest_json(
                "partial",
                &[(A, "Drake", "complete"), (B, "Bruno Mars", "pending")],
            ),
        )
        .await;
        let status = gather(&raw, &lake, None, date("2026-11-26")).await.unwrap();
        let states: Vec<SnapshotState> = status.raw.snapshots.iter().map(|s| s.status).collect();
        assert_eq!(
            states,
            [
                SnapshotState::Complete,
                SnapshotState::NoManifest,
                SnapshotState::Partial
            ]
        );
        let newest = status.raw.newest.as_ref().unwrap();
        assert_eq!(newest.extract_date, "2026-11-26");
        assert_eq!(newest.stop_reason.as_deref(), Some("quota"));
        assert_eq!(newest.retry_after_seconds, Some(3600));
        assert_eq!(newest.pending_artists.len(), 1);
        assert_eq!(newest.pending_artists[0].artist_id.as_deref(), Some(B));
        let resume = newest.resume.as_ref().unwrap();
        assert!(
            resume.command.ends_with(&format!("--artist {B}")),
            "{}",
            resume.command
        );
        assert!(!resume.command.contains(A), "complete artists are kept");
        let kinds: Vec<WarningKind> = status.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(kinds, [WarningKind::PartialSnapshot]);

        let text = status.to_string();
        for want in [
            "snapshots    3 (1 complete, 1 no manifest, 1 partial)",
            "newest       2026-11-26 partial (stopped: quota, Spotify asked to wait 3600 s, 0 days old)",
            &format!("artist   {B}  Bruno Mars"),
            "resume       spotify-lake run --extract-date 2026-11-26",
            "last run     none recorded",
            "tables       none",
            "warnings     1",
        ] {
            assert!(text.contains(want), "{want:?} missing:\n{text}");
        }
    }

    #[tokio::test]
    async fn the_last_run_is_recorded_and_read_back() {
        let (raw, lake) = (memory("raw"), memory("lake"));
        let mut summary = Summary::new("2026-11-26".into());
        summary.rows.insert("albums".into(), 42);
        summary.files_written = 9;
        summary.skipped.push(crate::summary::Skip {
            kind: "album".into(),
            id: "x".into(),
            reason: "y".into(),
        });
        summary.pending_artists.push(B.into());
        record_last(&lake, &summary).await;
        let status = gather(&raw, &lake, None, date("2026-11-26")).await.unwrap();
        let last = status.last_run.unwrap();
        assert_eq!(last.status, "complete");
        assert_eq!(last.extract_date, "2026-11-26");
        assert_eq!(last.rows["albums"], 42);
        assert_eq!((last.files_written, last.skipped), (9, 1));
        assert_eq!(last.pending_artists, [B]);
        assert!(last.recorded_at.is_some());

        put(&lake, LAST_RUN, b"not json").await;
        let status = gather(&raw, &lake, None, date("2026-11-26")).await.unwrap();
        assert!(status.last_run.is_none());
        assert!(
            status
                .warnings
                .iter()
                .any(|w| w.kind == WarningKind::LastRunUnreadable)
        );
    }
}
