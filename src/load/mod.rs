//! `load`: one raw snapshot → the clean zone → the catalog, with no API call.
//!
//! The work is bound by reading and parsing JSON, so it streams: artists
//! are processed `concurrency` at a time; each one's album bodies are read,
//! parsed into the lenient structs, built into two batches and encoded as
//! Parquet on a blocking thread (`spawn_blocking` per artist, not per row),
//! then written with one PUT per partition. Memory holds the partitions in
//! flight, never the snapshot. Partitions are registered in the catalog
//! only after their files are written; then the snapshot's `albums` rows
//! are folded into a new version of `current_albums`, which the catalog
//! commits last ([`current`]).
//!
//! One writer at a time ([`crate::lease`]): a load holds its date's lease
//! in the lake throughout (what it writes is the lake's date: the raw zone
//! is only read, and may be read-only), and the lake's catalog lease while
//! it rewrites the local catalog's files and while it folds and commits
//! `current_albums`, so loads of different dates at once each register
//! and fold everything they wrote.

pub(crate) mod current;
mod staging;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path;

use crate::Error;
use crate::catalog::Catalog;
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::lake::{self, PartitionKey};
use crate::lease::{Lease, LeaseKind, LeaseOptions};
use crate::raw::model::{self, Manifest};
use crate::raw::{self, Listing, ObjectKind, Snapshot};
use crate::schema::Table;
use crate::sql::VIEWS;
use crate::store::Location;
use crate::summary::{Skip, Status, Summary};
use crate::transform::{self, AlbumInput, ArtistInput, PlaylistInput, Warnings};

/// Include groups in Spotify's documented order, used when the manifest
/// does not say which order was configured.
const DEFAULT_GROUP_ORDER: [&str; 4] = ["album", "single", "compilation", "appears_on"];

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

/// What one artist partition produced.
struct ArtistOutcome {
    /// Its files, being written.
    uploads: Vec<lake::Upload>,
    /// Its `albums` rows, for `current_albums` (none when nothing was written).
    albums: Option<lake::current::AlbumsPartition>,
    rows: [u64; 2],
    skipped: Vec<Skip>,
    warnings: Warnings,
}

/// Fetch times from the manifest, with the fallbacks DESIGN.md gives.
struct FetchTimes {
    started_ms: i64,
    albums: HashMap<String, i64>,
}

impl FetchTimes {
    fn new(manifest: Option<&Manifest>, date: ExtractDate) -> Self {
        let started_ms = manifest
            .and_then(|m| m.started_at.as_deref())
            .and_then(transform::parse_timestamp_millis)
            .unwrap_or_else(|| date.midnight_millis());
        let albums = manifest
            .and_then(|m| m.albums.as_ref())
            .map(|albums| {
                albums
                    .iter()
                    .filter_map(|(id, a)| {
                        let ms = a
                            .fetched_at
                            .as_deref()
                            .and_then(transform::parse_timestamp_millis)?;
                        Some((id.clone(), ms))
                    })
                    .collect()
            })
            .unwrap_or_default();
        FetchTimes { started_ms, albums }
    }

    fn album(&self, id: &str) -> i64 {
        self.albums.get(id).copied().unwrap_or(self.started_ms)
    }
}

struct Ctx {
    snapshot: Snapshot,
    listing: Listing,
    lake: Location,
    uploader: lake::Uploader,
    times: FetchTimes,
    group_order: Vec<String>,
}

/// Loads one raw snapshot into the lake and registers it.
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
    let started = Instant::now();
    let snapshot = Snapshot::resolve(raw, opts.extract_date).await?;
    let date = snapshot.date();
    let lease = Lease::take(
        lake,
        LeaseKind::LakeDate(date),
        &format!("load of {date}"),
        &opts.lease,
    )
    .await?;
    let summary = load_snapshot(snapshot, lake, catalog, opts, started).await;
    lease.release().await;
    summary
}

async fn load_snapshot(
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
    let group_order = manifest
        .as_ref()
        .and_then(|m| m.requested.as_ref())
        .and_then(|r| r.include_groups.clone())
        .unwrap_or_else(|| DEFAULT_GROUP_ORDER.map(str::to_owned).to_vec());
    let ctx = Arc::new(Ctx {
        times: FetchTimes::new(manifest.as_ref(), date),
        snapshot,
        listing,
        lake: lake.clone(),
        uploader: lake::Uploader::new(Arc::clone(&lake.store), UPLOADS_IN_FLIGHT),
        group_order,
    });

    let mut keys: Vec<PartitionKey> = Vec::new();
    summary.pending_artists = pending.iter().cloned().collect();
    summary.pending_artists.sort();
    let artists: Vec<SpotifyId> = ctx
        .listing
        .of(ObjectKind::ArtistAlbums)
        .keys()
        .filter(|id| !pending.contains(id.as_str()))
        .cloned()
        .collect();
    let bar = progress_bar(opts.progress, artists.len() as u64);
    let mut listed: HashSet<String> = HashSet::new();
    let mut uploads = lake::Uploads::default();
    let mut written_albums = Vec::new();
    let mut outcomes = futures::stream::iter(artists.into_iter().map(|artist| {
        let ctx = Arc::clone(&ctx);
        async move { load_artist(ctx, artist).await }
    }))
    .buffer_unordered(opts.concurrency.max(1));
    // Finished writes are collected as the artists go, so the first failed
    // PUT (a missing bucket, denied access) ends the load at once rather
    // than after the whole snapshot has been parsed.
    loop {
        tokio::select! {
            biased;
            Some(written) = uploads.next() => {
                keys.push(written.map_err(Error::task)??);
                summary.files_written += 1;
            }
            outcome = outcomes.try_next() => {
                let Some((outcome, album_ids)) = outcome? else { break };
                listed.extend(album_ids);
                *summary.rows.entry(Table::Albums.name().into()).or_default() += outcome.rows[0];
                *summary.rows.entry(Table::Tracks.name().into()).or_default() += outcome.rows[1];
                uploads.extend(outcome.uploads);
                written_albums.extend(outcome.albums);
                summary.skipped.extend(outcome.skipped);
                merge(&mut summary.warnings, outcome.warnings);
                bar.inc(1);
            }
        }
    }
    drop(outcomes);
    // Every file is written before anything is registered: a load that
    // fails while writing registers nothing of its day (exit 1, nothing
    // half-registered), so `latest_albums` does not show a day that is
    // only partly written.
    while let Some(written) = uploads.next().await {
        keys.push(written.map_err(Error::task)??);
        summary.files_written += 1;
    }
    // Completion order varies; registration batches should not.
    keys.sort_unstable();
    bar.finish_and_clear();
    for id in ctx.listing.of(ObjectKind::Album).keys() {
        if !listed.contains(id.as_str()) {
            summary.skipped.push(Skip::new(
                "album",
                id.as_str(),
                "its body is in albums/ but no artist_albums/ file lists it, so it has no artist partition",
            ));
        }
    }

    if let Some((key, rows, mut skipped, warnings)) = load_artists(&ctx).await? {
        summary.files_written += 1;
        *summary
            .rows
            .entry(Table::Artists.name().into())
            .or_default() += rows;
        summary.skipped.append(&mut skipped);
        merge(&mut summary.warnings, warnings);
        keys.push(key);
    }
    for (key, rows, warnings) in load_playlists(&ctx, &mut summary.skipped).await? {
        summary.files_written += 1;
        *summary
            .rows
            .entry(Table::PlaylistTracks.name().into())
            .or_default() += rows;
        merge(&mut summary.warnings, warnings);
        keys.push(key);
    }
    for table in Table::ALL {
        summary.rows.entry(table.name().into()).or_default();
    }

    crate::crash::point("before-register");
    let purpose = format!("load of {date}");
    if let Some(catalog) = catalog {
        // The local catalog rewrites whole files in the lake: another
        // process's update between a read and a write would be lost.
        let lease = if catalog.updates_need_lease() {
            Some(Lease::wait(lake, LeaseKind::Catalog, &purpose, &opts.lease).await?)
        } else {
            None
        };
        let registered = async {
            register(catalog, &keys, &mut summary).await?;
            register_views(catalog, &mut summary).await
        }
        .await;
        if let Some(lease) = lease {
            lease.release().await;
        }
        registered?;
    }
    // The last step, and the commit readers see: until it, every answer is
    // the one before this load. Folds are serialised with every catalog:
    // two folds of one committed version would each drop the other's rows.
    let lease = Lease::wait(lake, LeaseKind::Catalog, &purpose, &opts.lease).await?;
    let committed = current::update(lake, catalog, written_albums).await;
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

/// Ensures the tables and registers the written partitions.
pub async fn register(
    catalog: &dyn Catalog,
    keys: &[PartitionKey],
    summary: &mut Summary,
) -> Result<(), Error> {
    use crate::catalog::TableChange;
    for table in Table::ALL {
        match catalog.ensure_table(table.def()).await? {
            TableChange::Created => summary.catalog.tables_created += 1,
            TableChange::Updated => summary.catalog.tables_updated += 1,
            TableChange::Unchanged => {}
        }
    }
    let new = catalog.add_partitions(keys).await? as u64;
    summary.partitions.registered += new;
    summary.partitions.existing += keys.len() as u64 - new;
    summary.catalog.calls = catalog.calls();
    Ok(())
}

/// Creates or updates the views. They come before the commit of
/// `current_albums` (which they read), so that the commit is the last
/// step; a view over a table not yet committed reads no rows.
pub async fn register_views(catalog: &dyn Catalog, summary: &mut Summary) -> Result<(), Error> {
    use crate::catalog::TableChange;
    for view in VIEWS {
        if catalog.ensure_view(view).await? != TableChange::Unchanged {
            summary.catalog.views_written += 1;
        }
    }
    summary.catalog.calls = catalog.calls();
    Ok(())
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

/// Reads one body (gunzipped); a failure is a skip naming the file.
async fn read_raw(
    snapshot: &Snapshot,
    kind: ObjectKind,
    id: &str,
    path: &Path,
) -> Result<Bytes, Skip> {
    snapshot
        .read(path)
        .await
        .map_err(|reason| Skip::new(kind.noun(), id, format!("{path}: {reason}")))
}

/// Parses one body with the lenient structs; a failure is a skip naming the
/// file and the place in it.
fn parse_raw<T: serde::de::DeserializeOwned>(
    kind: ObjectKind,
    id: &str,
    path: &Path,
    bytes: &[u8],
) -> Result<T, Skip> {
    raw::parse_body(bytes).map_err(|reason| Skip::new(kind.noun(), id, format!("{path}: {reason}")))
}

/// Reads and parses a small body (listings, artists, playlists) on the
/// caller's task; album bodies are parsed on a blocking thread instead.
async fn read_body<T: serde::de::DeserializeOwned>(
    snapshot: &Snapshot,
    kind: ObjectKind,
    id: &str,
    path: &Path,
) -> Result<T, Skip> {
    let bytes = read_raw(snapshot, kind, id, path).await?;
    parse_raw(kind, id, path, &bytes)
}

/// The albums an artist's pages listed: `(album_id, group)`, each once, in
/// the first group (in include-group order) that listed it.
fn listed_albums(groups: &model::ArtistAlbums, order: &[String]) -> Vec<(String, String)> {
    let mut names: Vec<&String> = groups.groups.keys().collect();
    names.sort_by_key(|g| {
        (
            order.iter().position(|o| o == *g).unwrap_or(usize::MAX),
            (*g).clone(),
        )
    });
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for group in names {
        for album in groups.groups[group].iter().flatten().flatten() {
            if seen.insert(album.id.clone()) {
                out.push((album.id.clone(), group.clone()));
            }
        }
    }
    out
}

async fn load_artist(
    ctx: Arc<Ctx>,
    artist: SpotifyId,
) -> Result<(ArtistOutcome, Vec<String>), Error> {
    let date = ctx.snapshot.date();
    let mut skipped = Vec::new();
    let path = &ctx.listing.of(ObjectKind::ArtistAlbums)[&artist];
    let listing: model::ArtistAlbums = match read_body(
        &ctx.snapshot,
        ObjectKind::ArtistAlbums,
        artist.as_str(),
        path,
    )
    .await
    {
        Ok(l) => l,
        Err(skip) => {
            // Without its album list the artist's partition cannot be
            // rebuilt; the old one (if any) stays as it was.
            return Ok((
                ArtistOutcome {
                    uploads: Vec::new(),
                    albums: None,
                    rows: [0, 0],
                    skipped: vec![skip],
                    warnings: Warnings::new(),
                },
                Vec::new(),
            ));
        }
    };
    let wanted = listed_albums(&listing, &ctx.group_order);
    let album_files = ctx.listing.of(ObjectKind::Album);
    let mut found = Vec::with_capacity(wanted.len());
    for (album_id, group) in wanted {
        let Ok(id) = SpotifyId::parse(IdKind::Album, &album_id) else {
            skipped.push(Skip::new(
                "album",
                album_id.chars().take(80).collect::<String>(),
                format!("listed for artist {artist} with an id that is not a Spotify album id"),
            ));
            continue;
        };
        match album_files.get(&id).filter(|_| id.as_str() == album_id) {
            Some(path) => found.push((id, path.clone(), group)),
            None => skipped.push(Skip::new(
                "album",
                album_id,
                format!("listed for artist {artist} but albums/ has no body for it"),
            )),
        }
    }
    let ids: Vec<String> = found.iter().map(|(id, _, _)| id.to_string()).collect();
    // Parsing, the transform and Parquet encoding run on a blocking thread
    // so the reactor only moves bytes. A local snapshot is read on that
    // thread too (see `LocalReader`); a remote one here, reads overlapping.
    let local = ctx.snapshot.local_reader();
    let bodies: Vec<_> = futures::stream::iter(found.into_iter().map(|(id, path, group)| {
        let ctx = Arc::clone(&ctx);
        let remote = local.is_none();
        async move {
            let body = if remote {
                Some(read_raw(&ctx.snapshot, ObjectKind::Album, id.as_str(), &path).await)
            } else {
                None
            };
            (id, path, group, body)
        }
    }))
    .buffered(8)
    .collect()
    .await;
    let albums_key = PartitionKey::Albums {
        date,
        artist: artist.clone(),
    };
    let tracks_key = PartitionKey::Tracks {
        date,
        artist: artist.clone(),
    };
    let (ak, tk) = (albums_key.clone(), tracks_key.clone());
    let times = Arc::clone(&ctx);
    let (tables, album_file, track_file) =
        tokio::task::spawn_blocking(move || -> Result<_, Error> {
            let mut inputs = Vec::with_capacity(bodies.len());
            for (id, path, group, body) in bodies {
                let body = body.unwrap_or_else(|| {
                    let reader = local.as_ref().expect("bodies not read yet are local");
                    reader.read(&path).map_err(|reason| {
                        Skip::new(
                            ObjectKind::Album.noun(),
                            id.as_str(),
                            format!("{path}: {reason}"),
                        )
                    })
                });
                let parsed = body.and_then(|bytes| {
                    parse_raw::<model::Album>(ObjectKind::Album, id.as_str(), &path, &bytes)
                });
                match parsed {
                    Ok(album) => inputs.push(AlbumInput {
                        album_id: id.to_string(),
                        extracted_at_ms: times.times.album(id.as_str()),
                        album,
                        group,
                    }),
                    Err(skip) => skipped.push(skip),
                }
            }
            let mut tables = transform::albums_and_tracks(inputs)?;
            skipped.append(&mut tables.skipped);
            let a = lake::encode_parquet(&tables.albums, &ak.file_path())?;
            let t = lake::encode_parquet(&tables.tracks, &tk.file_path())?;
            Ok(((tables, skipped), a, t))
        })
        .await
        .map_err(Error::task)??;
    let (tables, skipped) = tables;
    let uploads = vec![
        ctx.uploader.start(albums_key, album_file).await,
        ctx.uploader.start(tracks_key, track_file).await,
    ];
    Ok((
        ArtistOutcome {
            uploads,
            albums: Some(lake::current::AlbumsPartition {
                date,
                artist,
                batch: tables.albums.clone(),
            }),
            rows: [
                tables.albums.num_rows() as u64,
                tables.tracks.num_rows() as u64,
            ],
            skipped,
            warnings: tables.warnings,
        },
        ids,
    ))
}

/// The `artists` partition: every `artists/*.json` of the snapshot.
async fn load_artists(
    ctx: &Ctx,
) -> Result<Option<(PartitionKey, u64, Vec<Skip>, Warnings)>, Error> {
    let files = ctx.listing.of(ObjectKind::Artist);
    if files.is_empty() {
        return Ok(None);
    }
    let mut skipped = Vec::new();
    let mut inputs = Vec::with_capacity(files.len());
    let bodies: Vec<_> = futures::stream::iter(files.iter().map(|(id, path)| async move {
        (
            id,
            read_body::<model::Artist>(&ctx.snapshot, ObjectKind::Artist, id.as_str(), path).await,
        )
    }))
    .buffered(16)
    .collect()
    .await;
    for (id, body) in bodies {
        match body {
            Ok(artist) => inputs.push(ArtistInput {
                artist_id: id.to_string(),
                artist,
                extracted_at_ms: ctx.times.started_ms,
            }),
            Err(skip) => skipped.push(skip),
        }
    }
    let key = PartitionKey::Artists {
        date: ctx.snapshot.date(),
    };
    let (batch, mut more, warnings) = transform::artists(inputs)?;
    skipped.append(&mut more);
    let file = lake::encode_parquet(&batch, &key.file_path())?;
    lake::put_partition(ctx.lake.store.as_ref(), &key, file).await?;
    Ok(Some((key, batch.num_rows() as u64, skipped, warnings)))
}

/// One `playlist_tracks` partition per playlist whose body holds items.
async fn load_playlists(
    ctx: &Ctx,
    skipped: &mut Vec<Skip>,
) -> Result<Vec<(PartitionKey, u64, Warnings)>, Error> {
    let mut out = Vec::new();
    for (id, path) in ctx.listing.of(ObjectKind::Playlist) {
        let playlist: model::Playlist =
            match read_body(&ctx.snapshot, ObjectKind::Playlist, id.as_str(), path).await {
                Ok(p) => p,
                Err(skip) => {
                    skipped.push(skip);
                    continue;
                }
            };
        if playlist.id != id.as_str() {
            skipped.push(Skip::new(
                "playlist",
                id.as_str(),
                format!(
                    "the body is playlist {:?} but its file is named {id}",
                    playlist.id.chars().take(40).collect::<String>()
                ),
            ));
            continue;
        }
        let tables = transform::playlist_tracks(&PlaylistInput {
            playlist,
            extracted_at_ms: ctx.times.started_ms,
        })?;
        let Some(batch) = tables.tracks else {
            tracing::info!(playlist = %id, "Playlist body holds no items (development mode serves metadata only); no partition written.");
            continue;
        };
        let key = PartitionKey::PlaylistTracks {
            date: ctx.snapshot.date(),
            playlist: id.clone(),
        };
        let file = lake::encode_parquet(&batch, &key.file_path())?;
        lake::put_partition(ctx.lake.store.as_ref(), &key, file).await?;
        out.push((key, batch.num_rows() as u64, tables.warnings));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_album_in_two_groups_takes_the_first_in_configured_order() {
        let groups: model::ArtistAlbums = serde_json::from_str(
            r#"{"groups":{"album":[{"id":"b"},{"id":"a"}],"single":[{"id":"a"},{"id":"c"}],"zzz":[null,{"id":"d"}]}}"#,
        )
        .unwrap();
        let order: Vec<String> = vec!["single".into(), "album".into()];
        let got = listed_albums(&groups, &order);
        let want: Vec<(String, String)> = [
            ("a", "single"),
            ("c", "single"),
            ("b", "album"),
            ("d", "zzz"),
        ]
        .iter()
        .map(|(a, g)| (a.to_string(), g.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn fetch_times_fall_back_to_start_then_midnight() {
        let date: ExtractDate = "2026-11-26".parse().unwrap();
        let none = FetchTimes::new(None, date);
        assert_eq!(none.album("x"), date.midnight_millis());
        let m: Manifest = serde_json::from_str(
            r#"{"started_at":"2026-11-26T17:42:00Z","albums":{"a":{"fetched_at":"2026-11-26T17:43:00.5Z"},"b":{"fetched_at":"bad"}}}"#,
        )
        .unwrap();
        let t = FetchTimes::new(Some(&m), date);
        assert_eq!(t.album("a") - t.album("b"), 60_500);
        assert_eq!(t.album("zzz"), t.started_ms);
    }
}
