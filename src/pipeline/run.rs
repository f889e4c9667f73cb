//! `run`: the weekly job. Extract from Spotify into the raw zone, then
//! hand the snapshot it wrote straight to [`load_snapshot`] (the clean
//! zone and the catalog). A stop (quota, budget, deadline) still loads the complete artists
//! and returns a `partial` summary (exit 3); the next run of the same day
//! resumes the rest.

use std::time::Instant;

use std::collections::HashSet;

use super::load::{LoadOptions, load_snapshot};
use crate::catalog::Catalog;
use crate::config::{Config, ConfigError};
use crate::extract::{self, ExtractOptions, Session};
use crate::ids::ExtractDate;
use crate::lease::{Lease, LeaseKind};
use crate::raw::Snapshot;
use crate::store::Location;
use crate::summary::{Skip, Status, Summary};
use crate::{Error, raw};

/// The configuration names no artist and no playlist: the error, with
/// `fix` saying how to name some where the run was started (a flag, a
/// function's variable). Both edges check it before asking for
/// credentials.
pub fn nothing_to_extract(cfg: &Config, fix: &str) -> Result<(), ConfigError> {
    if cfg.spotify.artists.is_empty() && cfg.spotify.playlists.is_empty() {
        return Err(ConfigError::Missing(format!("nothing to extract: {fix}")));
    }
    Ok(())
}

/// Extracts, loads and registers one extract date, holding the date's
/// lease in the raw zone throughout ([`crate::lease`]): a second writer of
/// the date (a laptop run and the Lambda) fails at once, naming this one.
/// Its load takes the lake's leases as any load does.
pub async fn run(
    cfg: &Config,
    session: &Session<'_>,
    raw: &Location,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    progress: bool,
) -> Result<Summary, Error> {
    let date = cfg.extract_date.unwrap_or_else(ExtractDate::today_utc);
    let purpose = format!("run of {date}");
    let lease = Lease::take(raw, LeaseKind::Date(date), &purpose, &cfg.lease).await?;
    let summary = async {
        let started = Instant::now();
        let opts = ExtractOptions {
            date,
            full: cfg.full,
            progress,
        };
        let extraction = extract::extract(&cfg.spotify, session, raw, &opts).await?;
        let load_opts = LoadOptions {
            extract_date: Some(date),
            progress,
            lease: cfg.lease.clone(),
            ..LoadOptions::default()
        };
        let snapshot = Snapshot::at(raw, date);
        let mut summary = match load_snapshot(snapshot, lake, catalog, &load_opts).await {
            Ok(s) => s,
            // Nothing was found (unknown artists, unreadable playlists): the
            // extraction's skips say why; there is nothing to load.
            Err(Error::Raw(raw::RawError::Empty { .. })) => Summary::new(date.to_string()),
            Err(e) => return Err(e),
        };
        let stats = session.stats();
        summary.fetched = extraction.fetched;
        summary.reused.albums = extraction.reused_albums;
        summary.requests = stats.requests;
        summary.token_requests = stats.token_requests;
        summary.skipped = both_stages(extraction.skipped, std::mem::take(&mut summary.skipped));
        summary.pending_artists = extraction.pending;
        if extraction.stop.is_some() || !summary.pending_artists.is_empty() {
            summary.status = Status::Partial;
        }
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }
    .await;
    lease.release().await;
    summary
}

/// The run's skips: the extraction's, then the load's that the extraction
/// did not already name. What the extraction could not fetch, the load
/// meets again as "listed but no body"; one line says it.
fn both_stages(extracted: Vec<Skip>, loaded: Vec<Skip>) -> Vec<Skip> {
    let named: HashSet<(String, String)> = extracted
        .iter()
        .map(|s| (s.kind.clone(), s.id.clone()))
        .collect();
    let mut skipped = extracted;
    skipped.extend(
        loaded
            .into_iter()
            .filter(|s| !named.contains(&(s.kind.clone(), s.id.clone()))),
    );
    skipped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_both_stages_name_is_listed_once_in_extraction_order() {
        let extracted = vec![
            Skip::new("album", "a", "HTTP 404"),
            Skip::new("artist", "b", "x"),
        ];
        let loaded = vec![
            Skip::new(
                "album",
                "a",
                "listed for artist c but albums/ has no body for it",
            ),
            Skip::new("album", "d", "bad JSON"),
            Skip::new("album", "d", "bad JSON again"),
        ];
        let got: Vec<(String, String)> = both_stages(extracted, loaded)
            .into_iter()
            .map(|s| (s.id, s.reason))
            .collect();
        let want = [
            ("a", "HTTP 404"),
            ("b", "x"),
            ("d", "bad JSON"),
            ("d", "bad JSON again"),
        ]
        .map(|(i, r)| (i.to_owned(), r.to_owned()));
        assert_eq!(got, want);
    }
}
