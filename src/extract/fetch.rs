//! The extraction run: artists, album pages, albums, playlists → raw files
//! and the manifest.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::{StreamExt as _, TryStreamExt as _};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use tokio::sync::OnceCell;

use super::client::{Answer, Endpoint, SpotifyClient, StopReason};
use super::{ExtractError, RequestFailure, due};
use crate::config::{ArtistSpec, SpotifyConfig};
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::raw::model::{
    Manifest, ManifestAlbum, ManifestArtist, ManifestPlaylist, Requested, SearchBody, SearchHit,
};
use crate::raw::{Listing, ObjectKind, Snapshot, SnapshotWriter};
use crate::store::Location;
use crate::summary::{Fetched, Skip};

/// The largest artist-albums page size any mode accepts.
const MAX_ALBUM_PAGE: u32 = 50;
/// The development-mode page size (SPOTIFY_API.md §3).
const DEV_ALBUM_PAGE: u32 = 10;
/// Track and playlist-item pages.
const ITEM_PAGE: u32 = 50;
/// Pages per series at most, whatever `total` says.
const MAX_PAGES: u32 = 500;

/// What to extract, beyond the configuration.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// This run's extract date.
    pub date: ExtractDate,
    /// Fetch every album again.
    pub full: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// What the extraction did. The manifest is already written.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// The merged manifest of the day.
    pub manifest: Manifest,
    /// Objects fetched by this run.
    pub fetched: Fetched,
    /// Albums reused (copied or already in today's folder).
    pub reused_albums: u64,
    /// Skips of this run.
    pub skipped: Vec<Skip>,
    /// Why fetching stopped early, if it did.
    pub stop: Option<StopReason>,
    /// Artists not finished (ids), after merging the day's earlier runs.
    pub pending: Vec<String>,
}

#[derive(Deserialize)]
struct Page {
    items: Option<Vec<Box<RawValue>>>,
    total: Option<i64>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    id: Option<String>,
}

#[derive(Deserialize)]
struct ArtistHead {
    name: Option<String>,
    popularity: Option<IgnoredAny>,
    followers: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct AlbumHead {
    tracks: Option<TracksHead>,
}

#[derive(Deserialize)]
struct TracksHead {
    total: Option<i64>,
    items: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
struct PlaylistHead {
    items: Option<ItemsHead>,
    tracks: Option<ItemsHead>,
}

#[derive(Deserialize)]
struct ItemsHead {
    total: Option<i64>,
    items: Option<Vec<IgnoredAny>>,
}

/// The outcome of one album for the artists that list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AlbumOutcome {
    /// Its body is in today's folder.
    Done,
    /// Skipped (404, bad body...); counted.
    Skipped,
    /// Fetching stopped before it.
    Stopped,
}

struct Previous {
    snapshot: Snapshot,
    listing: Listing,
    manifest: Manifest,
}

struct Run<'a> {
    cfg: &'a SpotifyConfig,
    client: &'a SpotifyClient,
    writer: SnapshotWriter,
    opts: &'a ExtractOptions,
    previous: Option<Previous>,
    today_listing: Listing,
    today_manifest: Option<Manifest>,
    page_limit: AtomicU32,
    /// Whether a page of `page_limit` was accepted; until then one series
    /// at a time probes it, so the run pays for one refused page at most.
    page_limit_known: AtomicBool,
    probe: tokio::sync::Mutex<()>,
    extended: AtomicBool,
    albums: Mutex<HashMap<String, Arc<OnceCell<AlbumOutcome>>>>,
    album_records: Mutex<BTreeMap<String, ManifestAlbum>>,
    skipped: Mutex<Vec<Skip>>,
    /// Artists (by query) skipped because a request failed, not for want
    /// of a match: when every artist is here, the run fails.
    failed: Mutex<Vec<(String, RequestFailure)>>,
    fetched_artists: AtomicU64,
    fetched_albums: AtomicU64,
    fetched_playlists: AtomicU64,
    reused: AtomicU64,
    bar: indicatif::ProgressBar,
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn date_of(ts: &str) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc).date_naive())
}

/// Runs the extraction into the raw zone `raw` and writes the day's
/// manifest. A stop (quota, budget, deadline) is not an error: the
/// returned [`Extraction`] says so and lists the pending artists.
pub async fn extract(
    cfg: &SpotifyConfig,
    client: &SpotifyClient,
    raw: &Location,
    opts: &ExtractOptions,
) -> Result<Extraction, ExtractError> {
    let started_at = now_rfc3339();
    Run::open(cfg, client, raw, opts)
        .await?
        .go(started_at)
        .await
}

/// `run --dry-run`: what would be fetched, and the requests it expects
/// (from the previous snapshot when there is one). Sends no request but
/// search (and the token); writes nothing.
pub async fn dry_run(
    cfg: &SpotifyConfig,
    client: &SpotifyClient,
    raw: &Location,
    opts: &ExtractOptions,
) -> Result<Plan, ExtractError> {
    let run = Run::open(cfg, client, raw, opts).await?;
    let mut plan = Plan {
        previous: run.previous.as_ref().map(|p| p.snapshot.describe()),
        page_limit: run.page_limit.load(Ordering::SeqCst),
        artists: Vec::new(),
        playlists: cfg.playlists.len() as u64,
        search_requests: 0,
    };
    for spec in &cfg.artists {
        let before = client.requests_sent();
        let resolved = run.resolve(spec).await?;
        plan.search_requests += client.requests_sent() - before;
        plan.artists.push(run.plan_artist(&resolved).await);
    }
    Ok(plan)
}

/// The fetch plan of a dry run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The snapshot reused from, if any.
    pub previous: Option<String>,
    /// The artist-albums page size that will be used.
    pub page_limit: u32,
    /// One line per artist.
    pub artists: Vec<ArtistPlan>,
    /// Playlists requested (one GET each, plus item pages where served).
    pub playlists: u64,
    /// Searches the dry run itself sent.
    pub search_requests: u64,
}

/// One artist of a [`Plan`].
#[derive(Debug, Clone)]
pub struct ArtistPlan {
    /// As configured.
    pub query: String,
    /// The resolved id, if any.
    pub artist_id: Option<String>,
    /// How it was (or will be) resolved.
    pub resolved_by: String,
    /// Albums listed in the previous snapshot; `None` when unknown.
    pub albums_listed: Option<u64>,
    /// Albums to fetch (new or due), of those known.
    pub albums_to_fetch: u64,
    /// Albums to reuse.
    pub albums_reused: u64,
    /// Requests expected: search (if by name), artist, album pages,
    /// album GETs, extra track pages. A lower bound when nothing is known.
    pub requests: u64,
}

impl Plan {
    /// All requests expected, with the token and the playlists.
    pub fn total_requests(&self) -> u64 {
        1 + self.playlists + self.artists.iter().map(|a| a.requests).sum::<u64>()
    }
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "dry run: nothing is written; only search requests were sent ({})",
            self.search_requests
        )?;
        match &self.previous {
            Some(p) => writeln!(
                f,
                "previous snapshot: {p} (album bodies reused from it unless due)"
            )?,
            None => writeln!(
                f,
                "previous snapshot: none (a cold run: every album is fetched)"
            )?,
        }
        writeln!(f, "album page size: {}", self.page_limit)?;
        writeln!(
            f,
            "{:<28} {:<24} {:<11} {:>7} {:>6} {:>6} {:>9}",
            "artist", "id", "resolved", "listed", "fetch", "reuse", "requests"
        )?;
        for a in &self.artists {
            let listed = a.albums_listed.map_or("?".to_owned(), |n| n.to_string());
            writeln!(
                f,
                "{:<28} {:<24} {:<11} {:>7} {:>6} {:>6} {:>9}",
                a.query.chars().take(28).collect::<String>(),
                a.artist_id.as_deref().unwrap_or("-"),
                a.resolved_by,
                listed,
                a.albums_to_fetch,
                a.albums_reused,
                if a.albums_listed.is_some() {
                    a.requests.to_string()
                } else {
                    format!(">={}", a.requests)
                }
            )?;
        }
        writeln!(
            f,
            "playlists: {} (1 request each, plus item pages where served)",
            self.playlists
        )?;
        writeln!(
            f,
            "expected requests: {} (token included)",
            self.total_requests()
        )
    }
}

#[derive(Deserialize)]
struct ListedAlbums {
    groups: BTreeMap<String, Option<Vec<Option<ListedAlbum>>>>,
}

#[derive(Deserialize)]
struct ListedAlbum {
    id: Option<String>,
    total_tracks: Option<i64>,
}

fn progress_bar(show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} artists {bar:25} {pos}/{len} {msg} {elapsed}",
        )
        .expect("the progress template is valid"),
    );
    bar
}

/// An artist as resolved for this run.
#[derive(Debug, Clone)]
struct Resolved {
    query: String,
    id: Option<SpotifyId>,
    name: Option<String>,
    by: &'static str,
}

impl<'a> Run<'a> {
    async fn open(
        cfg: &'a SpotifyConfig,
        client: &'a SpotifyClient,
        raw: &Location,
        opts: &'a ExtractOptions,
    ) -> Result<Run<'a>, ExtractError> {
        let writer = SnapshotWriter::new(raw, opts.date);
        let today = writer.snapshot();
        let mut today_listing = today.list().await?;
        // A first run of the day has no folder yet: an empty listing.
        today_listing.skipped.clear();
        let today_manifest = today.manifest(&today_listing).await.unwrap_or(None);
        let previous = match Snapshot::previous(raw, opts.date).await? {
            Some(snapshot) => {
                let mut listing = snapshot.list().await?;
                listing.skipped.clear();
                let manifest = snapshot
                    .manifest(&listing)
                    .await
                    .unwrap_or(None)
                    .unwrap_or_default();
                tracing::info!(previous = %snapshot.describe(), albums = listing.of(ObjectKind::Album).len(), "Reusing album bodies from the previous snapshot.");
                Some(Previous {
                    snapshot,
                    listing,
                    manifest,
                })
            }
            None => None,
        };
        let known_limit = [
            today_manifest.as_ref(),
            previous.as_ref().map(|p| &p.manifest),
        ]
        .into_iter()
        .flatten()
        .find_map(|m| m.album_page_limit)
        .filter(|l| (1..=MAX_ALBUM_PAGE).contains(l))
        .unwrap_or(MAX_ALBUM_PAGE);
        Ok(Run {
            cfg,
            client,
            writer,
            opts,
            previous,
            today_listing,
            today_manifest,
            page_limit: AtomicU32::new(known_limit),
            page_limit_known: AtomicBool::new(known_limit <= DEV_ALBUM_PAGE),
            probe: tokio::sync::Mutex::new(()),
            extended: AtomicBool::new(false),
            albums: Mutex::new(HashMap::new()),
            album_records: Mutex::new(BTreeMap::new()),
            skipped: Mutex::new(Vec::new()),
            failed: Mutex::new(Vec::new()),
            fetched_artists: AtomicU64::new(0),
            fetched_albums: AtomicU64::new(0),
            fetched_playlists: AtomicU64::new(0),
            reused: AtomicU64::new(0),
            bar: progress_bar(opts.progress),
        })
    }

    /// A dry run's estimate for one artist, from the previous snapshot's
    /// album listing (SPOTIFY_API.md §7).
    async fn plan_artist(&self, r: &Resolved) -> ArtistPlan {
        let search = u64::from(matches!(r.by, "exact" | "first_hit" | "search"));
        let mut plan = ArtistPlan {
            query: r.query.clone(),
            artist_id: r.id.as_ref().map(ToString::to_string),
            resolved_by: r.by.to_owned(),
            albums_listed: None,
            albums_to_fetch: 0,
            albums_reused: 0,
            requests: search,
        };
        let Some(id) = &r.id else {
            return plan;
        };
        let groups = self.cfg.include_groups.len() as u64;
        let listed = match &self.previous {
            Some(prev) => match prev.listing.of(ObjectKind::ArtistAlbums).get(id) {
                Some(path) => prev
                    .snapshot
                    .read(path)
                    .await
                    .ok()
                    .and_then(|b| serde_json::from_slice::<ListedAlbums>(&b).ok()),
                None => None,
            },
            None => None,
        };
        let Some(listed) = listed else {
            plan.requests += 1 + groups;
            return plan;
        };
        let limit = u64::from(self.page_limit.load(Ordering::SeqCst));
        let mut pages = 0;
        let mut seen = HashSet::new();
        for group in &self.cfg.include_groups {
            let albums: Vec<&ListedAlbum> = listed
                .groups
                .get(group.as_str())
                .into_iter()
                .flatten()
                .flatten()
                .flatten()
                .collect();
            pages += (albums.len() as u64).div_ceil(limit).max(1);
            for album in albums {
                let Some(aid) = album.id.as_deref() else {
                    continue;
                };
                if !seen.insert(aid.to_owned()) {
                    continue;
                }
                if self.reusable(aid) && !self.opts.full {
                    plan.albums_reused += 1;
                } else {
                    plan.albums_to_fetch += 1;
                    let t = album.total_tracks.unwrap_or(0).max(0) as u64;
                    plan.requests += 1 + t.div_ceil(50).saturating_sub(1);
                }
            }
        }
        plan.albums_listed = Some(seen.len() as u64);
        plan.requests += 1 + pages;
        plan
    }

    fn skip(&self, kind: &str, id: impl Into<String>, reason: impl Into<String>) {
        let skip = Skip::new(kind, id, reason);
        self.skipped
            .lock()
            .expect("skip lock is never poisoned")
            .push(skip);
    }

    /// Notes that an artist was skipped because a request failed.
    fn failed(&self, query: &str, failure: RequestFailure) {
        self.failed
            .lock()
            .expect("failure lock is never poisoned")
            .push((query.to_owned(), failure));
    }

    /// The URL of a request as errors show it: no query, no password.
    fn shown_url(&self, path: &str) -> String {
        let mut url = match self.cfg.api_base_url.join(path) {
            Ok(url) => url,
            Err(_) => self.cfg.api_base_url.clone(),
        };
        url.set_query(None);
        shown(url)
    }

    /// A failure from an answer's status.
    fn status_failure(&self, path: &str, status: u16, body: &str) -> RequestFailure {
        RequestFailure::Status {
            url: self.shown_url(path),
            status,
            message: super::spotify_message(body),
        }
    }

    /// A failure from a request's error, if the error is one (a failed
    /// transport, 5xx past the retries, bodies that never parse).
    fn error_failure(&self, e: &ExtractError) -> Option<RequestFailure> {
        match e {
            ExtractError::Transient {
                path,
                status: Some(status),
                last,
                ..
            } => {
                let body = last
                    .strip_prefix(&format!("HTTP {status}: "))
                    .unwrap_or(last);
                Some(self.status_failure(path, *status, body))
            }
            ExtractError::Transient {
                path,
                tries,
                status: None,
                last,
            } => {
                let base = &self.cfg.api_base_url;
                let host = match (base.host_str(), base.port_or_known_default()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_owned(),
                    (None, _) => shown(base.clone()),
                };
                Some(RequestFailure::Unreachable {
                    url: self.shown_url(path),
                    host,
                    tries: *tries,
                    message: last.clone(),
                })
            }
            ExtractError::BadBody {
                path,
                tries,
                message,
            } => Some(RequestFailure::BadBody {
                url: self.shown_url(path),
                tries: *tries,
                message: message.clone(),
            }),
            _ => None,
        }
    }

    /// A name that search did not resolve: one counted skip, and a record
    /// with no id (status `not_found` in the manifest).
    fn unresolved(&self, query: String, reason: String) -> Resolved {
        self.skip("artist", query.as_str(), reason);
        Resolved {
            query,
            id: None,
            name: None,
            by: "search",
        }
    }

    fn progress(&self) {
        let stats = self.client.stats();
        self.bar.set_message(format!(
            "albums {} fetched {} reused, requests {}, 429 waits {}",
            self.fetched_albums.load(Ordering::Relaxed),
            self.reused.load(Ordering::Relaxed),
            stats.requests.total,
            stats.waits
        ));
    }

    async fn go(self, started_at: String) -> Result<Extraction, ExtractError> {
        // Playlists first: with playlist_artists they add artists.
        let mut playlist_records = Vec::new();
        let mut playlist_artist_ids: Vec<SpotifyId> = Vec::new();
        for playlist in &self.cfg.playlists {
            match self.playlist(playlist, &mut playlist_artist_ids).await {
                Ok(record) => playlist_records.push(record),
                Err(ExtractError::Stopped(_)) => playlist_records.push(ManifestPlaylist {
                    playlist_id: Some(playlist.to_string()),
                    status: Some("pending".into()),
                    http_status: None,
                }),
                Err(e) => return Err(e),
            }
        }

        let mut resolved = Vec::new();
        for spec in &self.cfg.artists {
            match self.resolve(spec).await {
                Ok(r) => resolved.push(r),
                Err(ExtractError::Stopped(_)) => resolved.push(Resolved {
                    query: spec.query(),
                    id: None,
                    name: None,
                    by: "pending",
                }),
                Err(e) => return Err(e),
            }
        }
        if self.cfg.playlist_artists {
            for id in playlist_artist_ids {
                if !resolved.iter().any(|r| r.id.as_ref() == Some(&id)) {
                    resolved.push(Resolved {
                        query: id.to_string(),
                        id: Some(id),
                        name: None,
                        by: "playlist",
                    });
                }
            }
        }

        let done_today: HashSet<String> = if self.opts.full {
            HashSet::new()
        } else {
            self.today_manifest
                .as_ref()
                .and_then(|m| m.artists.as_ref())
                .into_iter()
                .flatten()
                .filter(|a| a.status.as_deref() == Some("complete"))
                .filter_map(|a| a.artist_id.clone())
                .collect()
        };
        self.bar.set_length(resolved.len() as u64);
        let queries: Vec<String> = resolved.iter().map(|r| r.query.clone()).collect();
        let this = &self;
        let records: Vec<ManifestArtist> = futures::stream::iter(resolved.into_iter().map(|r| {
            let done =
                r.id.as_ref()
                    .is_some_and(|id| done_today.contains(id.as_str()));
            async move {
                let record = if done {
                    tracing::info!(artist = %r.query, "Already extracted today; kept.");
                    Ok(record(&r, "complete"))
                } else {
                    this.artist(r).await
                };
                this.bar.inc(1);
                this.progress();
                record
            }
        }))
        // `buffered` keeps the configured order in the manifest.
        .buffered(self.cfg.concurrency.get())
        .try_collect()
        .await?;
        self.bar.finish_and_clear();
        self.fail_if_nothing_extracted(&queries)?;

        let manifest = self.manifest(started_at, records, playlist_records);
        self.writer.put_manifest(&manifest).await?;
        let pending: Vec<String> = manifest
            .artists
            .iter()
            .flatten()
            .filter(|a| a.status.as_deref() == Some("pending"))
            .map(|a| a.artist_id.clone().or(a.query.clone()).unwrap_or_default())
            .collect();
        let skipped =
            std::mem::take(&mut *self.skipped.lock().expect("skip lock is never poisoned"));
        Ok(Extraction {
            manifest,
            fetched: Fetched {
                artists: self.fetched_artists.load(Ordering::SeqCst),
                albums: self.fetched_albums.load(Ordering::SeqCst),
                playlists: self.fetched_playlists.load(Ordering::SeqCst),
            },
            reused_albums: self.reused.load(Ordering::SeqCst),
            skipped,
            stop: self.client.stopped(),
            pending,
        })
    }

    /// A run in which every artist was skipped because a request failed
    /// (never for want of a match), and nothing else was fetched, is a
    /// failure rather than a complete run with nothing: the API is out of
    /// reach (a wrong base URL, an unreachable host, an outage). No
    /// manifest is written for it, so the day's folder (absent, or an
    /// earlier run's) stays as it was, and it cannot become the previous
    /// snapshot of a later run.
    fn fail_if_nothing_extracted(&self, queries: &[String]) -> Result<(), ExtractError> {
        let failed =
            std::mem::take(&mut *self.failed.lock().expect("failure lock is never poisoned"));
        let fetched = self.fetched_artists.load(Ordering::SeqCst)
            + self.fetched_playlists.load(Ordering::SeqCst);
        let all_failed = !queries.is_empty()
            && queries
                .iter()
                .all(|q| failed.iter().any(|(query, _)| query == q));
        if !all_failed || fetched > 0 {
            return Ok(());
        }
        let first = queries
            .iter()
            .find_map(|q| failed.iter().find(|(query, _)| query == q))
            .map(|(_, failure)| failure.clone());
        match first {
            Some(failure) => Err(ExtractError::NothingExtracted {
                artists: queries.len(),
                api_base: shown(self.cfg.api_base_url.clone()),
                failure,
            }),
            None => Ok(()),
        }
    }

    /// Merges this run into the day's manifest; nothing an earlier run of
    /// the day recorded is dropped.
    fn manifest(
        &self,
        started_at: String,
        artists: Vec<ManifestArtist>,
        playlists: Vec<ManifestPlaylist>,
    ) -> Manifest {
        let old = self.today_manifest.clone().unwrap_or_default();
        let mut merged_artists: Vec<ManifestArtist> = old.artists.unwrap_or_default();
        for a in artists {
            let same = |o: &ManifestArtist| match (&o.artist_id, &a.artist_id) {
                (Some(x), Some(y)) => x == y,
                _ => o.query == a.query,
            };
            match merged_artists.iter_mut().find(|o| same(o)) {
                Some(o) => *o = a,
                None => merged_artists.push(a),
            }
        }
        let mut albums = old.albums.unwrap_or_default();
        albums.extend(std::mem::take(
            &mut *self
                .album_records
                .lock()
                .expect("record lock is never poisoned"),
        ));
        let mut merged_playlists = old.playlists.unwrap_or_default();
        for p in playlists {
            match merged_playlists
                .iter_mut()
                .find(|o| o.playlist_id == p.playlist_id)
            {
                Some(o) => *o = p,
                None => merged_playlists.push(p),
            }
        }
        let mut skipped = old.skipped.unwrap_or_default();
        for s in self
            .skipped
            .lock()
            .expect("skip lock is never poisoned")
            .iter()
        {
            if !skipped.contains(s) {
                skipped.push(s.clone());
            }
        }
        let mut requests = old.requests.unwrap_or_default();
        super::merge_requests(&mut requests, &self.client.stats().requests);
        let stop = self.client.stopped();
        let partial = merged_artists
            .iter()
            .any(|a| a.status.as_deref() == Some("pending"))
            || merged_playlists
                .iter()
                .any(|p| p.status.as_deref() == Some("pending"));
        let mode = if self.extended.load(Ordering::SeqCst) {
            "extended".to_owned()
        } else if self.fetched_artists.load(Ordering::SeqCst) == 0 {
            old.mode.unwrap_or_else(|| "development".into())
        } else {
            "development".to_owned()
        };
        Manifest {
            format: Some(1),
            extract_date: Some(self.opts.date.to_string()),
            status: Some(if partial { "partial" } else { "complete" }.into()),
            stop_reason: stop.map(|s| s.as_str().to_owned()),
            retry_after_seconds: match stop {
                Some(StopReason::Quota { retry_after }) => Some(retry_after),
                _ => None,
            },
            started_at: Some(old.started_at.unwrap_or(started_at)),
            ended_at: Some(now_rfc3339()),
            mode: Some(mode),
            album_page_limit: Some(self.page_limit.load(Ordering::SeqCst)),
            requested: Some(Requested {
                artists: Some(self.cfg.artists.iter().map(ArtistSpec::query).collect()),
                playlists: Some(self.cfg.playlists.iter().map(ToString::to_string).collect()),
                include_groups: Some(
                    self.cfg
                        .include_groups
                        .iter()
                        .map(|g| g.as_str().to_owned())
                        .collect(),
                ),
                market: Some(self.cfg.market.clone()),
                full: Some(self.opts.full),
            }),
            artists: Some(merged_artists),
            albums: Some(albums),
            playlists: Some(merged_playlists),
            skipped: Some(skipped),
            requests: Some(requests),
        }
    }

    /// An id as given; a name from the day's or the previous manifest, else
    /// by search (the exact, case-insensitive match, else the first hit).
    async fn resolve(&self, spec: &ArtistSpec) -> Result<Resolved, ExtractError> {
        let query = spec.query();
        let name = match spec {
            ArtistSpec::Id(id) => {
                return Ok(Resolved {
                    query,
                    id: Some(id.clone()),
                    name: None,
                    by: "id",
                });
            }
            ArtistSpec::Name(name) => name,
        };
        let earlier = [
            self.today_manifest.as_ref(),
            self.previous.as_ref().map(|p| &p.manifest),
        ]
        .into_iter()
        .flatten()
        .flat_map(|m| m.artists.iter().flatten())
        .find(|a| {
            a.query.as_deref() == Some(name.as_str()) && a.status.as_deref() != Some("not_found")
        })
        .and_then(|a| {
            let id = SpotifyId::parse(IdKind::Artist, a.artist_id.as_deref()?).ok()?;
            Some((id, a.artist_name.clone()))
        });
        if let Some((id, found)) = earlier {
            tracing::info!(query = %name, artist = %id, "Resolved from an earlier manifest; no search.");
            return Ok(Resolved {
                query,
                id: Some(id),
                name: found,
                by: "previous",
            });
        }
        let q = [
            ("q", name.clone()),
            ("type", "artist".to_owned()),
            ("limit", "10".to_owned()),
        ];
        let hits = match self
            .client
            .get::<SearchBody>(Endpoint::Search, "search", &q)
            .await
        {
            Ok(Answer::Ok(body, _)) => body.artists.and_then(|p| p.items).unwrap_or_default(),
            Ok(Answer::Status { status: 403, body }) => {
                return Err(ExtractError::forbidden("search", &body));
            }
            // One skip per artist: a failed search is not also "no match".
            // A 400 refuses this query (like no match, it is the artist's);
            // any other status is the API's.
            Ok(Answer::Status { status, body }) => {
                if status != 400 {
                    self.failed(&query, self.status_failure("search", status, &body));
                }
                return Ok(self.unresolved(query, format!("search answered HTTP {status}: {body}")));
            }
            Err(
                ref e @ (ExtractError::Transient { ref last, .. }
                | ExtractError::BadBody {
                    message: ref last, ..
                }),
            ) => {
                if let Some(failure) = self.error_failure(e) {
                    self.failed(&query, failure);
                }
                return Ok(self.unresolved(query, format!("search failed: {last}")));
            }
            Err(e) => return Err(e),
        };
        let (hits, invalid): (Vec<SearchHit>, Vec<SearchHit>) = hits
            .into_iter()
            .flatten()
            .partition(|h| SpotifyId::is_valid(&h.id));
        let exact = hits.iter().find(|h| {
            h.name
                .as_deref()
                .is_some_and(|n| n.to_lowercase() == name.to_lowercase())
        });
        let (hit, by) = match (exact, hits.first()) {
            (Some(h), _) => (h, "exact"),
            (None, Some(h)) => (h, "first_hit"),
            (None, None) if invalid.is_empty() => {
                return Ok(self.unresolved(
                    query,
                    "no artist matches this name on Spotify; check the spelling or pass its id"
                        .to_owned(),
                ));
            }
            (None, None) => {
                return Ok(self.unresolved(
                    query,
                    format!(
                        "search's {} hit(s) carry no valid Spotify id (22 base-62 characters), so none was taken; pass the artist's id",
                        invalid.len()
                    ),
                ));
            }
        };
        tracing::info!(query = %name, artist = %hit.id, name = hit.name.as_deref().unwrap_or(""), resolved_by = by, "Artist resolved by search.");
        let id = SpotifyId::parse(IdKind::Artist, &hit.id).expect("filtered to valid ids");
        Ok(Resolved {
            query,
            id: Some(id),
            name: hit.name.clone(),
            by,
        })
    }

    /// One artist: GET artist, its album pages, then each album.
    async fn artist(&self, r: Resolved) -> Result<ManifestArtist, ExtractError> {
        let Some(id) = r.id.clone() else {
            let status = if r.by == "pending" {
                "pending"
            } else {
                "not_found"
            };
            return Ok(record(&r, status));
        };
        match self.artist_inner(&r, &id).await {
            Ok(record) => Ok(record),
            Err(ExtractError::Stopped(reason)) => {
                tracing::warn!(artist = %id, reason = reason.as_str(), "Artist left pending.");
                Ok(record(&r, "pending"))
            }
            Err(e) => Err(e),
        }
    }

    async fn artist_inner(
        &self,
        r: &Resolved,
        id: &SpotifyId,
    ) -> Result<ManifestArtist, ExtractError> {
        let path = format!("artists/{id}");
        let name = match self
            .client
            .get::<ArtistHead>(Endpoint::Artist, &path, &[])
            .await
        {
            Ok(Answer::Ok(head, body)) => {
                if head.popularity.is_some() || head.followers.is_some() {
                    self.extended.store(true, Ordering::SeqCst);
                }
                self.writer.put_object(ObjectKind::Artist, id, body).await?;
                self.fetched_artists.fetch_add(1, Ordering::SeqCst);
                head.name
            }
            Ok(Answer::Status { status: 403, body }) => {
                return Err(ExtractError::forbidden(path, &body));
            }
            Ok(Answer::Status { status, body }) => {
                // A 400 refuses this id (the artist's); any other status,
                // a 404 included, may be the API's (a base URL without /v1/).
                if status != 400 {
                    self.failed(&r.query, self.status_failure(&path, status, &body));
                }
                self.skip(
                    "artist",
                    id.as_str(),
                    format!("GET {path} answered HTTP {status}: {body}"),
                );
                return Ok(record(r, "not_found"));
            }
            Err(
                ref e @ (ExtractError::Transient { ref last, .. }
                | ExtractError::BadBody {
                    message: ref last, ..
                }),
            ) => {
                if let Some(failure) = self.error_failure(e) {
                    self.failed(&r.query, failure);
                }
                self.skip(
                    "artist",
                    id.as_str(),
                    format!("GET {path} failed: {last}; the next run tries again"),
                );
                return Ok(record(r, "not_found"));
            }
            Err(e) => return Err(e),
        };
        let mut groups = serde_json::Map::new();
        let mut listed: Vec<(String, String)> = Vec::new();
        let mut seen = HashSet::new();
        for group in &self.cfg.include_groups {
            let items = self.album_series(id, group.as_str()).await?;
            for item in &items {
                if let Ok(Listed { id: Some(album) }) = serde_json::from_str::<Listed>(item.get())
                    && seen.insert(album.clone())
                {
                    listed.push((album, group.as_str().to_owned()));
                }
            }
            let values: Vec<serde_json::Value> = items
                .iter()
                .map(|i| serde_json::from_str(i.get()).unwrap_or(serde_json::Value::Null))
                .collect();
            groups.insert(group.as_str().to_owned(), serde_json::Value::Array(values));
        }
        let listing = serde_json::json!({ "groups": groups });
        self.writer
            .put_object(
                ObjectKind::ArtistAlbums,
                id,
                serde_json::to_vec(&listing).expect("JSON values serialise"),
            )
            .await?;

        let to_fetch = listed.iter().filter(|(a, _)| !self.reusable(a)).count() as u64;
        if let Some(max) = self.cfg.max_requests
            && self.client.requests_sent() + to_fetch > max
        {
            self.client.stop(StopReason::Budget);
            return Err(ExtractError::Stopped(StopReason::Budget));
        }
        let outcomes: Vec<AlbumOutcome> =
            futures::stream::iter(listed.iter().map(|(album, _)| self.album(album)))
                .buffer_unordered(self.cfg.concurrency.get())
                .try_collect()
                .await?;
        self.progress();
        if outcomes.contains(&AlbumOutcome::Stopped) {
            return Err(ExtractError::Stopped(
                self.client.stopped().unwrap_or(StopReason::Deadline),
            ));
        }
        tracing::info!(artist = %id, name = name.as_deref().unwrap_or(""), albums = listed.len(), "Artist extracted.");
        let mut rec = record(r, "complete");
        rec.artist_name = name.or(rec.artist_name);
        Ok(rec)
    }

    /// Every page of an artist's albums in one include group, at the largest
    /// page size the API accepts (stepping down once to 10 on a 400).
    async fn album_series(
        &self,
        artist: &SpotifyId,
        group: &str,
    ) -> Result<Vec<Box<RawValue>>, ExtractError> {
        let path = format!("artists/{artist}/albums");
        let mut items = Vec::new();
        let mut offset: u64 = 0;
        for _ in 0..MAX_PAGES {
            let probing = if self.page_limit_known.load(Ordering::SeqCst) {
                None
            } else {
                let guard = self.probe.lock().await;
                (!self.page_limit_known.load(Ordering::SeqCst)).then_some(guard)
            };
            let limit = self.page_limit.load(Ordering::SeqCst);
            let q = [
                ("include_groups", group.to_owned()),
                ("limit", limit.to_string()),
                ("offset", offset.to_string()),
            ];
            let answer = self
                .client
                .get::<Page>(Endpoint::ArtistAlbums, &path, &q)
                .await?;
            if probing.is_some() {
                // Accepted, or refused and stepped down to 10: known either way.
                self.page_limit_known.store(true, Ordering::SeqCst);
            }
            drop(probing);
            let page = match answer {
                Answer::Ok(page, _) => page,
                Answer::Status { status: 400, .. } if limit > DEV_ALBUM_PAGE => {
                    tracing::info!(
                        limit,
                        "Album page size refused (development mode); using 10 for the rest of the run."
                    );
                    self.page_limit.store(DEV_ALBUM_PAGE, Ordering::SeqCst);
                    continue;
                }
                Answer::Status { status: 403, body } => {
                    return Err(ExtractError::forbidden(path, &body));
                }
                Answer::Status { status, body } => {
                    self.skip(
                        "artist_albums",
                        artist.as_str(),
                        format!(
                            "GET {path} ({group}, offset {offset}) answered HTTP {status}: {body}"
                        ),
                    );
                    break;
                }
            };
            let n = page.items.as_ref().map_or(0, Vec::len) as u64;
            items.extend(page.items.unwrap_or_default());
            offset += u64::from(limit);
            let total = page.total.unwrap_or(0).max(0) as u64;
            if page.next.is_none() || n == 0 || offset >= total {
                break;
            }
        }
        Ok(items)
    }

    /// Whether an album's body can be taken without a request.
    fn reusable(&self, album: &str) -> bool {
        if self.opts.full {
            return false;
        }
        let Ok(id) = SpotifyId::parse(IdKind::Album, album) else {
            return false;
        };
        if self.today_listing.of(ObjectKind::Album).contains_key(&id) {
            return true;
        }
        self.previous_body(&id).is_some()
    }

    /// The previous snapshot's body of an album that is not due.
    fn previous_body(&self, id: &SpotifyId) -> Option<(&object_store::path::Path, Option<String>)> {
        let prev = self.previous.as_ref()?;
        let path = prev.listing.of(ObjectKind::Album).get(id)?;
        let fetched_at = prev
            .manifest
            .albums
            .as_ref()
            .and_then(|a| a.get(id.as_str()))
            .and_then(|a| a.fetched_at.clone())
            .or_else(|| prev.manifest.started_at.clone());
        let last = fetched_at
            .as_deref()
            .and_then(date_of)
            .unwrap_or(prev.snapshot.date().date());
        let is_due = due(
            id.as_str(),
            self.opts.date.date(),
            Some(last),
            self.cfg.reuse_days.get(),
            self.opts.full,
        );
        (!is_due).then_some((path, fetched_at))
    }

    /// One album, once per run whichever artists list it.
    async fn album(&self, album: &str) -> Result<AlbumOutcome, ExtractError> {
        let cell = {
            let mut map = self
                .albums
                .lock()
                .expect("album map lock is never poisoned");
            Arc::clone(map.entry(album.to_owned()).or_default())
        };
        cell.get_or_try_init(|| self.album_once(album))
            .await
            .copied()
    }

    async fn album_once(&self, album: &str) -> Result<AlbumOutcome, ExtractError> {
        let Ok(id) = SpotifyId::parse(IdKind::Album, album) else {
            self.skip(
                "album",
                album.chars().take(80).collect::<String>(),
                "listed with an id that is not a Spotify album id",
            );
            return Ok(AlbumOutcome::Skipped);
        };
        let record = |fetched_at: Option<String>, reused: bool| ManifestAlbum {
            fetched_at,
            reused: Some(reused),
        };
        if !self.opts.full && self.today_listing.of(ObjectKind::Album).contains_key(&id) {
            let earlier = self
                .today_manifest
                .as_ref()
                .and_then(|m| m.albums.as_ref())
                .and_then(|a| a.get(album))
                .cloned();
            self.album_records
                .lock()
                .expect("record lock is never poisoned")
                .insert(
                    album.to_owned(),
                    earlier.unwrap_or_else(|| record(None, true)),
                );
            self.reused.fetch_add(1, Ordering::SeqCst);
            return Ok(AlbumOutcome::Done);
        }
        if let Some((path, fetched_at)) = self.previous_body(&id) {
            self.writer.copy_object(ObjectKind::Album, path).await?;
            self.album_records
                .lock()
                .expect("record lock is never poisoned")
                .insert(album.to_owned(), record(fetched_at, true));
            self.reused.fetch_add(1, Ordering::SeqCst);
            return Ok(AlbumOutcome::Done);
        }
        match self.fetch_album(&id).await {
            Ok(Some(body)) => {
                let fetched_at = now_rfc3339();
                self.writer.put_object(ObjectKind::Album, &id, body).await?;
                self.album_records
                    .lock()
                    .expect("record lock is never poisoned")
                    .insert(album.to_owned(), record(Some(fetched_at), false));
                self.fetched_albums.fetch_add(1, Ordering::SeqCst);
                Ok(AlbumOutcome::Done)
            }
            Ok(None) => Ok(AlbumOutcome::Skipped),
            Err(ExtractError::Stopped(_)) => Ok(AlbumOutcome::Stopped),
            Err(e @ (ExtractError::Transient { .. } | ExtractError::BadBody { .. })) => {
                self.skip(
                    "album",
                    id.as_str(),
                    format!("{e}; the next run fetches it"),
                );
                Ok(AlbumOutcome::Skipped)
            }
            Err(e) => Err(e),
        }
    }

    /// GET the album and its track pages past the first; `None` is a skip.
    async fn fetch_album(&self, id: &SpotifyId) -> Result<Option<String>, ExtractError> {
        let path = format!("albums/{id}");
        let (head, body) = match self
            .client
            .get::<AlbumHead>(Endpoint::Album, &path, &[])
            .await?
        {
            Answer::Ok(head, body) => (head, body),
            Answer::Status { status: 403, body } => {
                return Err(ExtractError::forbidden(path, &body));
            }
            Answer::Status { status, body } => {
                self.skip(
                    "album",
                    id.as_str(),
                    format!("GET {path} answered HTTP {status}: {body}"),
                );
                return Ok(None);
            }
        };
        let tracks = head.tracks.as_ref();
        let have = tracks.and_then(|t| t.items.as_ref()).map_or(0, Vec::len) as u64;
        let total = tracks.and_then(|t| t.total).unwrap_or(0).max(0) as u64;
        if have >= total {
            return Ok(Some(body));
        }
        let tracks_path = format!("albums/{id}/tracks");
        let extra = match self
            .item_pages(Endpoint::AlbumTracks, &tracks_path, have, total)
            .await?
        {
            Ok(items) => items,
            Err((403, body)) => {
                return Err(ExtractError::forbidden(tracks_path, &body));
            }
            Err((status, body)) => {
                self.skip("album", id.as_str(), format!("GET {tracks_path} answered HTTP {status}: {body}; the album is left out rather than written short"));
                return Ok(None);
            }
        };
        Ok(Some(complete_items(&body, &["tracks"], extra)))
    }

    /// Pages `path` from `offset` in pages of 50 until `total`.
    async fn item_pages(
        &self,
        endpoint: Endpoint,
        path: &str,
        mut offset: u64,
        total: u64,
    ) -> Result<Result<Vec<Box<RawValue>>, (u16, String)>, ExtractError> {
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            if offset >= total {
                break;
            }
            let q = [
                ("limit", ITEM_PAGE.to_string()),
                ("offset", offset.to_string()),
            ];
            match self.client.get::<Page>(endpoint, path, &q).await? {
                Answer::Ok(page, _) => {
                    let n = page.items.as_ref().map_or(0, Vec::len);
                    items.extend(page.items.unwrap_or_default());
                    if n == 0 {
                        break;
                    }
                    offset += u64::from(ITEM_PAGE);
                }
                Answer::Status { status, body } => return Ok(Err((status, body))),
            }
        }
        Ok(Ok(items))
    }

    /// One playlist: GET it, page its items where allowed; a 403/404 is
    /// recorded and the run goes on.
    async fn playlist(
        &self,
        id: &SpotifyId,
        artists: &mut Vec<SpotifyId>,
    ) -> Result<ManifestPlaylist, ExtractError> {
        let path = format!("playlists/{id}");
        let rec = |status: &str, http: u16| ManifestPlaylist {
            playlist_id: Some(id.to_string()),
            status: Some(status.to_owned()),
            http_status: Some(http),
        };
        let answer = match self
            .client
            .get::<PlaylistHead>(Endpoint::Playlist, &path, &[])
            .await
        {
            Ok(a) => a,
            Err(
                ExtractError::Transient { last, .. } | ExtractError::BadBody { message: last, .. },
            ) => {
                self.skip(
                    "playlist",
                    id.as_str(),
                    format!("GET {path} failed: {last}"),
                );
                return Ok(rec("not_found", 0));
            }
            Err(e) => return Err(e),
        };
        let (head, body) = match answer {
            Answer::Ok(head, body) => (head, body),
            Answer::Status { status: 404, .. } => {
                self.skip("playlist", id.as_str(), "not found (404): unknown, private or a Spotify editorial playlist, which apps cannot read");
                return Ok(rec("not_found", 404));
            }
            Answer::Status { status: 403, .. } => {
                self.skip("playlist", id.as_str(), "contents unavailable (403): development mode serves only playlists the app's user owns");
                return Ok(rec("contents_unavailable", 403));
            }
            Answer::Status { status, body } => {
                self.skip(
                    "playlist",
                    id.as_str(),
                    format!("GET {path} answered HTTP {status}: {body}"),
                );
                return Ok(rec("not_found", status));
            }
        };
        // 2026 shape `items`, older `tracks`.
        let (key, container) = match (&head.items, &head.tracks) {
            (Some(c), _) if c.items.is_some() => ("items", c),
            (_, Some(c)) if c.items.is_some() => ("tracks", c),
            _ => {
                self.writer
                    .put_object(ObjectKind::Playlist, id, body)
                    .await?;
                self.fetched_playlists.fetch_add(1, Ordering::SeqCst);
                tracing::info!(playlist = %id, "Playlist metadata only (development mode serves no items).");
                return Ok(rec("contents_unavailable", 200));
            }
        };
        let have = container.items.as_ref().map_or(0, Vec::len) as u64;
        let total = container.total.unwrap_or(0).max(0) as u64;
        let (body, status) = if have < total {
            let items_path = format!("playlists/{id}/items");
            match self
                .item_pages(Endpoint::PlaylistItems, &items_path, have, total)
                .await?
            {
                Ok(extra) => (complete_items(&body, &[key], extra), rec("ok", 200)),
                Err((status, _)) => {
                    self.skip("playlist", id.as_str(), format!("item pages answered HTTP {status}: only the first {have} of {total} items were kept"));
                    (body, rec("contents_unavailable", status))
                }
            }
        } else {
            (body, rec("ok", 200))
        };
        for artist in playlist_artists(&body) {
            if !artists.contains(&artist) {
                artists.push(artist);
            }
        }
        self.writer
            .put_object(ObjectKind::Playlist, id, body)
            .await?;
        self.fetched_playlists.fetch_add(1, Ordering::SeqCst);
        Ok(status)
    }
}

/// A URL as errors show it: without its password.
fn shown(url: url::Url) -> String {
    crate::store::without_password(url.as_str())
}

fn record(r: &Resolved, status: &str) -> ManifestArtist {
    ManifestArtist {
        query: Some(r.query.clone()),
        artist_id: r.id.as_ref().map(ToString::to_string),
        artist_name: r.name.clone(),
        resolved_by: Some(r.by.to_owned()),
        status: Some(status.to_owned()),
    }
}

/// The body with `<key>.items` extended by the extra pages' items; every
/// other byte of meaning is kept as returned.
fn complete_items(body: &str, key: &[&str], extra: Vec<Box<RawValue>>) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.to_owned();
    };
    let mut target = &mut value;
    for k in key {
        target = &mut target[*k];
    }
    if let Some(items) = target.get_mut("items").and_then(|i| i.as_array_mut()) {
        items.extend(
            extra
                .iter()
                .map(|r| serde_json::from_str(r.get()).unwrap_or(serde_json::Value::Null)),
        );
    }
    serde_json::to_string(&value).expect("JSON values serialise")
}

/// Every valid artist id on a playlist body's tracks (both shapes).
fn playlist_artists(body: &str) -> Vec<SpotifyId> {
    let Ok(playlist) = serde_json::from_str::<crate::raw::model::Playlist>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in playlist.entries().unwrap_or_default().iter().flatten() {
        for artist in item
            .track()
            .and_then(|t| t.artists.as_ref())
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Some(id) = artist
                .id
                .as_deref()
                .and_then(|a| SpotifyId::parse(IdKind::Artist, a).ok())
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completing_items_keeps_the_rest_of_the_body() {
        let body = r#"{"id":"a","tracks":{"total":3,"items":[{"n":1}],"next":"x"},"label":null}"#;
        let extra: Vec<Box<RawValue>> = vec![
            RawValue::from_string(r#"{"n":2}"#.into()).unwrap(),
            RawValue::from_string(r#"{"n":3}"#.into()).unwrap(),
        ];
        let out: serde_json::Value =
            serde_json::from_str(&complete_items(body, &["tracks"], extra)).unwrap();
        assert_eq!(out["tracks"]["items"].as_array().unwrap().len(), 3);
        assert_eq!(out["tracks"]["items"][2]["n"], 3);
        assert!(out["label"].is_null() && out["tracks"]["next"] == "x");
    }

    #[test]
    fn playlist_artists_come_from_both_shapes() {
        let a = "3TVXtAsR1Inumwj472S9r4";
        let new = format!(
            r#"{{"id":"p","items":{{"items":[{{"item":{{"artists":[{{"id":"{a}"}},{{"id":"bad"}}]}}}},{{"item":null}}]}}}}"#
        );
        let old = format!(
            r#"{{"id":"p","tracks":{{"items":[{{"track":{{"artists":[{{"id":"{a}"}}]}}}}]}}}}"#
        );
        for body in [new, old] {
            let ids = playlist_artists(&body);
            assert_eq!(ids.len(), 1);
            assert_eq!(ids[0].as_str(), a);
        }
    }
}
