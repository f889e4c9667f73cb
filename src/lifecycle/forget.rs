//! `forget --artist NAME|ID… [--history] [--dry-run]`: take artists out of
//! the answers, and with `--history` out of every table.
//!
//! Without `--history` the artist's albums leave `current_albums` (what the
//! answers read): it is rebuilt from the registered history with the
//! artist's partitions up to the newest one marked forgotten in the
//! version's metadata, so a later load or rebuild does not bring them
//! back, while a newer extract of the artist (still configured) does.
//! Albums shared with another configured artist stay, under that artist.
//!
//! With `--history` its partitions of `albums` and `tracks` are also
//! unregistered and their files deleted, and its rows leave every `artists`
//! partition (those files are rewritten). `playlist_tracks` is about
//! playlists and keeps its rows. The raw zone is never touched: a
//! `load --all` would bring the artist back.
//!
//! The order makes a crash harmless and a re-run finish the job: the new
//! `current_albums` is committed first (the answers), then partitions are
//! unregistered, then their files deleted. All of it holds the lake's
//! catalog lease ([`crate::lease`]), as a load's catalog update does.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use arrow::array::{Array, BooleanArray, StringArray};
use object_store::{ObjectStoreExt as _, PutPayload};

use crate::Error;
use crate::catalog::Catalog;
use crate::config::ConfigError;
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::lake::current::{self as cur, CurrentError};
use crate::lake::{PartitionKey, encode_parquet};
use crate::lease::{Lease, LeaseKind, LeaseOptions};
use crate::pipeline::current as load_current;
use crate::schema::Table;
use crate::store::Location;

/// One artist `forget` takes out, and what goes with it.
#[derive(Debug, Clone, Default)]
pub struct Forgotten {
    /// The artist's id.
    pub artist_id: String,
    /// Its name in the `artists` table, when known.
    pub name: Option<String>,
    /// Rows of `current_albums` it holds: what leaves the answers.
    pub current_rows: usize,
    /// Its partitions of `albums` and `tracks` (with `--history`).
    pub partitions: Vec<String>,
    /// The `artists` partitions that hold a row of it (with `--history`).
    pub artists_partitions: Vec<String>,
}

/// What `forget` removed (or, with `--dry-run`, would remove).
#[derive(Debug, Clone, Default)]
pub struct ForgetReport {
    /// Nothing was changed.
    pub dry_run: bool,
    /// The artists' history was removed too.
    pub history: bool,
    /// Per artist.
    pub artists: Vec<Forgotten>,
    /// The `current_albums` version committed (empty on a dry run).
    pub version: String,
}

impl fmt::Display for ForgetReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would remove"
        } else {
            "removed"
        };
        for a in &self.artists {
            let name = a.name.as_deref().unwrap_or("(name unknown)");
            writeln!(f, "artist {} {name}:", a.artist_id)?;
            writeln!(
                f,
                "  {verb} {} current_albums row(s) from the answers",
                a.current_rows
            )?;
            if self.history {
                writeln!(
                    f,
                    "  {verb} {} partition(s) of albums and tracks (files and catalog):",
                    a.partitions.len()
                )?;
                for p in &a.partitions {
                    writeln!(f, "    {p}")?;
                }
                writeln!(
                    f,
                    "  {verb} its row from {} artists partition(s) (files rewritten)",
                    a.artists_partitions.len()
                )?;
            }
        }
        if self.dry_run {
            writeln!(f, "dry run: nothing was changed")?;
        } else if !self.version.is_empty() {
            writeln!(f, "current_albums version {}", self.version)?;
        }
        if !self.history {
            writeln!(
                f,
                "the history tables keep the artist's partitions; --history removes them too"
            )?;
        }
        Ok(())
    }
}

fn store_err(action: &'static str, path: &str) -> impl FnOnce(object_store::Error) -> Error {
    let path = path.to_owned();
    move |source| {
        CurrentError::Store {
            action,
            path,
            source,
        }
        .into()
    }
}

/// The registered partitions of a table (the folders without a catalog).
async fn registered(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    table: Table,
) -> Result<Vec<PartitionKey>, Error> {
    load_current::registered_partitions(lake, catalog, table).await
}

/// `artist_id → artist_name` from every registered `artists` partition,
/// newest name last.
async fn artist_names(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
) -> Result<BTreeMap<String, String>, Error> {
    let mut names = BTreeMap::new();
    for key in registered(lake, catalog, Table::Artists).await? {
        let path = key.file_path();
        let Ok(got) = lake.store.get(&path).await else {
            continue;
        };
        let bytes = got
            .bytes()
            .await
            .map_err(store_err("read", path.as_ref()))?;
        let batch = cur::decode_parquet(bytes, path.as_ref())?;
        let (Some(ids), Some(ns)) = (
            string_column(&batch, "artist_id"),
            string_column(&batch, "artist_name"),
        ) else {
            continue;
        };
        for row in 0..batch.num_rows() {
            if !ids.is_null(row) && !ns.is_null(row) {
                names.insert(ids.value(row).to_owned(), ns.value(row).to_owned());
            }
        }
    }
    Ok(names)
}

fn string_column<'a>(batch: &'a arrow::array::RecordBatch, name: &str) -> Option<&'a StringArray> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
}

/// The artist ids the arguments name: ids (or URIs) as they are, names
/// looked up in the `artists` table (any case).
fn resolve(
    args: &[String],
    names: &BTreeMap<String, String>,
) -> Result<BTreeSet<String>, ConfigError> {
    let mut ids = BTreeSet::new();
    for arg in args {
        if let Ok(id) = SpotifyId::parse(IdKind::Artist, arg) {
            ids.insert(id.to_string());
            continue;
        }
        let matches: Vec<&String> = names
            .iter()
            .filter(|(_, n)| n.to_lowercase() == arg.trim().to_lowercase())
            .map(|(id, _)| id)
            .collect();
        match matches.as_slice() {
            [] => {
                return Err(ConfigError::Value {
                    key: "--artist".into(),
                    value: arg.chars().take(80).collect(),
                    expected: "an artist id, or the name of an artist in the lake's artists table (names are matched whole, in any case)".into(),
                });
            }
            [one] => {
                ids.insert((*one).clone());
            }
            many => {
                return Err(ConfigError::Value {
                    key: "--artist".into(),
                    value: arg.chars().take(80).collect(),
                    expected: format!(
                        "one artist; several have that name, so pass one of their ids: {}",
                        many.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
    }
    Ok(ids)
}

/// Takes `artists` (names or ids) out of the answers, and with `history`
/// out of every table; with `dry_run` only says what it would remove.
/// Holds the lake's catalog lease, unless it is a dry run.
pub async fn forget(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    artists: &[String],
    history: bool,
    dry_run: bool,
    lease: &LeaseOptions,
) -> Result<ForgetReport, Error> {
    if dry_run {
        return forget_held(lake, catalog, artists, history, true).await;
    }
    let lease = Lease::wait(lake, LeaseKind::Catalog, "forget", lease).await?;
    let report = forget_held(lake, catalog, artists, history, false).await;
    lease.release().await;
    report
}

async fn forget_held(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    artists: &[String],
    history: bool,
    dry_run: bool,
) -> Result<ForgetReport, Error> {
    let names = artist_names(lake, catalog).await?;
    let ids = resolve(artists, &names)?;
    let albums = registered(lake, catalog, Table::Albums).await?;
    let tracks = registered(lake, catalog, Table::Tracks).await?;
    let commit = load_current::committed(lake, catalog).await?;
    let current = match &commit {
        Some(c) => cur::read(lake.store.as_ref(), &c.version).await?,
        None => None,
    };
    let mut forgotten = current
        .as_ref()
        .map(|c| c.meta.forgotten.clone())
        .unwrap_or_default();
    let mut report = ForgetReport {
        dry_run,
        history,
        ..ForgetReport::default()
    };
    let of_artist = |keys: &[PartitionKey], id: &str| -> Vec<PartitionKey> {
        keys.iter()
            .filter(|k| match k {
                PartitionKey::Albums { artist, .. } | PartitionKey::Tracks { artist, .. } => {
                    artist.as_str() == id
                }
                _ => false,
            })
            .cloned()
            .collect()
    };
    let artists_keys = registered(lake, catalog, Table::Artists).await?;
    let mut to_remove: Vec<PartitionKey> = Vec::new();
    let mut rewrite: BTreeSet<PartitionKey> = BTreeSet::new();
    for id in &ids {
        let own_albums = of_artist(&albums, id);
        let newest: Option<ExtractDate> = own_albums
            .iter()
            .filter_map(|k| match k {
                PartitionKey::Albums { date, .. } => Some(*date),
                _ => None,
            })
            .chain(
                current
                    .iter()
                    .flat_map(|c| c.meta.keys())
                    .filter(|(_, a)| a == id)
                    .map(|(d, _)| d),
            )
            .max();
        let Some(newest) = newest else {
            return Err(ConfigError::Value {
                key: "--artist".into(),
                value: id.clone(),
                expected:
                    "an artist of the lake: it has no albums partition (see `spotify-lake status`)"
                        .into(),
            }
            .into());
        };
        let current_rows = current.as_ref().map_or(0, |c| count_rows(&c.batch, id));
        forgotten
            .entry(id.clone())
            .and_modify(|d| *d = (*d).max(newest))
            .or_insert(newest);
        let mut partitions = own_albums;
        partitions.extend(of_artist(&tracks, id));
        let mut holding = Vec::new();
        if history {
            for key in &artists_keys {
                if artists_file_holds(lake, key, id).await? {
                    holding.push(key.dir());
                    rewrite.insert(key.clone());
                }
            }
            to_remove.extend(partitions.iter().cloned());
        }
        report.artists.push(Forgotten {
            artist_id: id.clone(),
            name: names.get(id).cloned(),
            current_rows,
            partitions: if history {
                partitions.iter().map(PartitionKey::dir).collect()
            } else {
                Vec::new()
            },
            artists_partitions: holding,
        });
    }
    if dry_run {
        return Ok(report);
    }
    // 1. The answers: a rebuilt current_albums without the artists.
    let rebuilt = load_current::rebuild(lake, &albums, Vec::new(), forgotten).await?;
    let counts = load_current::commit(lake, catalog, commit.as_ref(), &rebuilt).await?;
    report.version = counts.version;
    if !history {
        return Ok(report);
    }
    // 2. The catalog, then 3. the files.
    if let Some(catalog) = catalog {
        catalog.remove_partitions(&to_remove).await?;
    }
    crate::crash::point("forget-delete");
    for key in &to_remove {
        let path = key.file_path();
        match lake.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(store_err("delete", path.as_ref())(e)),
        }
        // A local store leaves the folders; an empty partition folder
        // (and its date folder, once empty) goes too. S3 has no folders.
        if let Some(root) = lake.local_dir() {
            let dir = root.join(key.dir());
            if std::fs::remove_dir(&dir).is_ok()
                && let Some(parent) = dir.parent()
            {
                let _ = std::fs::remove_dir(parent);
            }
        }
    }
    for key in &rewrite {
        rewrite_artists(lake, key, &ids).await?;
    }
    Ok(report)
}

fn count_rows(batch: &arrow::array::RecordBatch, id: &str) -> usize {
    string_column(batch, "artist_id").map_or(0, |ids| {
        (0..ids.len())
            .filter(|&r| !ids.is_null(r) && ids.value(r) == id)
            .count()
    })
}

async fn read_artists(
    lake: &Location,
    key: &PartitionKey,
) -> Result<Option<arrow::array::RecordBatch>, Error> {
    let path = key.file_path();
    let bytes = match lake.store.get(&path).await {
        Ok(got) => got
            .bytes()
            .await
            .map_err(store_err("read", path.as_ref()))?,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(store_err("read", path.as_ref())(e)),
    };
    Ok(Some(cur::decode_parquet(bytes, path.as_ref())?))
}

async fn artists_file_holds(lake: &Location, key: &PartitionKey, id: &str) -> Result<bool, Error> {
    Ok(read_artists(lake, key)
        .await?
        .is_some_and(|b| count_rows(&b, id) > 0))
}

/// Rewrites an `artists` partition without the rows of `ids`.
async fn rewrite_artists(
    lake: &Location,
    key: &PartitionKey,
    ids: &BTreeSet<String>,
) -> Result<(), Error> {
    let Some(batch) = read_artists(lake, key).await? else {
        return Ok(());
    };
    let Some(col) = string_column(&batch, "artist_id") else {
        return Ok(());
    };
    let keep: BooleanArray = (0..col.len())
        .map(|r| Some(col.is_null(r) || !ids.contains(col.value(r))))
        .collect();
    let kept =
        arrow::compute::filter_record_batch(&batch, &keep).map_err(|e| CurrentError::Corrupt {
            path: key.file_path().to_string(),
            reason: e.to_string(),
        })?;
    let kept = kept
        .with_schema(Table::Artists.arrow_schema())
        .map_err(|e| CurrentError::Corrupt {
            path: key.file_path().to_string(),
            reason: e.to_string(),
        })?;
    let path = key.file_path();
    let file = encode_parquet(&kept, &path)?;
    lake.store
        .put(&path, PutPayload::from_bytes(file))
        .await
        .map_err(store_err("write", path.as_ref()))?;
    Ok(())
}
