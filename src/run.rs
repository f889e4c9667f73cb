//! `run`: the weekly job. Extract from Spotify into the raw zone, then
//! [`load`](crate::load()) that snapshot into the clean zone and register
//! it. A stop (quota, budget, deadline) still loads the complete artists
//! and returns a `partial` summary (exit 3); the next run of the same day
//! resumes the rest.

use std::time::Instant;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::extract::{self, ExtractOptions, Session};
use crate::ids::ExtractDate;
use crate::lease::{Lease, LeaseKind};
use crate::load::{LoadOptions, load};
use crate::store::Location;
use crate::summary::{Status, Summary};
use crate::{Error, raw};

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
    let summary = run_leased(cfg, date, session, raw, lake, catalog, progress).await;
    lease.release().await;
    summary
}

/// [`run`] while holding the date's lease.
async fn run_leased(
    cfg: &Config,
    date: ExtractDate,
    session: &Session<'_>,
    raw: &Location,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
    progress: bool,
) -> Result<Summary, Error> {
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
    let mut summary = match load(raw, lake, catalog, &load_opts).await {
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
    // The extraction already named what it could not fetch; the load's
    // "listed but no body" for the same album says it again.
    let named: std::collections::HashSet<(String, String)> = extraction
        .skipped
        .iter()
        .map(|s| (s.kind.clone(), s.id.clone()))
        .collect();
    summary
        .skipped
        .retain(|s| !named.contains(&(s.kind.clone(), s.id.clone())));
    let mut skipped = extraction.skipped;
    skipped.append(&mut summary.skipped);
    summary.skipped = skipped;
    summary.pending_artists = extraction.pending;
    if extraction.stop.is_some() || !summary.pending_artists.is_empty() {
        summary.status = Status::Partial;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
