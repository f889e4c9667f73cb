//! Albums: each one once per run, whichever artists list it. An album
//! already in the day's folder is kept, one in the previous snapshot and
//! not due ([`super::refresh::due`]) is copied, the rest are fetched (GET
//! the album, then its track pages past the first 50). Each gets a record
//! for the manifest: when its body was fetched, and whether it was reused.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde::de::IgnoredAny;
use tokio::sync::OnceCell;

use super::ExtractError;
use super::pages::{complete_items, item_pages};
use super::run::{Run, now_rfc3339};
use super::session::{Answer, Endpoint};
use crate::ids::{IdKind, SpotifyId};
use crate::raw::ObjectKind;
use crate::raw::manifest::ManifestAlbum;

#[derive(Deserialize)]
struct AlbumHead {
    tracks: Option<TracksHead>,
}

#[derive(Deserialize)]
struct TracksHead {
    total: Option<i64>,
    items: Option<Vec<IgnoredAny>>,
}

/// The outcome of one album for the artists that list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AlbumOutcome {
    /// Its body is in today's folder.
    Done,
    /// Skipped (404, bad body...); counted.
    Skipped,
    /// Fetching stopped before it.
    Stopped,
}

/// The run's albums: one outcome each, and the manifest's records.
#[derive(Default)]
pub(super) struct Albums {
    outcomes: Mutex<HashMap<String, Arc<OnceCell<AlbumOutcome>>>>,
    records: Mutex<BTreeMap<String, ManifestAlbum>>,
}

impl Albums {
    /// One album, once per run whichever artists list it.
    pub async fn album(&self, run: &Run<'_>, album: &str) -> Result<AlbumOutcome, ExtractError> {
        let cell = {
            let mut map = self
                .outcomes
                .lock()
                .expect("album map lock is never poisoned");
            Arc::clone(map.entry(album.to_owned()).or_default())
        };
        cell.get_or_try_init(|| self.album_once(run, album))
            .await
            .copied()
    }

    /// The records of this run's albums (taken: call once, at the end).
    pub fn take_records(&self) -> BTreeMap<String, ManifestAlbum> {
        std::mem::take(&mut *self.records.lock().expect("record lock is never poisoned"))
    }

    fn record(&self, album: &str, record: ManifestAlbum) {
        self.records
            .lock()
            .expect("record lock is never poisoned")
            .insert(album.to_owned(), record);
    }

    async fn album_once(&self, run: &Run<'_>, album: &str) -> Result<AlbumOutcome, ExtractError> {
        let Ok(id) = SpotifyId::parse(IdKind::Album, album) else {
            run.tally.skip(
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
        if !run.opts.full && run.earlier.in_today(&id) {
            let earlier = run.earlier.today_album(album);
            self.record(album, earlier.unwrap_or_else(|| record(None, true)));
            run.tally.reused_album();
            return Ok(AlbumOutcome::Done);
        }
        if let Some((path, fetched_at)) = run.earlier.previous_body(&id, run.reuse_rule()) {
            run.writer.copy_object(ObjectKind::Album, path).await?;
            self.record(album, record(fetched_at, true));
            run.tally.reused_album();
            return Ok(AlbumOutcome::Done);
        }
        match fetch_album(run, &id).await {
            Ok(Some(body)) => {
                let fetched_at = now_rfc3339();
                run.writer.put_object(ObjectKind::Album, &id, body).await?;
                self.record(album, record(Some(fetched_at), false));
                run.tally.fetched_album();
                Ok(AlbumOutcome::Done)
            }
            Ok(None) => Ok(AlbumOutcome::Skipped),
            Err(ExtractError::Stopped(_)) => Ok(AlbumOutcome::Stopped),
            Err(e @ (ExtractError::Transient { .. } | ExtractError::BadBody { .. })) => {
                run.tally.skip(
                    "album",
                    id.as_str(),
                    format!("{e}; the next run fetches it"),
                );
                Ok(AlbumOutcome::Skipped)
            }
            Err(e) => Err(e),
        }
    }
}

/// GET the album and its track pages past the first; `None` is a skip.
async fn fetch_album(run: &Run<'_>, id: &SpotifyId) -> Result<Option<String>, ExtractError> {
    let path = format!("albums/{id}");
    let (head, body) = match run
        .session
        .get::<AlbumHead>(Endpoint::Album, &path, &[])
        .await?
    {
        Answer::Ok(head, body) => (head, body),
        Answer::Refused(refusal) => {
            let refusal = refusal.unless_forbidden(&path)?;
            run.tally
                .skip("album", id.as_str(), refusal.reason(&format!("GET {path}")));
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
    match item_pages(
        run.session,
        Endpoint::AlbumTracks,
        &tracks_path,
        have,
        total,
    )
    .await?
    {
        Ok(extra) => Ok(Some(complete_items(&body, &["tracks"], extra))),
        Err(refusal) => {
            let refusal = refusal.unless_forbidden(&tracks_path)?;
            let reason = refusal.reason(&format!("GET {tracks_path}"));
            run.tally.skip(
                "album",
                id.as_str(),
                format!("{reason}; the album is left out rather than written short"),
            );
            Ok(None)
        }
    }
}
