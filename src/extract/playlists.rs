//! Playlists: GET each one, page its items where the API serves them, and
//! note the artists on its tracks (for `playlist_artists`). Unlike every
//! other call, a 403 or 404 here is a known limitation (development mode
//! serves only the app user's own playlists; editorial ones answer 404), so
//! it becomes a recorded status and a skip, never a failed run.

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::ExtractError;
use super::pages::{complete_items, item_pages};
use super::run::Run;
use super::session::{Answer, Endpoint, Refusal};
use crate::ids::{IdKind, SpotifyId};
use crate::raw::ObjectKind;
use crate::raw::manifest::{ManifestPlaylist, PlaylistStatus};

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

/// The manifest record of playlist `id`.
pub(super) fn record(
    id: &SpotifyId,
    status: PlaylistStatus,
    http: Option<u16>,
) -> ManifestPlaylist {
    ManifestPlaylist {
        playlist_id: Some(id.to_string()),
        status: Some(status),
        http_status: http,
    }
}

/// One playlist: GET it, page its items where allowed; a 403/404 is
/// recorded and the run goes on. Its tracks' artists are added to
/// `artists`.
pub(super) async fn playlist(
    run: &Run<'_>,
    id: &SpotifyId,
    artists: &mut Vec<SpotifyId>,
) -> Result<ManifestPlaylist, ExtractError> {
    let path = format!("playlists/{id}");
    let rec = |status, http: u16| record(id, status, Some(http));
    let answer = match run
        .session
        .get::<PlaylistHead>(Endpoint::Playlist, &path, &[])
        .await
    {
        Ok(a) => a,
        Err(e @ (ExtractError::Transient { .. } | ExtractError::BadBody { .. })) => {
            run.tally.skip(
                "playlist",
                id.as_str(),
                format!("GET {path} failed: {}", e.last_failure()),
            );
            return Ok(rec(PlaylistStatus::NotFound, 0));
        }
        Err(e) => return Err(e),
    };
    let (head, body) = match answer {
        Answer::Ok(head, body) => (head, body),
        Answer::Refused(Refusal { status: 404, .. }) => {
            run.tally.skip("playlist", id.as_str(), "not found (404): unknown, private or a Spotify editorial playlist, which apps cannot read");
            return Ok(rec(PlaylistStatus::NotFound, 404));
        }
        Answer::Refused(Refusal { status: 403, .. }) => {
            run.tally.skip("playlist", id.as_str(), "contents unavailable (403): development mode serves only playlists the app's user owns");
            return Ok(rec(PlaylistStatus::ContentsUnavailable, 403));
        }
        Answer::Refused(refusal) => {
            run.tally.skip(
                "playlist",
                id.as_str(),
                refusal.reason(&format!("GET {path}")),
            );
            return Ok(rec(PlaylistStatus::NotFound, refusal.status));
        }
    };
    // 2026 shape `items`, older `tracks`.
    let (key, container) = match (&head.items, &head.tracks) {
        (Some(c), _) if c.items.is_some() => ("items", c),
        (_, Some(c)) if c.items.is_some() => ("tracks", c),
        _ => {
            run.writer
                .put_object(ObjectKind::Playlist, id, body)
                .await?;
            run.tally.fetched_playlist();
            tracing::info!(playlist = %id, "Playlist metadata only (development mode serves no items).");
            return Ok(rec(PlaylistStatus::ContentsUnavailable, 200));
        }
    };
    let have = container.items.as_ref().map_or(0, Vec::len) as u64;
    let total = container.total.unwrap_or(0).max(0) as u64;
    let (body, status) = if have < total {
        let items_path = format!("playlists/{id}/items");
        match item_pages(
            run.session,
            Endpoint::PlaylistItems,
            &items_path,
            have,
            total,
        )
        .await?
        {
            Ok(extra) => (
                complete_items(&body, &[key], extra),
                rec(PlaylistStatus::Ok, 200),
            ),
            Err(refusal) => {
                let status = refusal.status;
                run.tally.skip("playlist", id.as_str(), format!("item pages answered HTTP {status}: only the first {have} of {total} items were kept"));
                (body, rec(PlaylistStatus::ContentsUnavailable, status))
            }
        }
    } else {
        (body, rec(PlaylistStatus::Ok, 200))
    };
    for artist in playlist_artists(&body) {
        if !artists.contains(&artist) {
            artists.push(artist);
        }
    }
    run.writer
        .put_object(ObjectKind::Playlist, id, body)
        .await?;
    run.tally.fetched_playlist();
    Ok(status)
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
