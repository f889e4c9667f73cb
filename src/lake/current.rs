//! `current_albums`: what the answers read, so their cost follows the
//! catalog's size and not the number of weekly snapshots.
//!
//! Every weekly snapshot is complete, so the `albums` table gains a full
//! copy of the catalog each week; `latest_albums` wants one row per album
//! from the newest extract that holds it. Ranking every snapshot at query
//! time made each answer slower every week (DESIGN.md, History). Instead,
//! each load folds its new `albums` rows into the previous version of this
//! table and writes the result as a new *version*: one folder
//! `current_albums/version=<hash>/` with one Parquet file and a `_meta.json`
//! (Athena and Hive skip files that start with `_`).
//!
//! - **Exact.** A row is kept per `(album_id, album_type)` (the view filters
//!   `album_type = 'album'` before ranking, so an album whose type changed
//!   keeps its newest `album` row): the newest `extract_date`, then the
//!   lowest `artist_id`, as the view's old window did. That choice is a
//!   maximum, so folding snapshots in any order (a backfill) gives the same
//!   table. A same-date reload replaces the rows of the partitions it
//!   rewrites; when that drops an album whose older rows only the history
//!   holds, [`fold`] says so and the load rebuilds from the history (rare).
//! - **Committed.** A version is content-addressed (FNV-1a of its Parquet
//!   file and metadata) and never rewritten with other bytes. A load writes
//!   it, then the catalog points the table at it in one update (Glue's
//!   table location, the local catalog's file, or [`POINTER`] without a
//!   catalog). A reader sees the old version or the new one, never a mix;
//!   the version before the committed one is kept for readers that started
//!   before the commit, and older ones are deleted by a later load once
//!   they are [`KEEP_SECONDS`] old.
//! - **Self-healing.** `_meta.json` lists the `albums` partitions folded
//!   in. A load that died after registering partitions but before its
//!   commit left partitions the version lacks; the next load folds them in
//!   from their files.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Date32Array, RecordBatch, StringArray};
use bytes::Bytes;
use futures::TryStreamExt as _;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};

use super::{LakeError, PART_FILE, PartitionKey, encode_parquet};
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::schema::{CURRENT_ALBUMS, current_albums_schema};

/// Without a catalog (`--catalog none`), the committed version is named by
/// this object; with one, the catalog holds it (and this is written too).
pub const POINTER: &str = "current_albums/_committed.json";

/// Versions other than the committed one and its predecessor are deleted
/// once this old: longer than any query runs.
pub const KEEP_SECONDS: i64 = 3600;

/// The metadata file of a version.
const META_FILE: &str = "_meta.json";

/// Why the current table could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CurrentError {
    /// The store refused a read or a write.
    #[error("cannot {action} {path}; check that the lake is readable and writable")]
    Store {
        /// read, write, list or delete.
        action: &'static str,
        /// The object.
        path: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
    /// A version's files are not what this program writes.
    #[error(
        "{path} is not a current_albums file of this program ({reason}); run `spotify-lake load --all` to rebuild the lake"
    )]
    Corrupt {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Encoding the version failed.
    #[error(transparent)]
    Lake(#[from] LakeError),
}

/// What the catalog holds for `current_albums`: the committed version and
/// the one before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// The committed version (16 hex digits).
    pub version: String,
    /// The version it replaced, kept for readers that started before.
    #[serde(default)]
    pub previous: Option<String>,
}

impl Commit {
    /// The folder of the committed version, relative to the lake.
    pub fn dir(&self) -> String {
        version_dir(&self.version)
    }
}

/// `current_albums/version=<version>`, relative to the lake.
pub fn version_dir(version: &str) -> String {
    format!("{CURRENT_ALBUMS}/version={version}")
}

/// The version named by a folder or location ending in `version=<v>[/]`.
pub fn version_of(location: &str) -> Option<String> {
    let last = location.trim_end_matches('/').rsplit('/').next()?;
    let v = last.strip_prefix("version=")?;
    (v.len() == 16 && v.bytes().all(|b| b.is_ascii_hexdigit())).then(|| v.to_owned())
}

/// Whether a path (relative to the lake) is one this module writes: a
/// version's files or the pointer.
pub fn is_own_path(path: &str) -> bool {
    if path == POINTER {
        return true;
    }
    path.rsplit_once('/').is_some_and(|(dir, file)| {
        (file == PART_FILE || file == META_FILE)
            && dir.starts_with(CURRENT_ALBUMS)
            && dir.split('/').count() == 2
            && version_of(dir).is_some()
    })
}

/// What a version holds besides its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The `albums` partitions folded in: extract date → artist ids.
    #[serde(default)]
    pub partitions: BTreeMap<ExtractDate, BTreeSet<String>>,
    /// Artists taken out by `forget`: artist id → the newest extract date
    /// forgotten (their partitions up to that date contribute no rows).
    #[serde(default)]
    pub forgotten: BTreeMap<String, ExtractDate>,
}

impl Meta {
    fn holds(&self, date: ExtractDate, artist: &str) -> bool {
        self.partitions
            .get(&date)
            .is_some_and(|a| a.contains(artist))
    }

    /// Whether a partition's rows are left out because of `forget`.
    pub fn is_forgotten(&self, date: ExtractDate, artist: &str) -> bool {
        self.forgotten
            .get(artist)
            .is_some_and(|until| date <= *until)
    }

    /// The folded-in partitions as keys.
    pub fn keys(&self) -> impl Iterator<Item = (ExtractDate, &str)> {
        self.partitions
            .iter()
            .flat_map(|(d, artists)| artists.iter().map(move |a| (*d, a.as_str())))
    }
}

/// One version's content.
#[derive(Debug, Clone)]
pub struct Current {
    /// The rows, in the [`current_albums_schema`], sorted by album_id then
    /// album_type.
    pub batch: RecordBatch,
    /// What was folded in.
    pub meta: Meta,
}

impl Current {
    /// A table with no rows.
    pub fn empty(meta: Meta) -> Self {
        Current {
            batch: RecordBatch::new_empty(current_albums_schema()),
            meta,
        }
    }
}

/// One `albums` partition's rows (the albums schema, no partition columns).
#[derive(Debug, Clone)]
pub struct AlbumsPartition {
    /// Its extract date.
    pub date: ExtractDate,
    /// Its configured artist.
    pub artist: SpotifyId,
    /// Its rows.
    pub batch: RecordBatch,
}

/// What [`fold`] found.
#[derive(Debug)]
pub enum Fold {
    /// The new rows change nothing.
    Unchanged,
    /// The new version.
    Changed(Current),
    /// A rewritten partition dropped an album that only the history can
    /// place again: rebuild from every registered partition.
    NeedsRebuild,
}

/// The albums rows of a partition with its key columns appended.
fn with_keys(part: &AlbumsPartition) -> Result<RecordBatch, CurrentError> {
    let rows = part.batch.num_rows();
    let mut columns: Vec<ArrayRef> = part.batch.columns().to_vec();
    columns.push(Arc::new(Date32Array::from(vec![
        part.date
            .days_since_epoch();
        rows
    ])));
    columns.push(Arc::new(StringArray::from(vec![
        part.artist.as_str();
        rows
    ])));
    RecordBatch::try_new(current_albums_schema(), columns).map_err(|e| CurrentError::Corrupt {
        path: format!("albums partition {}/{}", part.date, part.artist),
        reason: e.to_string(),
    })
}

/// The columns the choice reads, by name.
struct KeyColumns<'a> {
    album_id: &'a StringArray,
    album_type: &'a StringArray,
    date: &'a Date32Array,
    artist: &'a StringArray,
}

impl<'a> KeyColumns<'a> {
    fn of(batch: &'a RecordBatch) -> Result<Self, CurrentError> {
        fn col<'b, T: 'static>(batch: &'b RecordBatch, name: &str) -> Result<&'b T, CurrentError> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<T>())
                .ok_or_else(|| CurrentError::Corrupt {
                    path: CURRENT_ALBUMS.to_owned(),
                    reason: format!("column {name} is missing or of another type"),
                })
        }
        Ok(KeyColumns {
            album_id: col(batch, "album_id")?,
            album_type: col(batch, "album_type")?,
            date: col(batch, "extract_date")?,
            artist: col(batch, "artist_id")?,
        })
    }

    fn key(&self, row: usize) -> (&'a str, &'a str) {
        (str_at(self.album_id, row), str_at(self.album_type, row))
    }

    /// Greater is preferred: the newer date, then the lower artist id.
    fn rank(&self, row: usize) -> (i32, std::cmp::Reverse<&'a str>) {
        (
            if self.date.is_null(row) {
                i32::MIN
            } else {
                self.date.value(row)
            },
            std::cmp::Reverse(str_at(self.artist, row)),
        )
    }

    fn partition(&self, row: usize) -> (i32, &'a str) {
        (self.date.value(row), str_at(self.artist, row))
    }
}

fn str_at(a: &StringArray, row: usize) -> &str {
    if a.is_null(row) { "" } else { a.value(row) }
}

/// Picks one row per `(album_id, album_type)` over `batches` (all in the
/// current schema), skipping rows `keep` refuses; returns the rows sorted.
fn choose(
    batches: &[RecordBatch],
    keep: impl Fn(usize, usize) -> bool,
) -> Result<RecordBatch, CurrentError> {
    let cols: Vec<KeyColumns> = batches
        .iter()
        .map(KeyColumns::of)
        .collect::<Result<_, _>>()?;
    let mut best: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    for (b, c) in cols.iter().enumerate() {
        for row in 0..batches[b].num_rows() {
            if !keep(b, row) {
                continue;
            }
            best.entry(c.key(row))
                .and_modify(|at| {
                    if c.rank(row) > cols[at.0].rank(at.1) {
                        *at = (b, row);
                    }
                })
                .or_insert((b, row));
        }
    }
    let mut picked: Vec<_> = best.into_iter().collect();
    picked.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let indices: Vec<(usize, usize)> = picked.into_iter().map(|(_, at)| at).collect();
    let schema = current_albums_schema();
    let columns = (0..schema.fields().len())
        .map(|i| {
            let arrays: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
            arrow::compute::interleave(&arrays, &indices)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CurrentError::Corrupt {
            path: CURRENT_ALBUMS.to_owned(),
            reason: e.to_string(),
        })?;
    RecordBatch::try_new(schema, columns).map_err(|e| CurrentError::Corrupt {
        path: CURRENT_ALBUMS.to_owned(),
        reason: e.to_string(),
    })
}

/// Folds newly written `albums` partitions into the committed version.
///
/// A partition already folded in (a same-date reload) replaces its old
/// rows. Partitions of forgotten artists are recorded but add no row.
pub fn fold(old: Option<&Current>, new: &[AlbumsPartition]) -> Result<Fold, CurrentError> {
    let empty;
    let old = match old {
        Some(old) => old,
        None => {
            empty = Current::empty(Meta::default());
            &empty
        }
    };
    let mut meta = old.meta.clone();
    let replaced: HashSet<(i32, &str)> = new
        .iter()
        .filter(|p| old.meta.holds(p.date, p.artist.as_str()))
        .map(|p| (p.date.days_since_epoch(), p.artist.as_str()))
        .collect();
    let mut batches = vec![old.batch.clone()];
    meta.add(new, &mut batches)?;
    let old_cols = KeyColumns::of(&old.batch)?;
    let dropped: Vec<(&str, &str)> = (0..old.batch.num_rows())
        .filter(|&row| replaced.contains(&old_cols.partition(row)))
        .map(|row| old_cols.key(row))
        .collect();
    let batch = choose(&batches, |b, row| {
        b != 0 || !replaced.contains(&old_cols.partition(row))
    })?;
    if !dropped.is_empty() {
        let kept = KeyColumns::of(&batch)?;
        let present: HashSet<(&str, &str)> = (0..batch.num_rows()).map(|r| kept.key(r)).collect();
        if dropped.iter().any(|k| !present.contains(k)) {
            return Ok(Fold::NeedsRebuild);
        }
    }
    if batch == old.batch && meta == old.meta {
        return Ok(Fold::Unchanged);
    }
    Ok(Fold::Changed(Current { batch, meta }))
}

impl Meta {
    /// Records `parts` as held, and pushes the rows of each one not
    /// forgotten (keys added) onto `batches`.
    fn add(
        &mut self,
        parts: &[AlbumsPartition],
        batches: &mut Vec<RecordBatch>,
    ) -> Result<(), CurrentError> {
        for part in parts {
            self.partitions
                .entry(part.date)
                .or_default()
                .insert(part.artist.to_string());
            if !self.is_forgotten(part.date, part.artist.as_str()) {
                batches.push(with_keys(part)?);
            }
        }
        Ok(())
    }
}

/// The table from every given partition (the history), with `forgotten`
/// applied.
pub fn rebuild(
    parts: &[AlbumsPartition],
    forgotten: BTreeMap<String, ExtractDate>,
) -> Result<Current, CurrentError> {
    let mut meta = Meta {
        partitions: BTreeMap::new(),
        forgotten,
    };
    let mut batches = vec![RecordBatch::new_empty(current_albums_schema())];
    meta.add(parts, &mut batches)?;
    Ok(Current {
        batch: choose(&batches, |_, _| true)?,
        meta,
    })
}

/// A version's encoded files and its content address.
pub struct Encoded {
    /// 16 hex digits of FNV-1a over the Parquet file and the metadata.
    pub version: String,
    data: Bytes,
    meta: Bytes,
}

/// Encodes a version; the same content always gives the same version.
pub fn encode(current: &Current) -> Result<Encoded, CurrentError> {
    let data = encode_parquet(&current.batch, &Path::from(CURRENT_ALBUMS))?;
    // Serialising our own plain struct cannot fail.
    let meta = serde_json::to_vec_pretty(&current.meta).expect("the metadata serialises");
    let mut all = data.to_vec();
    all.extend_from_slice(&meta);
    Ok(Encoded {
        version: format!("{:016x}", crate::extract::fnv1a64(&all)),
        data,
        meta: Bytes::from(meta),
    })
}

fn store_err(
    action: &'static str,
    path: &Path,
) -> impl FnOnce(object_store::Error) -> CurrentError {
    let path = path.to_string();
    move |source| CurrentError::Store {
        action,
        path,
        source,
    }
}

/// Writes a version's files (the data first, the metadata last), unless
/// they are there: a version's name is its content, so a version written
/// before (a reload that went back to earlier content) is never rewritten
/// under a reader.
pub async fn write(store: &dyn ObjectStore, encoded: &Encoded) -> Result<(), CurrentError> {
    let dir = version_dir(&encoded.version);
    let meta = Path::from(format!("{dir}/{META_FILE}"));
    match store.head(&meta).await {
        Ok(_) => return Ok(()),
        Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => return Err(store_err("read", &meta)(e)),
    }
    for (name, bytes) in [(PART_FILE, &encoded.data), (META_FILE, &encoded.meta)] {
        let path = Path::from(format!("{dir}/{name}"));
        store
            .put(&path, PutPayload::from_bytes(bytes.clone()))
            .await
            .map_err(store_err("write", &path))?;
    }
    Ok(())
}

async fn get(store: &dyn ObjectStore, path: &Path) -> Result<Option<Bytes>, CurrentError> {
    match store.get(path).await {
        Ok(r) => r.bytes().await.map(Some),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
    .map_err(store_err("read", path))
}

/// Reads Parquet bytes written by this program into one batch.
pub fn decode_parquet(bytes: Bytes, path: &str) -> Result<RecordBatch, CurrentError> {
    let corrupt = |reason: String| CurrentError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| corrupt(e.to_string()))?;
    let schema = std::sync::Arc::clone(builder.schema());
    let reader = builder.build().map_err(|e| corrupt(e.to_string()))?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt(e.to_string()))?;
    arrow::compute::concat_batches(&schema, &batches).map_err(|e| corrupt(e.to_string()))
}

/// Reads a committed version; `None` when its files are gone.
pub async fn read(store: &dyn ObjectStore, version: &str) -> Result<Option<Current>, CurrentError> {
    let dir = version_dir(version);
    let meta_path = Path::from(format!("{dir}/{META_FILE}"));
    let data_path = Path::from(format!("{dir}/{PART_FILE}"));
    let (Some(meta), Some(data)) = (get(store, &meta_path).await?, get(store, &data_path).await?)
    else {
        return Ok(None);
    };
    let meta: Meta = serde_json::from_slice(&meta).map_err(|e| CurrentError::Corrupt {
        path: meta_path.to_string(),
        reason: e.to_string(),
    })?;
    let batch = decode_parquet(data, data_path.as_ref())?;
    if batch.schema().fields() != current_albums_schema().fields() {
        // Written before a change to schemas/: rebuilt from the history.
        return Ok(None);
    }
    let batch = batch
        .with_schema(current_albums_schema())
        .map_err(|e| CurrentError::Corrupt {
            path: data_path.to_string(),
            reason: e.to_string(),
        })?;
    Ok(Some(Current { batch, meta }))
}

/// Reads one `albums` partition file of the history.
pub async fn read_partition(
    store: &dyn ObjectStore,
    key: &PartitionKey,
) -> Result<Option<AlbumsPartition>, CurrentError> {
    let PartitionKey::Albums { date, artist } = key else {
        return Ok(None);
    };
    let path = key.file_path();
    let Some(bytes) = get(store, &path).await? else {
        return Ok(None);
    };
    let batch = decode_parquet(bytes, path.as_ref())?;
    if batch.schema().fields() != crate::schema::Table::Albums.arrow_schema().fields() {
        tracing::warn!(partition = %key.dir(), "An albums partition written before a change to schemas/ is left out of current_albums; `spotify-lake load --all` rewrites it.");
        return Ok(None);
    }
    Ok(Some(AlbumsPartition {
        date: *date,
        artist: artist.clone(),
        batch,
    }))
}

/// The pointer object's content for a commit.
pub fn pointer_bytes(commit: &Commit) -> Bytes {
    Bytes::from(serde_json::to_vec_pretty(commit).expect("a commit serialises"))
}

/// Reads [`POINTER`]; `None` when there is none.
pub async fn read_pointer(store: &dyn ObjectStore) -> Result<Option<Commit>, CurrentError> {
    let path = Path::from(POINTER);
    let Some(bytes) = get(store, &path).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| CurrentError::Corrupt {
            path: POINTER.to_owned(),
            reason: e.to_string(),
        })
}

/// Writes [`POINTER`].
pub async fn write_pointer(store: &dyn ObjectStore, commit: &Commit) -> Result<(), CurrentError> {
    let path = Path::from(POINTER);
    store
        .put(&path, PutPayload::from_bytes(pointer_bytes(commit)))
        .await
        .map(|_| ())
        .map_err(store_err("write", &path))
}

/// Deletes versions that are neither committed nor the one before, once
/// they are [`KEEP_SECONDS`] old; returns how many objects went.
pub async fn remove_stale(
    store: &dyn ObjectStore,
    commit: &Commit,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, CurrentError> {
    let prefix = Path::from(CURRENT_ALBUMS);
    let listed: Vec<_> = store
        .list(Some(&prefix))
        .try_collect()
        .await
        .map_err(store_err("list", &prefix))?;
    let keep: HashSet<&str> = std::iter::once(commit.version.as_str())
        .chain(commit.previous.as_deref())
        .collect();
    let mut removed = 0;
    for meta in listed {
        let Some(dir) = meta.location.as_ref().rsplit_once('/').map(|(d, _)| d) else {
            continue;
        };
        let Some(version) = version_of(dir) else {
            continue;
        };
        if keep.contains(version.as_str())
            || (now - meta.last_modified).num_seconds() < KEEP_SECONDS
        {
            continue;
        }
        match store.delete(&meta.location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => removed += 1,
            Err(e) => {
                tracing::warn!(path = %meta.location, error = %e, "Cannot delete a stale current_albums version; it is left for a later load.");
            }
        }
    }
    Ok(removed)
}

/// An artist id of a partition key column, checked.
pub fn artist_id(value: &str) -> Option<SpotifyId> {
    SpotifyId::parse(IdKind::Artist, value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Table;
    use arrow::array::{BooleanArray, Int32Array, Int64Array};

    fn date(s: &str) -> ExtractDate {
        s.parse().unwrap()
    }

    fn artist(seed: char) -> SpotifyId {
        SpotifyId::parse(IdKind::Artist, &seed.to_string().repeat(22)).unwrap()
    }

    /// An albums partition whose rows are `(album_id, album_type, duration)`.
    fn part(d: &str, a: char, rows: &[(&str, &str, i64)]) -> AlbumsPartition {
        AlbumsPartition {
            date: date(d),
            artist: artist(a),
            batch: albums_batch(rows),
        }
    }

    /// Albums rows with the given ids, types and durations; every other
    /// column null where it may be, else a filler value.
    fn albums_batch(rows: &[(&str, &str, i64)]) -> RecordBatch {
        let schema = Table::Albums.arrow_schema();
        let n = rows.len();
        let columns = schema
            .fields()
            .iter()
            .map(|f| -> ArrayRef {
                match (f.name().as_str(), f.data_type()) {
                    ("album_id", _) => {
                        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0)))
                    }
                    ("album_type", _) => {
                        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1)))
                    }
                    ("duration_ms", _) => {
                        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.2)))
                    }
                    (_, t) if f.is_nullable() => arrow::array::new_null_array(t, n),
                    (_, arrow::datatypes::DataType::Utf8) => {
                        Arc::new(StringArray::from_iter_values(std::iter::repeat_n("x", n)))
                    }
                    (_, arrow::datatypes::DataType::Boolean) => {
                        Arc::new(BooleanArray::from(vec![false; n]))
                    }
                    (_, arrow::datatypes::DataType::Int32) => {
                        Arc::new(Int32Array::from(vec![0; n]))
                    }
                    (_, arrow::datatypes::DataType::Int64) => {
                        Arc::new(Int64Array::from(vec![0; n]))
                    }
                    (_, t) => arrow::compute::cast(&Int64Array::from(vec![0i64; n]), t).unwrap(),
                }
            })
            .collect();
        RecordBatch::try_new(schema, columns).unwrap()
    }

    /// `(album_id, album_type, extract_date, artist seed char, duration)`.
    fn rows(c: &Current) -> Vec<(String, String, String, char, i64)> {
        let k = KeyColumns::of(&c.batch).unwrap();
        let dur = c
            .batch
            .column_by_name("duration_ms")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        (0..c.batch.num_rows())
            .map(|r| {
                let (id, ty) = k.key(r);
                let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                    + chrono::Duration::days(k.date.value(r) as i64);
                (
                    id.to_owned(),
                    ty.to_owned(),
                    d.to_string(),
                    str_at(k.artist, r).chars().next().unwrap(),
                    dur.value(r),
                )
            })
            .collect()
    }

    /// Artist a's album x, 1 minute long, extracted on 2026-01-01.
    fn week_one() -> AlbumsPartition {
        part("2026-01-01", 'a', &[("x", "album", 1)])
    }

    /// `c` with `w` folded in.
    fn then(c: &Current, w: AlbumsPartition) -> Current {
        changed(fold(Some(c), &[w]).unwrap())
    }

    /// The first version: `w` folded into nothing.
    fn first(w: &AlbumsPartition) -> Current {
        changed(fold(None, std::slice::from_ref(w)).unwrap())
    }

    fn changed(f: Fold) -> Current {
        match f {
            Fold::Changed(c) => c,
            other => panic!("expected a new version, got {other:?}"),
        }
    }

    #[test]
    fn newest_extract_wins_and_a_takedown_keeps_its_last_row() {
        let w1 = part("2026-01-01", 'a', &[("x", "album", 1), ("y", "album", 2)]);
        let w2 = part("2026-01-08", 'a', &[("x", "album", 10)]);
        let c1 = changed(fold(None, &[w1]).unwrap());
        let c2 = then(&c1, w2);
        assert_eq!(
            rows(&c2),
            [
                ("x".into(), "album".into(), "2026-01-08".into(), 'a', 10),
                ("y".into(), "album".into(), "2026-01-01".into(), 'a', 2),
            ]
        );
    }

    #[test]
    fn order_of_loads_does_not_matter() {
        let w1 = part("2026-01-01", 'b', &[("x", "album", 1), ("y", "album", 2)]);
        let w2 = part("2026-01-08", 'b', &[("x", "album", 10)]);
        let w2a = part("2026-01-08", 'a', &[("x", "album", 11), ("z", "single", 3)]);
        let in_order = first(&w1);
        let in_order = changed(fold(Some(&in_order), &[w2.clone(), w2a.clone()]).unwrap());
        let backfill = first(&w2a);
        let backfill = then(&backfill, w2);
        let backfill = changed(fold(Some(&backfill), std::slice::from_ref(&w1)).unwrap());
        assert_eq!(rows(&in_order), rows(&backfill));
        assert_eq!(in_order.meta, backfill.meta);
        // The lowest artist id wins a tie of dates.
        assert_eq!(rows(&in_order)[0].3, 'a');
        let all = rebuild(&[w1, w2a], BTreeMap::new()).unwrap();
        assert_eq!(all.batch.num_rows(), 3);
    }

    #[test]
    fn an_album_type_change_keeps_one_row_per_type() {
        let w1 = week_one();
        let w2 = part("2026-01-08", 'a', &[("x", "compilation", 1)]);
        let c = changed(fold(None, &[w1, w2]).unwrap());
        assert_eq!(rows(&c).len(), 2);
    }

    #[test]
    fn a_reload_replaces_its_rows_and_an_identical_one_changes_nothing() {
        let w1 = week_one();
        let c = first(&w1);
        assert!(matches!(fold(Some(&c), &[w1]).unwrap(), Fold::Unchanged));
        let fixed = then(&c, part("2026-01-01", 'a', &[("x", "album", 5)]));
        assert_eq!(rows(&fixed)[0].4, 5);
    }

    #[test]
    fn a_reload_that_drops_an_album_asks_for_a_rebuild() {
        let w1 = week_one();
        let w2 = part("2026-01-08", 'a', &[("x", "album", 2), ("y", "album", 3)]);
        let c = then(&first(&w1), w2);
        let w2_fixed = part("2026-01-08", 'a', &[("y", "album", 3)]);
        assert!(matches!(
            fold(Some(&c), std::slice::from_ref(&w2_fixed)).unwrap(),
            Fold::NeedsRebuild
        ));
        let r = rebuild(&[w1, w2_fixed], BTreeMap::new()).unwrap();
        assert_eq!(rows(&r)[0].2, "2026-01-01");
    }

    #[test]
    fn forgotten_partitions_add_no_rows_until_a_newer_extract() {
        let w1 = week_one();
        let forgotten = BTreeMap::from([(artist('a').to_string(), date("2026-01-01"))]);
        let c = rebuild(&[w1], forgotten).unwrap();
        assert_eq!(c.batch.num_rows(), 0);
        let newer = then(&c, part("2026-01-08", 'a', &[("x", "album", 2)]));
        assert_eq!(rows(&newer)[0].4, 2);
    }

    #[test]
    fn versions_are_content_addressed() {
        let w1 = week_one();
        let c = first(&w1);
        let again = changed(fold(None, &[w1]).unwrap());
        let (e1, e2) = (encode(&c).unwrap(), encode(&again).unwrap());
        assert_eq!(e1.version, e2.version);
        assert_eq!(
            version_of(&version_dir(&e1.version)),
            Some(e1.version.clone())
        );
        assert_eq!(version_of("current_albums/version=zz"), None);
        let dir = version_dir(&e1.version);
        assert!(is_own_path(&format!("{dir}/part-00000.parquet")));
        assert!(is_own_path(&format!("{dir}/_meta.json")));
        assert!(is_own_path(POINTER));
        assert!(!is_own_path(&format!("{dir}/../x/part-00000.parquet")));
        assert!(!is_own_path("current_albums/part-00000.parquet"));
    }

    #[tokio::test]
    async fn written_versions_read_back_and_stale_ones_go() {
        let store = object_store::memory::InMemory::new();
        let w1 = week_one();
        let c = first(&w1);
        let e = encode(&c).unwrap();
        write(&store, &e).await.unwrap();
        let back = read(&store, &e.version).await.unwrap().unwrap();
        assert_eq!(rows(&back), rows(&c));
        assert_eq!(back.meta, c.meta);
        let w2 = part("2026-01-08", 'a', &[("x", "album", 2)]);
        let c2 = then(&back, w2);
        let e2 = encode(&c2).unwrap();
        write(&store, &e2).await.unwrap();
        let commit = Commit {
            version: e2.version.clone(),
            previous: None,
        };
        let now = chrono::Utc::now();
        assert_eq!(
            remove_stale(&store, &commit, now).await.unwrap(),
            0,
            "too young"
        );
        let later = now + chrono::Duration::seconds(KEEP_SECONDS + 1);
        assert_eq!(remove_stale(&store, &commit, later).await.unwrap(), 2);
        assert!(read(&store, &e.version).await.unwrap().is_none());
        assert!(read(&store, &e2.version).await.unwrap().is_some());
    }
}
