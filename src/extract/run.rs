//! The extraction run: playlists first (they may add artists), then each
//! artist resolved, then the artists side by side ([`super::artist`]); at
//! the end the day's manifest, this run merged into any earlier one of the
//! same date. [`Run`] holds what the jobs share: the configuration, the
//! session, the writer, what earlier runs left, the page size, the albums
//! and the tally, each in its own module.

use std::collections::HashSet;

use futures::{StreamExt as _, TryStreamExt as _};

use super::ExtractError;
use super::albums::Albums;
use super::artist::artist;
use super::earlier::{Earlier, ReuseRule};
use super::error::shown;
use super::pages::PageSize;
use super::playlists::{playlist, record as playlist_record};
use super::resolve::{Resolved, Resolver};
use super::session::{Session, StopReason, merge_requests};
use super::tally::Tally;
use crate::config::{ArtistSpec, SpotifyConfig};
use crate::ids::{ExtractDate, SpotifyId};
use crate::raw::SnapshotWriter;
use crate::raw::manifest::{
    ArtistStatus, Manifest, ManifestArtist, ManifestPlaylist, PlaylistStatus, Requested, RunStatus,
};
use crate::store::Location;
use crate::summary::{Fetched, Skip};

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

/// What the jobs of one run share.
pub(super) struct Run<'a> {
    pub cfg: &'a SpotifyConfig,
    pub session: &'a Session<'a>,
    pub opts: &'a ExtractOptions,
    pub writer: SnapshotWriter,
    pub earlier: Earlier,
    pub pages: PageSize,
    pub albums: Albums,
    pub tally: Tally,
}

pub(super) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Runs the extraction into the raw zone `raw` and writes the day's
/// manifest. A stop (quota, budget, deadline) is not an error: the
/// returned [`Extraction`] says so and lists the pending artists.
pub async fn extract(
    cfg: &SpotifyConfig,
    session: &Session<'_>,
    raw: &Location,
    opts: &ExtractOptions,
) -> Result<Extraction, ExtractError> {
    let started_at = now_rfc3339();
    let run = Run::open(cfg, session, raw, opts).await?;
    let (playlists, playlist_artists) = run.playlists().await?;
    let resolved = run.resolve_all(playlist_artists).await?;
    let queries: Vec<String> = resolved.iter().map(|r| r.query.clone()).collect();
    let artists = run.artists(resolved).await?;
    run.fail_if_nothing_extracted(&queries)?;

    let manifest = run.manifest(started_at, artists, playlists);
    run.writer.put_manifest(&manifest).await?;
    let pending: Vec<String> = manifest
        .artists
        .iter()
        .flatten()
        .filter(|a| a.is_pending())
        .map(|a| a.artist_id.clone().or(a.query.clone()).unwrap_or_default())
        .collect();
    Ok(Extraction {
        fetched: run.tally.fetched(),
        reused_albums: run.tally.reused(),
        skipped: run.tally.skips(),
        stop: session.stopped(),
        pending,
    })
}

impl<'a> Run<'a> {
    pub async fn open(
        cfg: &'a SpotifyConfig,
        session: &'a Session<'a>,
        raw: &Location,
        opts: &'a ExtractOptions,
    ) -> Result<Run<'a>, ExtractError> {
        let writer = SnapshotWriter::new(raw, opts.date);
        let earlier = Earlier::open(raw, &writer.snapshot(), opts.date).await?;
        Ok(Run {
            cfg,
            session,
            opts,
            writer,
            pages: PageSize::new(&earlier),
            earlier,
            albums: Albums::default(),
            tally: Tally::default(),
        })
    }

    /// How this run treats album bodies found earlier.
    pub fn reuse_rule(&self) -> ReuseRule {
        ReuseRule {
            date: self.opts.date,
            reuse_days: self.cfg.reuse_days.get(),
            full: self.opts.full,
        }
    }

    pub fn resolver(&self) -> Resolver<'_> {
        Resolver {
            session: self.session,
            earlier: &self.earlier,
            tally: &self.tally,
            api_base: &self.cfg.api_base_url,
        }
    }

    /// Every configured playlist's record, and the artists on their tracks.
    async fn playlists(&self) -> Result<(Vec<ManifestPlaylist>, Vec<SpotifyId>), ExtractError> {
        let mut records = Vec::new();
        let mut artists: Vec<SpotifyId> = Vec::new();
        for id in &self.cfg.playlists {
            match playlist(self, id, &mut artists).await {
                Ok(record) => records.push(record),
                Err(ExtractError::Stopped(_)) => {
                    records.push(playlist_record(id, PlaylistStatus::Pending, None));
                }
                Err(e) => return Err(e),
            }
        }
        Ok((records, artists))
    }

    /// The configured artists resolved, in order, then the playlists'
    /// artists not among them (with `playlist_artists`).
    async fn resolve_all(
        &self,
        playlist_artists: Vec<SpotifyId>,
    ) -> Result<Vec<Resolved>, ExtractError> {
        let resolver = self.resolver();
        let mut resolved = Vec::new();
        for spec in &self.cfg.artists {
            match resolver.resolve(spec).await {
                Ok(r) => resolved.push(r),
                Err(ExtractError::Stopped(_)) => resolved.push(Resolved::pending(spec)),
                Err(e) => return Err(e),
            }
        }
        if self.cfg.playlist_artists {
            for id in playlist_artists {
                if !resolved.iter().any(|r| r.id.as_ref() == Some(&id)) {
                    resolved.push(Resolved::from_playlist(id));
                }
            }
        }
        Ok(resolved)
    }

    /// Each artist extracted (or kept, when an earlier run of the day
    /// completed it), `concurrency` at a time, in the configured order.
    async fn artists(&self, resolved: Vec<Resolved>) -> Result<Vec<ManifestArtist>, ExtractError> {
        let done_today = if self.opts.full {
            HashSet::new()
        } else {
            self.earlier.done_today()
        };
        let bar = progress_bar(self.opts.progress);
        bar.set_length(resolved.len() as u64);
        let records = futures::stream::iter(resolved.into_iter().map(|r| {
            let done =
                r.id.as_ref()
                    .is_some_and(|id| done_today.contains(id.as_str()));
            let bar = &bar;
            async move {
                let record = if done {
                    tracing::info!(artist = %r.query, "Already extracted today; kept.");
                    Ok(r.record(ArtistStatus::Complete))
                } else {
                    artist(self, r).await
                };
                bar.inc(1);
                self.progress(bar);
                record
            }
        }))
        // `buffered` keeps the configured order in the manifest.
        .buffered(self.cfg.concurrency.get())
        .try_collect()
        .await?;
        bar.finish_and_clear();
        Ok(records)
    }

    fn progress(&self, bar: &indicatif::ProgressBar) {
        let stats = self.session.stats();
        bar.set_message(format!(
            "albums {} fetched {} reused, requests {}, 429 waits {}",
            self.tally.fetched().albums,
            self.tally.reused(),
            stats.requests.total,
            stats.waits
        ));
    }

    /// A run in which every artist was skipped because a request failed
    /// (never for want of a match), and nothing else was fetched, is a
    /// failure rather than a complete run with nothing: the API is out of
    /// reach (a wrong base URL, an unreachable host, an outage). No
    /// manifest is written for it, so the day's folder (absent, or an
    /// earlier run's) stays as it was, and it cannot become the previous
    /// snapshot of a later run.
    fn fail_if_nothing_extracted(&self, queries: &[String]) -> Result<(), ExtractError> {
        let fetched = self.tally.fetched();
        if fetched.artists + fetched.playlists > 0 {
            return Ok(());
        }
        match self.tally.all_failed(queries) {
            Some(failure) => Err(ExtractError::NothingExtracted {
                artists: queries.len(),
                api_base: shown(&self.cfg.api_base_url),
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
        let old = self.earlier.today.clone().unwrap_or_default();
        let artists = merge_artists(old.artists.unwrap_or_default(), artists);
        let mut albums = old.albums.unwrap_or_default();
        albums.extend(self.albums.take_records());
        let playlists = merge_playlists(old.playlists.unwrap_or_default(), playlists);
        let mut skipped = old.skipped.unwrap_or_default();
        for s in self.tally.skips() {
            if !skipped.contains(&s) {
                skipped.push(s);
            }
        }
        let mut requests = old.requests.unwrap_or_default();
        merge_requests(&mut requests, &self.session.stats().requests);
        let stop = self.session.stopped();
        let partial = artists.iter().any(ManifestArtist::is_pending)
            || playlists.iter().any(ManifestPlaylist::is_pending);
        let mode = if self.tally.extended() {
            "extended".to_owned()
        } else if self.tally.fetched().artists == 0 {
            old.mode.unwrap_or_else(|| "development".into())
        } else {
            "development".to_owned()
        };
        Manifest {
            format: Some(1),
            extract_date: Some(self.opts.date.to_string()),
            status: Some(if partial {
                RunStatus::Partial
            } else {
                RunStatus::Complete
            }),
            stop_reason: stop.map(|s| s.as_str().to_owned()),
            retry_after_seconds: match stop {
                Some(StopReason::Quota { retry_after }) => Some(retry_after),
                _ => None,
            },
            started_at: Some(old.started_at.unwrap_or(started_at)),
            ended_at: Some(now_rfc3339()),
            mode: Some(mode),
            album_page_limit: Some(self.pages.get()),
            requested: Some(self.requested()),
            artists: Some(artists),
            albums: Some(albums),
            playlists: Some(playlists),
            skipped: Some(skipped),
            requests: Some(requests),
        }
    }

    fn requested(&self) -> Requested {
        Requested {
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
        }
    }
}

/// The day's artists with this run's replacing the same artist's (by id,
/// else by query), new ones appended.
fn merge_artists(mut merged: Vec<ManifestArtist>, run: Vec<ManifestArtist>) -> Vec<ManifestArtist> {
    for a in run {
        let same = |o: &ManifestArtist| match (&o.artist_id, &a.artist_id) {
            (Some(x), Some(y)) => x == y,
            _ => o.query == a.query,
        };
        match merged.iter_mut().find(|o| same(o)) {
            Some(o) => *o = a,
            None => merged.push(a),
        }
    }
    merged
}

/// The day's playlists with this run's replacing the same playlist's.
fn merge_playlists(
    mut merged: Vec<ManifestPlaylist>,
    run: Vec<ManifestPlaylist>,
) -> Vec<ManifestPlaylist> {
    for p in run {
        match merged.iter_mut().find(|o| o.playlist_id == p.playlist_id) {
            Some(o) => *o = p,
            None => merged.push(p),
        }
    }
    merged
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

#[cfg(test)]
mod tests {
    use super::*;

    fn artist(id: Option<&str>, query: &str, status: ArtistStatus) -> ManifestArtist {
        ManifestArtist {
            query: Some(query.into()),
            artist_id: id.map(Into::into),
            status: Some(status),
            ..ManifestArtist::default()
        }
    }

    #[test]
    fn a_later_run_of_the_day_replaces_its_artists_and_keeps_the_rest() {
        let a = "3TVXtAsR1Inumwj472S9r4";
        let b = "0du5cEVh5yTK9QJze8zA0C";
        let day = vec![
            artist(Some(a), "A", ArtistStatus::Complete),
            artist(Some(b), "B", ArtistStatus::Pending),
            artist(None, "Nobody", ArtistStatus::NotFound),
        ];
        let run = vec![
            artist(Some(b), "B", ArtistStatus::Complete),
            artist(None, "Nobody", ArtistStatus::NotFound),
            artist(None, "New", ArtistStatus::Pending),
        ];
        let merged = merge_artists(day, run);
        let statuses: Vec<_> = merged
            .iter()
            .map(|a| (a.query.as_deref().unwrap(), a.status.clone().unwrap()))
            .collect();
        assert_eq!(
            statuses,
            [
                ("A", ArtistStatus::Complete),
                ("B", ArtistStatus::Complete),
                ("Nobody", ArtistStatus::NotFound),
                ("New", ArtistStatus::Pending),
            ]
        );
    }
}
