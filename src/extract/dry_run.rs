//! `run --dry-run`: what a run would fetch and the requests it expects,
//! from the previous snapshot's album listings (SPOTIFY_API.md §7). It
//! sends no request but search (and the token) and writes nothing.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::ExtractError;
use super::resolve::Resolved;
use super::run::{ExtractOptions, Run};
use super::session::Session;
use crate::config::SpotifyConfig;
use crate::raw::ObjectKind;
use crate::raw::manifest::ResolvedBy;
use crate::store::Location;

/// `run --dry-run`: what would be fetched, and the requests it expects
/// (from the previous snapshot when there is one). Sends no request but
/// search (and the token); writes nothing.
pub async fn dry_run(
    cfg: &SpotifyConfig,
    session: &Session<'_>,
    raw: &Location,
    opts: &ExtractOptions,
) -> Result<Plan, ExtractError> {
    let run = Run::open(cfg, session, raw, opts).await?;
    let mut plan = Plan {
        previous: run.earlier.previous.as_ref().map(|p| p.snapshot.describe()),
        page_limit: run.pages.get(),
        artists: Vec::new(),
        playlists: cfg.playlists.len() as u64,
        search_requests: 0,
    };
    let resolver = run.resolver();
    for spec in &cfg.artists {
        let before = session.requests_sent();
        let resolved = resolver.resolve(spec).await?;
        plan.search_requests += session.requests_sent() - before;
        plan.artists.push(plan_artist(&run, &resolved).await);
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
    pub resolved_by: ResolvedBy,
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

/// A dry run's estimate for one artist, from the previous snapshot's
/// album listing (SPOTIFY_API.md §7).
async fn plan_artist(run: &Run<'_>, r: &Resolved) -> ArtistPlan {
    let search = u64::from(matches!(
        r.by,
        ResolvedBy::Exact | ResolvedBy::FirstHit | ResolvedBy::Search
    ));
    let mut plan = ArtistPlan {
        query: r.query.clone(),
        artist_id: r.id.as_ref().map(ToString::to_string),
        resolved_by: r.by.clone(),
        albums_listed: None,
        albums_to_fetch: 0,
        albums_reused: 0,
        requests: search,
    };
    let Some(id) = &r.id else {
        return plan;
    };
    let groups = run.cfg.include_groups.len() as u64;
    let listed = match &run.earlier.previous {
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
    let limit = u64::from(run.pages.get());
    let rule = run.reuse_rule();
    let mut pages = 0;
    let mut seen = HashSet::new();
    for group in &run.cfg.include_groups {
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
            if run.earlier.reusable(aid, rule) && !run.opts.full {
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
