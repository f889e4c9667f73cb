//! One resolved artist: GET the artist, every page of its albums per
//! include group (written as `artist_albums/<id>.json`), then each album it
//! lists ([`super::albums`]). A stop leaves it `pending`; a refused or
//! failed GET of the artist leaves it `not_found` with a skip.
//!
//! Why a module of its own: the artist is the unit the manifest, the
//! budget check and the resume work in; it ties the album series and the
//! albums together, while `run` only orders the artists.

use std::collections::HashSet;

use futures::{StreamExt as _, TryStreamExt as _};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::albums::AlbumOutcome;
use super::resolve::Resolved;
use super::run::Run;
use super::session::{Answer, Endpoint, StopReason};
use super::{ExtractError, RequestFailure};
use crate::ids::SpotifyId;
use crate::raw::ObjectKind;
use crate::raw::manifest::{ArtistStatus, ManifestArtist, ResolvedBy};

#[derive(Deserialize)]
struct ArtistHead {
    name: Option<String>,
    popularity: Option<IgnoredAny>,
    followers: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Listed {
    id: Option<String>,
}

/// One artist: GET artist, its album pages, then each album.
pub(super) async fn artist(run: &Run<'_>, r: Resolved) -> Result<ManifestArtist, ExtractError> {
    let Some(id) = r.id.clone() else {
        let status = if r.by == ResolvedBy::Pending {
            ArtistStatus::Pending
        } else {
            ArtistStatus::NotFound
        };
        return Ok(r.record(status));
    };
    match extract_artist(run, &r, &id).await {
        Ok(record) => Ok(record),
        Err(ExtractError::Stopped(reason)) => {
            tracing::warn!(artist = %id, reason = reason.as_str(), "Artist left pending.");
            Ok(r.record(ArtistStatus::Pending))
        }
        Err(e) => Err(e),
    }
}

async fn extract_artist(
    run: &Run<'_>,
    r: &Resolved,
    id: &SpotifyId,
) -> Result<ManifestArtist, ExtractError> {
    let Some(name) = get_artist(run, r, id).await? else {
        return Ok(r.record(ArtistStatus::NotFound));
    };
    let listed = list_albums(run, id).await?;
    let to_fetch = listed
        .iter()
        .filter(|a| !run.earlier.reusable(a, run.reuse_rule()))
        .count() as u64;
    if let Some(max) = run.cfg.max_requests
        && run.session.requests_sent() + to_fetch > max
    {
        run.session.stop(StopReason::Budget);
        return Err(ExtractError::Stopped(StopReason::Budget));
    }
    let outcomes: Vec<AlbumOutcome> =
        futures::stream::iter(listed.iter().map(|album| run.albums.album(run, album)))
            .buffer_unordered(run.cfg.concurrency.get())
            .try_collect()
            .await?;
    if outcomes.contains(&AlbumOutcome::Stopped) {
        return Err(ExtractError::Stopped(
            run.session.stopped().unwrap_or(StopReason::Deadline),
        ));
    }
    tracing::info!(artist = %id, name = name.as_deref().unwrap_or(""), albums = listed.len(), "Artist extracted.");
    let mut rec = r.record(ArtistStatus::Complete);
    rec.artist_name = name.or(rec.artist_name);
    Ok(rec)
}

/// GET the artist and write its body: `Some(its name)`, or `None` when it
/// was skipped (a refusal other than 403, or a failed request).
async fn get_artist(
    run: &Run<'_>,
    r: &Resolved,
    id: &SpotifyId,
) -> Result<Option<Option<String>>, ExtractError> {
    let path = format!("artists/{id}");
    let api = &run.cfg.api_base_url;
    match run
        .session
        .get::<ArtistHead>(Endpoint::Artist, &path, &[])
        .await
    {
        Ok(Answer::Ok(head, body)) => {
            if head.popularity.is_some() || head.followers.is_some() {
                run.tally.saw_extended();
            }
            run.writer.put_object(ObjectKind::Artist, id, body).await?;
            run.tally.fetched_artist();
            Ok(Some(head.name))
        }
        Ok(Answer::Refused(refusal)) => {
            let refusal = refusal.unless_forbidden(&path)?;
            // A 400 refuses this id (the artist's); any other status,
            // a 404 included, may be the API's (a base URL without /v1/).
            if refusal.status != 400 {
                let failure = RequestFailure::status(api, &path, refusal.status, &refusal.body);
                run.tally.failed(&r.query, failure);
            }
            run.tally.skip(
                "artist",
                id.as_str(),
                refusal.reason(&format!("GET {path}")),
            );
            Ok(None)
        }
        Err(e @ (ExtractError::Transient { .. } | ExtractError::BadBody { .. })) => {
            if let Some(failure) = RequestFailure::of_error(api, &e) {
                run.tally.failed(&r.query, failure);
            }
            run.tally.skip(
                "artist",
                id.as_str(),
                format!(
                    "GET {path} failed: {}; the next run tries again",
                    e.last_failure()
                ),
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Every album page per include group, written as the artist's album
/// listing; the album ids listed, each once, in page order.
async fn list_albums(run: &Run<'_>, id: &SpotifyId) -> Result<Vec<String>, ExtractError> {
    let mut groups = serde_json::Map::new();
    let mut listed: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for group in &run.cfg.include_groups {
        let items = run
            .pages
            .album_series(run.session, &run.tally, id, group.as_str())
            .await?;
        for item in &items {
            if let Ok(Listed { id: Some(album) }) = serde_json::from_str::<Listed>(item.get())
                && seen.insert(album.clone())
            {
                listed.push(album);
            }
        }
        let values: Vec<serde_json::Value> = items
            .iter()
            .map(|i| serde_json::from_str(i.get()).unwrap_or(serde_json::Value::Null))
            .collect();
        groups.insert(group.as_str().to_owned(), serde_json::Value::Array(values));
    }
    let listing = serde_json::json!({ "groups": groups });
    run.writer
        .put_object(
            ObjectKind::ArtistAlbums,
            id,
            serde_json::to_vec(&listing).expect("JSON values serialise"),
        )
        .await?;
    Ok(listed)
}
