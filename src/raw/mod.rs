//! The raw zone: one JSON file per Spotify object, as the API returned it.
//!
//! Layout (DESIGN.md, Raw zone), under `<raw>/extract_date=YYYY-MM-DD/`:
//! `artists/<id>.json`, `artist_albums/<id>.json`, `albums/<id>.json`,
//! `playlists/<id>.json` and `manifest.json`; any object file may be
//! gzip-compressed (`.json.gz`). This module finds a snapshot, lists its
//! objects, and reads and parses bodies. A file it cannot use becomes a
//! [`Skip`] naming the file and the reason, never a panic and never a silent
//! loss.

#[cfg(test)]
pub(crate) mod arb;
pub mod manifest;
pub mod model;
#[cfg(test)]
mod properties;
mod write;

pub use write::SnapshotWriter;

use std::collections::BTreeMap;
use std::io::Read as _;

use bytes::Bytes;
use futures::TryStreamExt as _;
use object_store::path::{Path, PathPart};
use object_store::{ObjectStore, ObjectStoreExt as _};
use serde::de::DeserializeOwned;

use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::store::Location;
use crate::summary::Skip;

/// Why a snapshot cannot be read at all (single bad files are skips).
#[derive(Debug, thiserror::Error)]
pub enum RawError {
    /// No `extract_date=…` folder and no object folders.
    #[error(
        "{raw} holds no raw snapshot: pass the raw zone root (holding extract_date=YYYY-MM-DD folders) or one extract_date=YYYY-MM-DD folder"
    )]
    NoSnapshot {
        /// The raw location.
        raw: String,
    },
    /// The requested date has no folder.
    #[error("{raw} has no snapshot for {date}; snapshots there: {available}")]
    DateNotFound {
        /// The raw location.
        raw: String,
        /// The requested date.
        date: ExtractDate,
        /// The dates that exist.
        available: String,
    },
    /// `--raw` names one snapshot and `--extract-date` another.
    #[error(
        "--raw names the snapshot {folder} but --extract-date asks for {date}; pass the raw zone root or drop --extract-date"
    )]
    DateMismatch {
        /// The folder's date.
        folder: ExtractDate,
        /// The requested date.
        date: ExtractDate,
    },
    /// The snapshot folder has no object files.
    #[error("snapshot {snapshot} is empty: no artists, albums or playlists to load")]
    Empty {
        /// The snapshot folder.
        snapshot: String,
    },
    /// Writing a raw file failed.
    #[error("cannot write {path}; check that the raw zone location exists and is writable")]
    Write {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
    /// Listing failed (permissions, network).
    #[error("cannot list {what}")]
    List {
        /// What was listed.
        what: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
    /// A local snapshot folder could not be listed.
    #[error("cannot list {what}: {reason}")]
    ListLocal {
        /// What was listed.
        what: String,
        /// Why.
        reason: String,
    },
}

/// The object folders of a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    /// `artists/<id>.json`: GET /artists/{id}.
    Artist,
    /// `artist_albums/<id>.json`: the album pages per include group.
    ArtistAlbums,
    /// `albums/<id>.json`: GET /albums/{id} with every track page.
    Album,
    /// `playlists/<id>.json`: GET /playlists/{id} with every item page.
    Playlist,
}

impl ObjectKind {
    /// Every kind.
    pub const ALL: [ObjectKind; 4] = [
        ObjectKind::Artist,
        ObjectKind::ArtistAlbums,
        ObjectKind::Album,
        ObjectKind::Playlist,
    ];

    /// The folder name.
    pub fn dir(self) -> &'static str {
        match self {
            ObjectKind::Artist => "artists",
            ObjectKind::ArtistAlbums => "artist_albums",
            ObjectKind::Album => "albums",
            ObjectKind::Playlist => "playlists",
        }
    }

    /// The kind of id that names the files.
    pub fn id_kind(self) -> IdKind {
        match self {
            ObjectKind::Artist | ObjectKind::ArtistAlbums => IdKind::Artist,
            ObjectKind::Album => IdKind::Album,
            ObjectKind::Playlist => IdKind::Playlist,
        }
    }

    /// The word used in skips and logs.
    pub fn noun(self) -> &'static str {
        match self {
            ObjectKind::Artist => "artist",
            ObjectKind::ArtistAlbums => "artist_albums",
            ObjectKind::Album => "album",
            ObjectKind::Playlist => "playlist",
        }
    }
}

/// The name of a snapshot folder, `extract_date=YYYY-MM-DD`.
pub fn snapshot_dir(date: ExtractDate) -> String {
    format!("extract_date={date}")
}

pub(crate) const MANIFEST: &str = "manifest.json";

/// The object files of a snapshot, by kind and id.
#[derive(Debug, Default)]
pub struct Listing {
    /// Per kind: id → file.
    pub files: BTreeMap<ObjectKind, BTreeMap<SpotifyId, Path>>,
    /// Files that name no object.
    pub skipped: Vec<Skip>,
    /// Whether `manifest.json` exists.
    pub has_manifest: bool,
}

impl Listing {
    /// The files of one kind.
    pub fn of(&self, kind: ObjectKind) -> &BTreeMap<SpotifyId, Path> {
        static EMPTY: BTreeMap<SpotifyId, Path> = BTreeMap::new();
        self.files.get(&kind).unwrap_or(&EMPTY)
    }

    /// Number of object files.
    pub fn len(&self) -> usize {
        self.files.values().map(BTreeMap::len).sum()
    }

    /// Whether there is no object file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One snapshot folder of the raw zone.
#[derive(Debug, Clone)]
pub struct Snapshot {
    raw: Location,
    prefix: Path,
    date: ExtractDate,
}

impl Snapshot {
    /// Finds the snapshot to read. `raw` is the raw zone root (then `date`
    /// picks the folder, default the newest) or one `extract_date=…` folder.
    pub async fn resolve(raw: &Location, date: Option<ExtractDate>) -> Result<Self, RawError> {
        let last_segment = raw
            .url
            .path_segments()
            .and_then(|mut s| s.rfind(|s| !s.is_empty()))
            .unwrap_or_default()
            .to_owned();
        if let Some(folder) = parse_snapshot_dir(&last_segment) {
            if let Some(date) = date.filter(|d| *d != folder) {
                return Err(RawError::DateMismatch { folder, date });
            }
            return Ok(Snapshot {
                raw: raw.clone(),
                prefix: Path::default(),
                date: folder,
            });
        }
        let dates = Self::dates(raw).await?;
        let chosen = match date {
            Some(d) if dates.contains(&d) => d,
            Some(d) if dates.is_empty() => {
                return Err(RawError::NoSnapshot {
                    raw: format!("{raw} (looking for {d})"),
                });
            }
            Some(d) => {
                return Err(RawError::DateNotFound {
                    raw: raw.to_string(),
                    date: d,
                    available: dates
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            None => match dates.last() {
                Some(d) => *d,
                None => {
                    return Err(RawError::NoSnapshot {
                        raw: raw.to_string(),
                    });
                }
            },
        };
        Ok(Snapshot {
            raw: raw.clone(),
            prefix: Path::from(snapshot_dir(chosen)),
            date: chosen,
        })
    }

    /// The snapshot of `date` under the raw zone root `raw`, known to be
    /// there (a run hands over the one it just wrote): no listing.
    pub fn at(raw: &Location, date: ExtractDate) -> Self {
        Snapshot {
            raw: raw.clone(),
            prefix: Path::from(snapshot_dir(date)),
            date,
        }
    }

    /// The dates of the snapshot folders under a raw zone root, oldest first.
    pub async fn dates(raw: &Location) -> Result<Vec<ExtractDate>, RawError> {
        let listed = raw
            .store
            .list_with_delimiter(None)
            .await
            .map_err(|source| RawError::List {
                what: raw.to_string(),
                source,
            })?;
        let mut dates: Vec<ExtractDate> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| {
                p.parts()
                    .next_back()
                    .and_then(|s| parse_snapshot_dir(s.as_ref()))
            })
            .collect();
        dates.sort();
        Ok(dates)
    }

    /// The newest snapshot before `date` that has a manifest (a finished
    /// extract): what an incremental run reuses bodies from.
    pub async fn previous(raw: &Location, date: ExtractDate) -> Result<Option<Snapshot>, RawError> {
        for d in Self::dates(raw)
            .await?
            .into_iter()
            .rev()
            .filter(|d| *d < date)
        {
            let snap = Snapshot::at(raw, d);
            match raw.store.head(&snap.child(MANIFEST)).await {
                Ok(_) => return Ok(Some(snap)),
                Err(object_store::Error::NotFound { .. }) => continue,
                Err(source) => {
                    return Err(RawError::List {
                        what: snap.describe(),
                        source,
                    });
                }
            }
        }
        Ok(None)
    }

    /// The snapshot's extract date.
    pub fn date(&self) -> ExtractDate {
        self.date
    }

    /// Where the snapshot lives, for messages.
    pub fn describe(&self) -> String {
        if self.prefix.as_ref().is_empty() {
            self.raw.to_string()
        } else {
            format!("{}{}", self.raw, self.prefix)
        }
    }

    fn store(&self) -> &dyn ObjectStore {
        self.raw.store.as_ref()
    }

    fn child(&self, rel: &str) -> Path {
        if self.prefix.as_ref().is_empty() {
            Path::from(rel)
        } else {
            Path::from(format!("{}/{rel}", self.prefix))
        }
    }

    /// Lists every object file with one listing call. Names that are not
    /// `<22-char id>.json[.gz]` in a known folder are counted skips.
    pub async fn list(&self) -> Result<Listing, RawError> {
        let mut listing = Listing::default();
        let locations = match self.local_reader() {
            // A local snapshot is read two levels deep by hand: object_store
            // walks a directory recursively, following symlinks, and one
            // symlink loop ended its walk early, losing the entries after it.
            Some(reader) => {
                let (locations, skipped) = tokio::task::spawn_blocking(move || reader.list())
                    .await
                    .map_err(|e| RawError::ListLocal {
                        what: self.describe(),
                        reason: e.to_string(),
                    })?
                    .map_err(|e| RawError::ListLocal {
                        what: self.describe(),
                        reason: e.to_string(),
                    })?;
                listing.skipped.extend(skipped);
                locations
            }
            None => {
                let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
                self.store()
                    .list(prefix)
                    .map_ok(|meta| meta.location)
                    .try_collect()
                    .await
                    .map_err(|source| RawError::List {
                        what: self.describe(),
                        source,
                    })?
            }
        };
        let depth = self.prefix.parts().count();
        for location in locations {
            let parts: Vec<String> = location
                .parts()
                .skip(depth)
                .map(|p| p.as_ref().to_owned())
                .collect();
            match parts.as_slice() {
                [name] if name == MANIFEST => listing.has_manifest = true,
                [dir, name] => match ObjectKind::ALL.into_iter().find(|k| k.dir() == dir) {
                    Some(kind) => match object_file_id(kind, name) {
                        Ok(id) => {
                            let files = listing.files.entry(kind).or_default();
                            if let Some(first) = files.get(&id) {
                                listing.skipped.push(Skip::new(
                                    "file",
                                    location.to_string(),
                                    format!(
                                        "a second body for {} {id}; {first} is used",
                                        kind.noun()
                                    ),
                                ));
                            } else {
                                files.insert(id, location);
                            }
                        }
                        Err(reason) => {
                            listing
                                .skipped
                                .push(Skip::new("file", location.to_string(), reason))
                        }
                    },
                    None => listing.skipped.push(Skip::new(
                        "file",
                        location.to_string(),
                        "not in a raw-zone folder (artists, artist_albums, albums, playlists)",
                    )),
                },
                _ => listing.skipped.push(Skip::new(
                    "file",
                    location.to_string(),
                    "not part of the raw-zone layout",
                )),
            }
        }
        Ok(listing)
    }

    /// Reads one body, gunzipping `.json.gz`; a body over
    /// [`MAX_BODY_BYTES`] is refused from its size, before it is read.
    pub async fn read(&self, path: &Path) -> Result<Bytes, String> {
        let got = self
            .store()
            .get(path)
            .await
            .map_err(|e| format!("cannot read: {e}"))?;
        check_size(got.meta.size)?;
        let bytes = got.bytes().await.map_err(|e| format!("cannot read: {e}"))?;
        decode(path, bytes)
    }

    /// A reader that runs on the caller's (blocking) thread, for a snapshot
    /// in a local directory; `None` for a remote one (use [`Self::read`]).
    ///
    /// Why: object_store's local store answers each `get` on tokio's
    /// blocking pool; for 50,000 small album bodies that is a thread
    /// hand-off per file (measured: 2.3 million futex calls and 470 threads
    /// in one load). A load already parses each artist's albums on one
    /// blocking thread, which reads them there with plain `std::fs`.
    pub fn local_reader(&self) -> Option<LocalReader> {
        let mut root = self.raw.local_dir()?;
        for part in self.prefix.parts() {
            root.push(part.as_ref());
        }
        Some(LocalReader {
            root,
            prefix: self.prefix.clone(),
        })
    }

    /// Reads `manifest.json`. `Ok(None)` when there is none; a manifest that
    /// does not parse is a skip (the load goes on without it).
    pub async fn manifest(&self, listing: &Listing) -> Result<Option<model::Manifest>, Skip> {
        if !listing.has_manifest {
            return Ok(None);
        }
        let path = self.child(MANIFEST);
        let skip = |reason: String| Skip::new("manifest", path.to_string(), reason);
        let bytes = self.read(&path).await.map_err(skip)?;
        parse_body(&bytes).map(Some).map_err(skip)
    }
}

/// Reads a snapshot's files from a local directory, synchronously.
#[derive(Debug, Clone)]
pub struct LocalReader {
    root: std::path::PathBuf,
    prefix: Path,
}

impl LocalReader {
    /// The snapshot's files as store paths: `manifest.json` and the files
    /// of its folders, two levels and no deeper, symlinks followed one
    /// step. An entry that cannot be followed (a symlink loop, a dangling
    /// link, no permission) and a folder below the layout's are skips; a
    /// missing snapshot folder has no files, and an unreadable one is the
    /// error.
    pub fn list(&self) -> std::io::Result<(Vec<Path>, Vec<Skip>)> {
        let mut found = Vec::new();
        let mut skipped = Vec::new();
        let shown = |rel: &str| format!("{}/{rel}", self.root.display());
        let base: Vec<PathPart<'static>> = self
            .prefix
            .parts()
            .map(|p| p.as_ref().to_owned().into())
            .collect();
        let mut stack: Vec<(std::path::PathBuf, Vec<String>)> =
            vec![(self.root.clone(), Vec::new())];
        let mut top = true;
        while let Some((dir, rel)) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                // Not written yet: no files, as object_store lists it.
                Err(e) if top && e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) if top => return Err(e),
                Err(e) => {
                    skipped.push(Skip::new(
                        "file",
                        shown(&rel.join("/")),
                        format!("cannot be listed: {e}"),
                    ));
                    continue;
                }
            };
            top = false;
            for entry in entries {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        skipped.push(Skip::new(
                            "file",
                            shown(&rel.join("/")),
                            format!("an entry cannot be listed: {e}"),
                        ));
                        continue;
                    }
                };
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    skipped.push(Skip::new(
                        "file",
                        entry.path().display().to_string(),
                        "its name is not UTF-8",
                    ));
                    continue;
                };
                let mut parts = rel.clone();
                parts.push(name);
                let what = shown(&parts.join("/"));
                // Follows a symlink one step; a loop or dangling link fails here.
                match std::fs::metadata(entry.path()) {
                    Ok(meta) if meta.is_file() => found.push(Path::from_iter(
                        base.iter()
                            .cloned()
                            .chain(parts.iter().map(|p| PathPart::from(p.clone()))),
                    )),
                    Ok(meta) if meta.is_dir() && parts.len() == 1 => {
                        stack.push((entry.path(), parts))
                    }
                    Ok(meta) if meta.is_dir() => {
                        skipped.push(Skip::new(
                            "file",
                            what,
                            "a folder below the raw-zone layout",
                        ));
                    }
                    Ok(_) => skipped.push(Skip::new("file", what, "not a file or folder")),
                    Err(e) => {
                        skipped.push(Skip::new("file", what, format!("cannot be followed: {e}")))
                    }
                }
            }
        }
        found.sort();
        Ok((found, skipped))
    }

    /// Reads one body (a path from [`Snapshot::list`]), gunzipping `.json.gz`.
    pub fn read(&self, path: &Path) -> Result<Bytes, String> {
        let mut file = self.root.clone();
        for part in path.parts().skip(self.prefix.parts().count()) {
            file.push(part.as_ref());
        }
        // One open and one fstat, as `std::fs::read` does: the size is
        // checked before anything is read, at no extra system call.
        let cannot = |e: std::io::Error| format!("cannot read: {e}");
        let mut f = std::fs::File::open(&file).map_err(cannot)?;
        let size = f.metadata().map_err(cannot)?.len();
        check_size(size)?;
        let mut bytes = Vec::with_capacity(size as usize);
        f.read_to_end(&mut bytes).map_err(cannot)?;
        decode(path, Bytes::from(bytes))
    }
}

/// The largest raw body read, compressed or expanded: 64 MiB. Spotify's
/// largest bodies are a few hundred KB (an album with its tracks, a
/// playlist page) and a 50,000-album manifest is about 10 MB, so anything
/// bigger is not Spotify's, and reading it whole (a 6 GB file, a gzip bomb
/// expanding 1,000-fold) would exhaust a Lambda's memory.
pub const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// A body's stored size against the cap.
fn check_size(size: u64) -> Result<(), String> {
    if size > MAX_BODY_BYTES {
        return Err(format!(
            "is {size} bytes, over the {} MiB cap of a raw body; not read",
            MAX_BODY_BYTES >> 20
        ));
    }
    Ok(())
}

/// Gunzips a `.json.gz` body, stopping at the cap; other bodies are
/// returned as they are.
fn decode(path: &Path, bytes: Bytes) -> Result<Bytes, String> {
    decode_within(path, bytes, MAX_BODY_BYTES)
}

/// [`decode`] with the cap given.
fn decode_within(path: &Path, bytes: Bytes, cap: u64) -> Result<Bytes, String> {
    if path.as_ref().ends_with(".gz") {
        let mut out = Vec::with_capacity((bytes.len() * 6).min(cap as usize));
        flate2::read::GzDecoder::new(bytes.as_ref())
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("not valid gzip: {e}"))?;
        if out.len() as u64 > cap {
            return Err(format!(
                "expands past the {} MiB cap of a raw body (from {} bytes of gzip); not read further",
                cap >> 20,
                bytes.len()
            ));
        }
        Ok(Bytes::from(out))
    } else {
        Ok(bytes)
    }
}

/// Parses a body with the lenient structs; the error names the place.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))
}

fn parse_snapshot_dir(segment: &str) -> Option<ExtractDate> {
    segment.strip_prefix("extract_date=")?.parse().ok()
}

fn object_file_id(kind: ObjectKind, name: &str) -> Result<SpotifyId, String> {
    let stem = name
        .strip_suffix(".json.gz")
        .or_else(|| name.strip_suffix(".json"))
        .ok_or_else(|| format!("{name:?} is not a .json or .json.gz file"))?;
    SpotifyId::parse(kind.id_kind(), stem)
        .map_err(|_| format!("{name:?} is not named by a Spotify {} id", kind.id_kind()))
        .and_then(|id| {
            // `parse` also accepts URIs; a file name must be the bare id.
            if id.as_str() == stem {
                Ok(id)
            } else {
                Err(format!(
                    "{name:?} is not named by a Spotify {} id",
                    kind.id_kind()
                ))
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gzip_bomb_stops_at_the_cap_and_says_so() {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&vec![b' '; 3 << 20]).unwrap();
        let bomb = Bytes::from(enc.finish().unwrap());
        let path = Path::from("albums/0du5cEVh5yTK9QJze8zA0C.json.gz");
        let err = decode_within(&path, bomb.clone(), 1 << 20).unwrap_err();
        assert!(err.contains("expands past the 1 MiB cap"), "{err}");
        assert_eq!(decode_within(&path, bomb, 4 << 20).unwrap().len(), 3 << 20);
        let err = check_size(MAX_BODY_BYTES + 1).unwrap_err();
        assert!(
            err.contains("over the 64 MiB cap") && err.contains("not read"),
            "{err}"
        );
        check_size(MAX_BODY_BYTES).unwrap();
    }

    #[test]
    fn object_files_must_be_ids() {
        let ok = object_file_id(ObjectKind::Album, "0du5cEVh5yTK9QJze8zA0C.json.gz").unwrap();
        assert_eq!(ok.as_str(), "0du5cEVh5yTK9QJze8zA0C");
        for bad in [
            "0du5cEVh5yTK9QJze8zA0C.txt",
            "short.json",
            "..json",
            "spotify:album:0du5cEVh5yTK9QJze8zA0C.json",
        ] {
            assert!(object_file_id(ObjectKind::Album, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn snapshot_dirs_round_trip() {
        let d: ExtractDate = "2026-11-26".parse().unwrap();
        assert_eq!(parse_snapshot_dir(&snapshot_dir(d)), Some(d));
        assert_eq!(parse_snapshot_dir("extract_date=2026-13-01"), None);
    }
}
