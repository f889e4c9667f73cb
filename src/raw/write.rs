//! Writing a raw snapshot: bodies as the API returned them, copies of
//! reused bodies, and the manifest.
//!
//! Each object is one PUT of its own file (atomic on S3 and on
//! object_store's local store), so a crash leaves whole files only; the
//! manifest is written last, so a snapshot without one is known to be
//! unfinished (and is never taken as the "previous" snapshot).

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStoreExt as _, PutPayload};

use super::model::Manifest;
use super::{MANIFEST, ObjectKind, RawError, Snapshot, snapshot_dir};
use crate::ids::{ExtractDate, SpotifyId};
use crate::store::Location;

/// Writes into `<raw>/extract_date=YYYY-MM-DD/`.
#[derive(Debug, Clone)]
pub struct SnapshotWriter {
    raw: Location,
    date: ExtractDate,
}

impl SnapshotWriter {
    /// A writer for the snapshot of `date` under the raw zone root `raw`.
    pub fn new(raw: &Location, date: ExtractDate) -> Self {
        SnapshotWriter {
            raw: raw.clone(),
            date,
        }
    }

    /// The same folder, for reading what an earlier run of the day wrote.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            raw: self.raw.clone(),
            prefix: Path::from(snapshot_dir(self.date)),
            date: self.date,
        }
    }

    fn path(&self, rel: &str) -> Path {
        Path::from(format!("{}/{rel}", snapshot_dir(self.date)))
    }

    /// The file of an object, `<kind>/<id>.json`.
    pub fn object_path(&self, kind: ObjectKind, id: &SpotifyId) -> Path {
        self.path(&format!("{}/{id}.json", kind.dir()))
    }

    async fn put(&self, path: Path, body: Bytes) -> Result<(), RawError> {
        self.raw
            .store
            .put(&path, PutPayload::from_bytes(body))
            .await
            .map_err(|source| RawError::Write {
                path: format!("{}{path}", self.raw),
                source,
            })?;
        crate::crash::point("raw-write");
        Ok(())
    }

    /// Writes one body.
    pub async fn put_object(
        &self,
        kind: ObjectKind,
        id: &SpotifyId,
        body: impl Into<Bytes>,
    ) -> Result<(), RawError> {
        self.put(self.object_path(kind, id), body.into()).await
    }

    /// Copies a body from another snapshot of the same raw zone (a
    /// server-side copy on S3), keeping its file name (`.json` or `.json.gz`).
    pub async fn copy_object(&self, kind: ObjectKind, from: &Path) -> Result<(), RawError> {
        let name = from.filename().unwrap_or_default().to_owned();
        let to = self.path(&format!("{}/{name}", kind.dir()));
        self.raw
            .store
            .copy(from, &to)
            .await
            .map_err(|source| RawError::Write {
                path: format!("{}{to}", self.raw),
                source,
            })
    }

    /// Writes `manifest.json` (last, after every body).
    pub async fn put_manifest(&self, manifest: &Manifest) -> Result<(), RawError> {
        // Our own plain structs always serialise.
        let body = serde_json::to_vec_pretty(manifest).expect("the manifest serialises");
        self.put(self.path(MANIFEST), Bytes::from(body)).await
    }
}
