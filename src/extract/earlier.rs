//! What earlier runs left for this one: the day's own folder (an earlier
//! run of the same date, whose finished artists and albums are kept) and
//! the previous snapshot (whose album bodies are reused until due, and
//! whose manifest resolves names without a search). Read once when a run
//! opens; never written.

use std::collections::HashSet;

use object_store::path::Path;

use super::ExtractError;
use super::refresh::due;
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::raw::manifest::{ArtistStatus, Manifest, ManifestAlbum};
use crate::raw::{Listing, ObjectKind, Snapshot};
use crate::store::Location;

/// The newest earlier snapshot with a manifest.
pub(super) struct Previous {
    pub snapshot: Snapshot,
    pub listing: Listing,
    pub manifest: Manifest,
}

/// The day's folder and the previous snapshot, as listed at the start.
pub(super) struct Earlier {
    /// The day's folder (empty on a first run of the day).
    pub today_listing: Listing,
    /// The day's manifest, if an earlier run of the day wrote one.
    pub today: Option<Manifest>,
    pub previous: Option<Previous>,
}

/// How the run treats album bodies found earlier.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReuseRule {
    /// This run's date.
    pub date: ExtractDate,
    /// `reuse_days` ([`due`]).
    pub reuse_days: u32,
    /// `--full`: reuse nothing.
    pub full: bool,
}

impl Earlier {
    /// Lists `today` (the day's folder) and the previous snapshot of `raw`.
    pub async fn open(
        raw: &Location,
        today: &Snapshot,
        date: ExtractDate,
    ) -> Result<Self, ExtractError> {
        let mut today_listing = today.list().await?;
        // A first run of the day has no folder yet: an empty listing.
        today_listing.skipped.clear();
        let today_manifest = today.manifest(&today_listing).await.unwrap_or(None);
        let previous = match Snapshot::previous(raw, date).await? {
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
        Ok(Earlier {
            today_listing,
            today: today_manifest,
            previous,
        })
    }

    /// The day's manifest, then the previous one.
    pub fn manifests(&self) -> impl Iterator<Item = &Manifest> {
        [
            self.today.as_ref(),
            self.previous.as_ref().map(|p| &p.manifest),
        ]
        .into_iter()
        .flatten()
    }

    /// Artists (ids) an earlier run of the day completed.
    pub fn done_today(&self) -> HashSet<String> {
        self.today
            .iter()
            .flat_map(|m| m.artists.iter().flatten())
            .filter(|a| a.status == Some(ArtistStatus::Complete))
            .filter_map(|a| a.artist_id.clone())
            .collect()
    }

    /// Whether the day's folder holds the album's body.
    pub fn in_today(&self, id: &SpotifyId) -> bool {
        self.today_listing.of(ObjectKind::Album).contains_key(id)
    }

    /// The day's manifest record of an album.
    pub fn today_album(&self, album: &str) -> Option<ManifestAlbum> {
        self.today
            .as_ref()
            .and_then(|m| m.albums.as_ref())
            .and_then(|a| a.get(album))
            .cloned()
    }

    /// Whether an album's body can be taken without a request.
    pub fn reusable(&self, album: &str, rule: ReuseRule) -> bool {
        if rule.full {
            return false;
        }
        let Ok(id) = SpotifyId::parse(IdKind::Album, album) else {
            return false;
        };
        self.in_today(&id) || self.previous_body(&id, rule).is_some()
    }

    /// The previous snapshot's body of an album that is not due, and when
    /// it was fetched.
    pub fn previous_body(
        &self,
        id: &SpotifyId,
        rule: ReuseRule,
    ) -> Option<(&Path, Option<String>)> {
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
            rule.date.date(),
            Some(last),
            rule.reuse_days,
            rule.full,
        );
        (!is_due).then_some((path, fetched_at))
    }
}

fn date_of(ts: &str) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc).date_naive())
}
