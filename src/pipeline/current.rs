//! The last step of a load: fold the snapshot's `albums` rows into a new
//! version of `current_albums`, write it, and commit it in the catalog
//! (see [`crate::lake::current`] for why and how).
//!
//! The order makes every crash harmless: the version's files are written
//! before the commit, and the commit is one catalog update, so a reader
//! sees the old version until the new one is whole. A version is named by
//! its content, so a re-run after a crash writes the same files again.
//! Partitions that a dead load registered but never folded in are found
//! by comparing the registered `albums` partitions with the version's
//! metadata, and folded in from their files here.

use std::collections::{BTreeMap, HashSet};

use futures::{StreamExt as _, TryStreamExt as _};
use object_store::ObjectStore;
use object_store::path::Path;

use crate::Error;
use crate::catalog::Catalog;
use crate::ids::ExtractDate;
use crate::lake::PartitionKey;
use crate::lake::current::{self as cur, AlbumsPartition, Commit, Current, Fold};
use crate::schema::Table;
use crate::store::Location;
use crate::summary::CurrentCounts;

/// Partition files read at once when the history is read.
const READS_IN_FLIGHT: usize = 16;

/// The committed version: the catalog's, or the lake's pointer without one.
pub(crate) async fn committed(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
) -> Result<Option<Commit>, Error> {
    Ok(match catalog {
        Some(c) => c.current().await?,
        None => cur::read_pointer(lake.store.as_ref()).await?,
    })
}

/// The registered partitions of a table: the catalog's, or the folders
/// without one.
pub(crate) async fn registered_partitions(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    table: Table,
) -> Result<Vec<PartitionKey>, Error> {
    if let Some(c) = catalog {
        return Ok(c.partitions(table).await?);
    }
    let prefix = Path::from(table.name());
    let listed: Vec<_> = lake
        .store
        .list(Some(&prefix))
        .try_collect()
        .await
        .map_err(|source| cur::CurrentError::Store {
            action: "list",
            path: prefix.to_string(),
            source,
        })?;
    let mut keys: Vec<PartitionKey> = listed
        .iter()
        .filter_map(|m| PartitionKey::parse(&m.location).ok())
        .collect();
    keys.sort();
    Ok(keys)
}

/// Reads partition files of the history, in parallel; a file gone since
/// it was registered is left out with a warning.
pub(crate) async fn read_partitions(
    store: &dyn ObjectStore,
    keys: &[&PartitionKey],
) -> Result<Vec<AlbumsPartition>, Error> {
    let read: Vec<Option<AlbumsPartition>> = futures::stream::iter(keys.iter().map(|k| async move {
        let part = cur::read_partition(store, k).await?;
        if part.is_none() {
            tracing::warn!(partition = %k.dir(), "A registered albums partition has no file; current_albums leaves it out.");
        }
        Ok::<_, Error>(part)
    }))
    .buffered(READS_IN_FLIGHT)
    .try_collect()
    .await?;
    Ok(read.into_iter().flatten().collect())
}

/// Rebuilds from every registered partition, taking the written ones from
/// memory.
pub(crate) async fn rebuild(
    lake: &Location,
    registered: &[PartitionKey],
    mut written: Vec<AlbumsPartition>,
    forgotten: BTreeMap<String, ExtractDate>,
) -> Result<Current, Error> {
    let in_memory: HashSet<(ExtractDate, String)> = written
        .iter()
        .map(|p| (p.date, p.artist.to_string()))
        .collect();
    let rest: Vec<&PartitionKey> = registered
        .iter()
        .filter(|k| match k {
            PartitionKey::Albums { date, artist } => {
                !in_memory.contains(&(*date, artist.to_string()))
            }
            _ => false,
        })
        .collect();
    tracing::info!(
        partitions = rest.len() + written.len(),
        "Rebuilding current_albums from the history."
    );
    written.extend(read_partitions(lake.store.as_ref(), &rest).await?);
    Ok(cur::rebuild(&written, forgotten)?)
}

/// Writes `current` as a version and commits it, unless it is the
/// committed one already; returns what the summary shows.
pub(crate) async fn commit(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    old: Option<&Commit>,
    current: &Current,
) -> Result<CurrentCounts, Error> {
    let store = lake.store.as_ref();
    let encoded = cur::encode(current)?;
    let rows = current.batch.num_rows() as u64;
    if old.is_some_and(|c| c.version == encoded.version) {
        return Ok(CurrentCounts {
            version: encoded.version,
            rows,
            ..CurrentCounts::default()
        });
    }
    cur::write(store, &encoded).await?;
    let commit = Commit {
        version: encoded.version.clone(),
        previous: old.map(|c| c.version.clone()),
    };
    crate::crash::point("current-commit");
    if let Some(catalog) = catalog {
        catalog.commit_current(&commit).await?;
    }
    cur::write_pointer(store, &commit).await?;
    tracing::info!(version = %commit.version, rows, "current_albums committed.");
    match cur::remove_stale(store, &commit, chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(objects = n, "Stale current_albums versions removed."),
        Err(e) => {
            tracing::warn!(error = %crate::error_chain(&e), "Cannot list stale current_albums versions; they are left for a later load.")
        }
    }
    Ok(CurrentCounts {
        version: encoded.version,
        rows,
        committed: true,
        rebuilt: false,
    })
}

/// Folds the partitions this load wrote (and any registered ones the
/// committed version lacks) into a new committed version.
pub(crate) async fn update(
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    written: Vec<AlbumsPartition>,
) -> Result<CurrentCounts, Error> {
    let store = lake.store.as_ref();
    let old_commit = committed(lake, catalog).await?;
    let old = match &old_commit {
        Some(c) => cur::read(store, &c.version).await?,
        None => None,
    };
    if old_commit.is_some() && old.is_none() {
        tracing::warn!(
            "The committed current_albums version cannot be read (its files are gone or schemas/ changed); rebuilding it from the history."
        );
    }
    let registered = registered_partitions(lake, catalog, Table::Albums).await?;
    let known: HashSet<(ExtractDate, String)> = written
        .iter()
        .map(|p| (p.date, p.artist.to_string()))
        .chain(
            old.iter()
                .flat_map(|c| c.meta.keys().map(|(d, a)| (d, a.to_owned()))),
        )
        .collect();
    let missing: Vec<&PartitionKey> = registered
        .iter()
        .filter(|k| match k {
            PartitionKey::Albums { date, artist } => !known.contains(&(*date, artist.to_string())),
            _ => false,
        })
        .collect();
    if !missing.is_empty() && old.is_some() {
        tracing::warn!(
            partitions = missing.len(),
            "Registered albums partitions are missing from current_albums (a load that stopped before its commit); folding them in."
        );
    }
    let mut parts = written;
    parts.extend(read_partitions(store, &missing).await?);
    match cur::fold(old.as_ref(), &parts)? {
        Fold::Unchanged => Ok(CurrentCounts {
            version: old_commit.map(|c| c.version).unwrap_or_default(),
            rows: old.map_or(0, |c| c.batch.num_rows() as u64),
            ..CurrentCounts::default()
        }),
        Fold::Changed(current) => commit(lake, catalog, old_commit.as_ref(), &current).await,
        Fold::NeedsRebuild => {
            let forgotten = old.map(|c| c.meta.forgotten).unwrap_or_default();
            let current = rebuild(lake, &registered, parts, forgotten).await?;
            let mut counts = commit(lake, catalog, old_commit.as_ref(), &current).await?;
            counts.rebuilt = true;
            Ok(counts)
        }
    }
}
