//! `load`: one raw snapshot → the clean zone → the catalog, with no API call.
//!
//! The work is bound by reading and parsing JSON, so it streams: artists
//! are processed `concurrency` at a time; each one's album bodies are read,
//! parsed, built into two batches and encoded as Parquet on a blocking
//! thread (`spawn_blocking` per artist, not per row) by
//! [`partitions`](super::partitions), then written through one
//! [`Uploader`](crate::lake::Uploader), the `artists` and `playlist_tracks`
//! partitions too. Memory holds the partitions in flight, never the
//! snapshot. Partitions are registered in the catalog only after every file
//! is written; then the snapshot's `albums` rows are folded into a new
//! version of `current_albums`, which the catalog commits last
//! ([`current`](super::current)).
//!
//! One writer at a time ([`crate::lease`]): a load holds its date's lease
//! in the lake throughout (what it writes is the lake's date: the raw zone
//! is only read, and may be read-only), and the lake's catalog lease while
//! it rewrites the local catalog's files and while it folds and commits
//! `current_albums`, so loads of different dates at once each register
//! and fold everything they wrote.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use futures::{StreamExt as _, TryStreamExt as _};

use super::partitions::{self, Built, Source};
use super::{current, register, staging};
use crate::Error;
use crate::catalog::Catalog;
use crate::ids::{ExtractDate, SpotifyId};
use crate::lake::{self, PartitionKey, Written};
use crate::lease::{Lease, LeaseKind, LeaseOptions};
use crate::raw::model::Manifest;
use crate::raw::{self, ObjectKind, Snapshot};
use crate::schema::Table;
use crate::store::Location;
use crate::summary::{Skip, Status, Summary};
use crate::transform::Warnings;

/// How to load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The snapshot to load; default the newest under the raw root.
    pub extract_date: Option<ExtractDate>,
    /// Artists processed at once (each on a blocking thread for CPU work).
    pub concurrency: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// How the date's and the catalog's leases are taken.
    pub lease: LeaseOptions,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            extract_date: None,
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
            progress: false,
            lease: LeaseOptions::default(),
        }
    }
}

/// Partition writes in flight at once (see [`lake::Uploader`]).
const UPLOADS_IN_FLIGHT: usize = 16;

/// Loads one raw snapshot into the lake and registers it: the snapshot
/// `opts.extract_date` picks under `raw` (default the newest), or `raw`
/// itself when it is one `extract_date=…` folder.
///
/// Returns a summary whose status is `partial` when the snapshot's manifest
/// lists pending artists (they are not written). Fails when the snapshot
/// cannot be found or listed, another writer holds its date's lease, a
/// partition cannot be written, or the catalog refuses a table; single bad
/// objects are counted skips.
pub async fn load(
    raw: &Location,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    opts: &LoadOptions,
) -> Result<Summary, Error> {
    let snapshot = Snapshot::resolve(raw, opts.extract_date).await?;
    load_snapshot(snapshot, lake, catalog, opts).await
}

/// [`load`] of a snapshot already found (a run hands over the one it just
/// wrote).
pub async fn load_snapshot(
    snapshot: Snapshot,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    opts: &LoadOptions,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let date = snapshot.date();
    let lease = Lease::take(
        lake,
        LeaseKind::LakeDate(date),
        &format!("load of {date}"),
        &opts.lease,
    )
    .await?;
    let summary = load_leased(snapshot, lake, catalog, opts, started).await;
    lease.release().await;
    summary
}

/// What the written partitions add up to, as they finish.
#[derive(Default)]
struct Tally {
    keys: Vec<PartitionKey>,
    albums: Vec<lake::current::AlbumsPartition>,
    listed: HashSet<String>,
}

impl Tally {
    fn written(&mut self, written: Written, summary: &mut Summary) {
        *summary
            .rows
            .entry(written.key.table().name().into())
            .or_default() += written.rows;
        summary.files_written += 1;
        self.keys.push(written.key);
    }

    /// Takes what was built, starting its uploads.
    async fn built(
        &mut self,
        built: Built,
        uploader: &lake::Uploader,
        uploads: &mut lake::Uploads,
        summary: &mut Summary,
    ) {
        for partition in built.partitions {
            uploads.extend([uploader.start(partition).await]);
        }
        self.albums.extend(built.albums);
        self.listed.extend(built.listed);
        summary.skipped.extend(built.skipped);
        merge(&mut summary.warnings, built.warnings);
    }

    /// Waits for every started upload.
    async fn drain(
        &mut self,
        uploads: &mut lake::Uploads,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        while let Some(written) = uploads.next().await {
            self.written(written.map_err(Error::task)??, summary);
        }
        Ok(())
    }
}

async fn load_leased(
    snapshot: Snapshot,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    opts: &LoadOptions,
    started: Instant,
) -> Result<Summary, Error> {
    let date = snapshot.date();
    staging::clean(lake, date);
    let mut summary = Summary::new(date.to_string());
    let mut listing = snapshot.list().await?;
    summary.skipped.append(&mut listing.skipped);
    if listing.is_empty() {
        return Err(raw::RawError::Empty {
            snapshot: snapshot.describe(),
        }
        .into());
    }
    let manifest = match snapshot.manifest(&listing).await {
        Ok(m) => m,
        Err(skip) => {
            summary.skipped.push(skip);
            None
        }
    };
    tracing::info!(
        snapshot = %snapshot.describe(),
        artists = listing.of(ObjectKind::ArtistAlbums).len(),
        albums = listing.of(ObjectKind::Album).len(),
        playlists = listing.of(ObjectKind::Playlist).len(),
        manifest = manifest.is_some(),
        "Loading snapshot."
    );
    let (pending, bad_pending) = pending_artists(manifest.as_ref());
    summary.skipped.extend(bad_pending);
    summary.pending_artists = pending.iter().cloned().collect();
    summary.pending_artists.sort();
    let source = Arc::new(Source::new(snapshot, listing, manifest.as_ref()));
    let uploader = lake::Uploader::new(Arc::clone(&lake.store), UPLOADS_IN_FLIGHT);
    let mut uploads = lake::Uploads::default();
    let mut tally = Tally::default();

    let artists: Vec<SpotifyId> = source
        .listing
        .of(ObjectKind::ArtistAlbums)
        .keys()
        .filter(|id| !pending.contains(id.as_str()))
        .cloned()
        .collect();
    let bar = progress_bar(opts.progress, artists.len() as u64);
    let mut built = futures::stream::iter(artists.into_iter().map(|artist| {
        let source = Arc::clone(&source);
        partitions::artist(source, artist)
    }))
    .buffer_unordered(opts.concurrency.max(1));
    // Finished writes are collected as the artists go, so the first failed
    // PUT (a missing bucket, denied access) ends the load at once rather
    // than after the whole snapshot has been parsed.
    loop {
        tokio::select! {
            biased;
            Some(written) = uploads.next() => {
                tally.written(written.map_err(Error::task)??, &mut summary);
            }
            next = built.try_next() => {
                let Some(artist) = next? else { break };
                tally.built(artist, &uploader, &mut uploads, &mut summary).await;
                bar.inc(1);
            }
        }
    }
    drop(built);
    // Every file is written before anything is registered: a load that
    // fails while writing registers nothing of its day (exit 1, nothing
    // half-registered), so `latest_albums` does not show a day that is
    // only partly written.
    tally.drain(&mut uploads, &mut summary).await?;
    bar.finish_and_clear();
    for id in source.listing.of(ObjectKind::Album).keys() {
        if !tally.listed.contains(id.as_str()) {
            summary.skipped.push(Skip::new(
                "album",
                id.as_str(),
                "its body is in albums/ but no artist_albums/ file lists it, so it has no artist partition",
            ));
        }
    }

    let artists = partitions::artists(&source).await?;
    tally
        .built(artists, &uploader, &mut uploads, &mut summary)
        .await;
    for (id, path) in source.listing.of(ObjectKind::Playlist) {
        let playlist = partitions::playlist(&source, id, path).await?;
        tally
            .built(playlist, &uploader, &mut uploads, &mut summary)
            .await;
    }
    tally.drain(&mut uploads, &mut summary).await?;
    for table in Table::ALL {
        summary.rows.entry(table.name().into()).or_default();
    }
    // Completion order varies; registration batches should not.
    tally.keys.sort_unstable();

    crate::crash::point("before-register");
    let purpose = format!("load of {date}");
    if let Some(catalog) = catalog {
        register::all(
            catalog,
            lake,
            &tally.keys,
            &purpose,
            &opts.lease,
            &mut summary,
        )
        .await?;
    }
    // The last step, and the commit readers see: until it, every answer is
    // the one before this load. Folds are serialised with every catalog:
    // two folds of one committed version would each drop the other's rows.
    let lease = Lease::wait(lake, LeaseKind::Catalog, &purpose, &opts.lease).await?;
    let committed = current::update(lake, catalog, tally.albums).await;
    lease.release().await;
    summary.current = committed?;
    if let Some(catalog) = catalog {
        summary.catalog.calls = catalog.calls();
    }
    if !summary.pending_artists.is_empty() {
        summary.status = Status::Partial;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn merge(into: &mut Warnings, from: Warnings) {
    for (k, v) in from {
        *into.entry(k).or_default() += v;
    }
}

/// The manifest's pending artists, and a skip for each pending entry whose
/// id is not a Spotify id (a hand-edited or hostile manifest): such an
/// entry names no artist that could ever be resumed, so it must not keep
/// every load of the date partial, and its text is shown only escaped.
fn pending_artists(manifest: Option<&Manifest>) -> (HashSet<String>, Vec<Skip>) {
    let mut pending = HashSet::new();
    let mut skipped = Vec::new();
    let entries = manifest
        .and_then(|m| m.artists.as_ref())
        .into_iter()
        .flatten();
    for entry in entries.filter(|a| a.is_pending()) {
        let Some(id) = entry.artist_id.as_deref() else {
            continue;
        };
        if SpotifyId::is_valid(id) {
            pending.insert(id.to_owned());
        } else {
            let shown: String = id.chars().take(40).flat_map(char::escape_default).collect();
            skipped.push(Skip::new(
                "manifest",
                "pending",
                format!(
                    "the manifest lists a pending artist id \"{shown}\" that is not a Spotify id; ignored (run the extract again to rewrite the manifest)"
                ),
            ));
        }
    }
    (pending, skipped)
}

fn progress_bar(show: bool, len: u64) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} loading artists {bar:30} {pos}/{len} {elapsed}",
        )
        .expect("the progress template is valid"),
    );
    bar
}
