//! `load --all`: every snapshot of the raw zone, oldest first, resumable.
//!
//! The way to rebuild a lake after a change to `schemas/` (or
//! `schemas/deluxe.toml`): each snapshot is loaded as `load` would, so its
//! partitions are rewritten whole with today's schema and `current_albums`
//! folds them in. Progress is recorded in `<lake>/_runs/load_all.json`
//! after each snapshot, so a killed `load --all` run again goes on after
//! the last snapshot it finished; loads are idempotent, so the result is
//! the same as one uninterrupted run's. The record is removed at the end.

use object_store::path::Path;
use object_store::{ObjectStoreExt as _, PutPayload};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::catalog::Catalog;
use crate::ids::ExtractDate;
use crate::lake::current::CurrentError;
use crate::pipeline::{LoadOptions, load};
use crate::raw::Snapshot;
use crate::store::Location;
use crate::summary::Summary;

/// The progress record, relative to the lake.
pub const PROGRESS: &str = "_runs/load_all.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    /// The raw zone it loads from: a record of another raw zone is ignored.
    raw: String,
    /// Snapshots loaded so far.
    done: Vec<ExtractDate>,
}

async fn read_progress(lake: &Location, raw: &Location) -> Result<Progress, Error> {
    let path = Path::from(PROGRESS);
    let bytes = match lake.store.get(&path).await {
        Ok(r) => r.bytes().await,
        Err(object_store::Error::NotFound { .. }) => return Ok(Progress::default()),
        Err(e) => Err(e),
    }
    .map_err(|source| CurrentError::Store {
        action: "read",
        path: PROGRESS.into(),
        source,
    })?;
    let progress: Progress = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "{PROGRESS} is unreadable; loading every snapshot.");
        Progress::default()
    });
    Ok(if progress.raw == raw.to_string() {
        progress
    } else {
        Progress::default()
    })
}

async fn write_progress(lake: &Location, progress: &Progress) -> Result<(), Error> {
    let bytes = serde_json::to_vec_pretty(progress).expect("progress serialises");
    lake.store
        .put(&Path::from(PROGRESS), PutPayload::from(bytes))
        .await
        .map_err(|source| CurrentError::Store {
            action: "write",
            path: PROGRESS.into(),
            source,
        })?;
    Ok(())
}

/// Where `load --all` is with one snapshot, for progress lines.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// An earlier, interrupted `load --all` loaded it.
    Skipped,
    /// Loading it now.
    Loading,
    /// Loaded, with this summary.
    Loaded(&'a Summary),
}

/// Loads every snapshot of `raw` oldest first, skipping the ones an
/// earlier, interrupted `load --all` finished; returns their summaries.
/// `each` is told of every step: (index from 0, total, date, step).
pub async fn load_all(
    raw: &Location,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    opts: &LoadOptions,
    mut each: impl FnMut(usize, usize, ExtractDate, Step<'_>),
) -> Result<Vec<Summary>, Error> {
    let dates = Snapshot::dates(raw).await?;
    if dates.is_empty() {
        return Err(crate::raw::RawError::NoSnapshot {
            raw: raw.to_string(),
        }
        .into());
    }
    let mut progress = read_progress(lake, raw).await?;
    if !progress.done.is_empty() {
        tracing::info!(
            done = progress.done.len(),
            total = dates.len(),
            "Resuming an interrupted load --all."
        );
    }
    progress.raw = raw.to_string();
    let mut summaries = Vec::new();
    for (i, date) in dates.iter().enumerate() {
        if progress.done.contains(date) {
            each(i, dates.len(), *date, Step::Skipped);
            continue;
        }
        each(i, dates.len(), *date, Step::Loading);
        let opts = LoadOptions {
            extract_date: Some(*date),
            ..opts.clone()
        };
        let summary = load(raw, lake, catalog, &opts).await?;
        each(i, dates.len(), *date, Step::Loaded(&summary));
        summaries.push(summary);
        progress.done.push(*date);
        write_progress(lake, &progress).await?;
        crate::crash::point("load-all-snapshot");
    }
    match lake.store.delete(&Path::from(PROGRESS)).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => {
            tracing::warn!(error = %e, "Cannot remove {PROGRESS}; a later load --all would skip snapshots it lists.")
        }
    }
    Ok(summaries)
}
