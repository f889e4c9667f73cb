//! Artist resolution: a configured artist to a Spotify id. An id is taken
//! as given; a name is looked up in the day's manifest, then the previous
//! one (no request), else searched (the exact, case-insensitive match,
//! else the first hit). A name search cannot resolve is one counted skip;
//! when the search itself failed for a reason that is the API's, the
//! failure is noted for [`ExtractError::NothingExtracted`].

use super::earlier::Earlier;
use super::session::{Answer, Endpoint, Session};
use super::tally::Tally;
use super::{ExtractError, RequestFailure};
use crate::config::ArtistSpec;
use crate::ids::{IdKind, SpotifyId};
use crate::raw::manifest::{ArtistStatus, ManifestArtist, ResolvedBy};
use crate::raw::model::{SearchBody, SearchHit};

/// An artist as resolved for this run.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    /// As configured.
    pub query: String,
    pub id: Option<SpotifyId>,
    pub name: Option<String>,
    pub by: ResolvedBy,
}

impl Resolved {
    /// An artist from a playlist (`playlist_artists`).
    pub fn from_playlist(id: SpotifyId) -> Self {
        Resolved {
            query: id.to_string(),
            id: Some(id),
            name: None,
            by: ResolvedBy::Playlist,
        }
    }

    /// An artist the run stopped before resolving.
    pub fn pending(spec: &ArtistSpec) -> Self {
        Resolved {
            query: spec.query(),
            id: None,
            name: None,
            by: ResolvedBy::Pending,
        }
    }

    /// Its manifest record with `status`.
    pub fn record(&self, status: ArtistStatus) -> ManifestArtist {
        ManifestArtist {
            query: Some(self.query.clone()),
            artist_id: self.id.as_ref().map(ToString::to_string),
            artist_name: self.name.clone(),
            resolved_by: Some(self.by.clone()),
            status: Some(status),
        }
    }
}

/// What resolution reads and notes.
pub(super) struct Resolver<'r> {
    pub session: &'r Session<'r>,
    pub earlier: &'r Earlier,
    pub tally: &'r Tally,
    /// `SPOTIFY_API_BASE_URL`, for failures.
    pub api_base: &'r url::Url,
}

impl Resolver<'_> {
    /// An id as given; a name from the day's or the previous manifest, else
    /// by search (the exact, case-insensitive match, else the first hit).
    pub async fn resolve(&self, spec: &ArtistSpec) -> Result<Resolved, ExtractError> {
        let query = spec.query();
        let name = match spec {
            ArtistSpec::Id(id) => {
                return Ok(Resolved {
                    query,
                    id: Some(id.clone()),
                    name: None,
                    by: ResolvedBy::Id,
                });
            }
            ArtistSpec::Name(name) => name,
        };
        if let Some((id, found)) = self.in_manifests(name) {
            tracing::info!(query = %name, artist = %id, "Resolved from an earlier manifest; no search.");
            return Ok(Resolved {
                query,
                id: Some(id),
                name: found,
                by: ResolvedBy::Previous,
            });
        }
        self.search(query, name).await
    }

    /// The id (and name) an earlier manifest found for `name`.
    fn in_manifests(&self, name: &str) -> Option<(SpotifyId, Option<String>)> {
        self.earlier
            .manifests()
            .flat_map(|m| m.artists.iter().flatten())
            .find(|a| a.query.as_deref() == Some(name) && a.status != Some(ArtistStatus::NotFound))
            .and_then(|a| {
                let id = SpotifyId::parse(IdKind::Artist, a.artist_id.as_deref()?).ok()?;
                Some((id, a.artist_name.clone()))
            })
    }

    async fn search(&self, query: String, name: &str) -> Result<Resolved, ExtractError> {
        let q = [
            ("q", name.to_owned()),
            ("type", "artist".to_owned()),
            ("limit", "10".to_owned()),
        ];
        let hits = match self
            .session
            .get::<SearchBody>(Endpoint::Search, "search", &q)
            .await
        {
            Ok(Answer::Ok(body, _)) => body.artists.and_then(|p| p.items).unwrap_or_default(),
            // One skip per artist: a failed search is not also "no match".
            // A 400 refuses this query (like no match, it is the artist's);
            // any other status is the API's.
            Ok(Answer::Refused(refusal)) => {
                let refusal = refusal.unless_forbidden("search")?;
                if refusal.status != 400 {
                    let failure = RequestFailure::status(
                        self.api_base,
                        "search",
                        refusal.status,
                        &refusal.body,
                    );
                    self.tally.failed(&query, failure);
                }
                return Ok(self.unresolved(query, refusal.reason("search")));
            }
            Err(e @ (ExtractError::Transient { .. } | ExtractError::BadBody { .. })) => {
                if let Some(failure) = RequestFailure::of_error(self.api_base, &e) {
                    self.tally.failed(&query, failure);
                }
                let reason = format!("search failed: {}", e.last_failure());
                return Ok(self.unresolved(query, reason));
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
            (Some(h), _) => (h, ResolvedBy::Exact),
            (None, Some(h)) => (h, ResolvedBy::FirstHit),
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
        tracing::info!(query = %name, artist = %hit.id, name = hit.name.as_deref().unwrap_or(""), resolved_by = %by, "Artist resolved by search.");
        let id = SpotifyId::parse(IdKind::Artist, &hit.id).expect("filtered to valid ids");
        Ok(Resolved {
            query,
            id: Some(id),
            name: hit.name.clone(),
            by,
        })
    }

    /// A name that search did not resolve: one counted skip, and a record
    /// with no id (status `not_found` in the manifest).
    fn unresolved(&self, query: String, reason: String) -> Resolved {
        self.tally.skip("artist", query.as_str(), reason);
        Resolved {
            query,
            id: None,
            name: None,
            by: ResolvedBy::Search,
        }
    }
}
