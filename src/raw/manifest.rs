//! `manifest.json`: what an extract asked for, found and skipped, typed.
//!
//! The extractor writes it at the end of each run of a date (merged into
//! the day's earlier one); `load` reads the fetch times and the pending
//! artists, `status` and the Lambda's resume read the statuses. Every field
//! is optional for readers (`load` works without a manifest); the extractor
//! writes every field (null where unknown).
//!
//! The statuses are enums, written as the same strings as ever (the raw
//! layout is a contract). Reading is lenient: a value this version does not
//! know (a newer version's, a hand edit) is kept as `Other` and written back
//! unchanged, so a manifest still reads and a merge loses nothing; such an
//! entry is neither pending nor complete to the code that asks.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// An enum of the manifest's status strings, lenient on read: the known
/// values, and `Other` for the rest (kept as read).
macro_rules! status_enum {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $text:literal, )* }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value this version does not write, kept as read.
            Other(String),
        }

        impl $name {
            /// The string in `manifest.json`.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $text => $name::$variant, )*
                    _ => $name::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Other(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

status_enum! {
    /// `status` of the manifest: whether the day's extract is finished.
    RunStatus {
        /// Nothing is pending.
        Complete = "complete",
        /// An artist or a playlist is pending (the run stopped early).
        Partial = "partial",
    }
}

status_enum! {
    /// `status` of one artist.
    ArtistStatus {
        /// Its artist, album listing and albums are in the snapshot.
        Complete = "complete",
        /// The run stopped (quota, budget, deadline) before it was done; the
        /// next run of the day resumes it.
        Pending = "pending",
        /// Not extracted: search found no match, or a request for it failed
        /// (the skip says which; the next run tries again).
        NotFound = "not_found",
    }
}

status_enum! {
    /// `resolved_by` of one artist: how its id was found.
    ResolvedBy {
        /// Configured as an id (or a URI or URL).
        Id = "id",
        /// A name found with its id in the day's or the previous manifest.
        Previous = "previous",
        /// Search's hit whose name matches exactly (case aside).
        Exact = "exact",
        /// Search's first hit (no exact match).
        FirstHit = "first_hit",
        /// Searched, not resolved (no match, or the search failed).
        Search = "search",
        /// Added from a configured playlist (`playlist_artists`).
        Playlist = "playlist",
        /// Not resolved yet: the run stopped before its search.
        Pending = "pending",
    }
}

status_enum! {
    /// `status` of one playlist.
    PlaylistStatus {
        /// The playlist and all its items are in the snapshot.
        Ok = "ok",
        /// Its metadata is kept, its items are not (all or some): 403, or
        /// development mode serving no items.
        ContentsUnavailable = "contents_unavailable",
        /// Not extracted: 404 (unknown, private or editorial), another
        /// status, or a failed request.
        NotFound = "not_found",
        /// The run stopped before it; the next run of the day resumes it.
        Pending = "pending",
    }
}

/// `manifest.json`: what an extract asked for, found and skipped. Every field
/// is optional for readers; `load` works without a manifest. The extractor
/// writes every field (null where unknown).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Manifest {
    /// Manifest format, 1.
    pub format: Option<u32>,
    /// `YYYY-MM-DD`.
    pub extract_date: Option<String>,
    /// complete or partial.
    pub status: Option<RunStatus>,
    /// quota, deadline, budget or null.
    pub stop_reason: Option<String>,
    /// Seconds Spotify asked to wait (quota stops).
    pub retry_after_seconds: Option<u64>,
    /// When the (first) extract of the day started (RFC 3339, UTC).
    pub started_at: Option<String>,
    /// When the (last) extract of the day ended.
    pub ended_at: Option<String>,
    /// development or extended, as inferred from the responses.
    pub mode: Option<String>,
    /// The artist-albums page size the API accepted (10 in development mode).
    pub album_page_limit: Option<u32>,
    /// What was asked.
    pub requested: Option<Requested>,
    /// How each requested artist was resolved.
    pub artists: Option<Vec<ManifestArtist>>,
    /// Album id → when its body was fetched.
    pub albums: Option<BTreeMap<String, ManifestAlbum>>,
    /// Each requested playlist's outcome.
    pub playlists: Option<Vec<ManifestPlaylist>>,
    /// What was skipped and why.
    pub skipped: Option<Vec<crate::summary::Skip>>,
    /// `/v1` requests of the day's runs.
    pub requests: Option<crate::summary::Requests>,
}

/// `requested` of the manifest.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Requested {
    /// Artists as configured (names, ids, URIs).
    pub artists: Option<Vec<String>>,
    /// Playlists as configured.
    pub playlists: Option<Vec<String>>,
    /// Include groups in the configured order.
    pub include_groups: Option<Vec<String>>,
    /// The market.
    pub market: Option<String>,
    /// `--full`.
    pub full: Option<bool>,
}

/// One artist of the manifest.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ManifestArtist {
    /// Name, id or URI as configured.
    pub query: Option<String>,
    /// The resolved id.
    pub artist_id: Option<String>,
    /// Spotify's name for it.
    pub artist_name: Option<String>,
    /// How the id was found ([`ResolvedBy`]).
    pub resolved_by: Option<ResolvedBy>,
    /// complete, pending or not_found ([`ArtistStatus`]).
    pub status: Option<ArtistStatus>,
}

impl ManifestArtist {
    /// Whether a later run of the day must resume it.
    pub fn is_pending(&self) -> bool {
        self.status == Some(ArtistStatus::Pending)
    }
}

/// One album of the manifest.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ManifestAlbum {
    /// When the body was fetched (RFC 3339, UTC).
    pub fetched_at: Option<String>,
    /// Copied from an earlier snapshot.
    pub reused: Option<bool>,
}

/// One playlist of the manifest.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ManifestPlaylist {
    /// The playlist id.
    pub playlist_id: Option<String>,
    /// ok, contents_unavailable, not_found or pending ([`PlaylistStatus`]).
    pub status: Option<PlaylistStatus>,
    /// The HTTP status that decided it (0 when no answer came; null when
    /// pending).
    pub http_status: Option<u16>,
}

impl ManifestPlaylist {
    /// Whether a later run of the day must resume it.
    pub fn is_pending(&self) -> bool {
        self.status == Some(PlaylistStatus::Pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_write_the_strings_they_read() {
        for text in ["complete", "pending", "not_found", "someday"] {
            let json = format!("\"{text}\"");
            let status: ArtistStatus = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&status).unwrap(), json);
        }
        let known: PlaylistStatus = serde_json::from_str("\"contents_unavailable\"").unwrap();
        assert_eq!(known, PlaylistStatus::ContentsUnavailable);
        let by: ResolvedBy = serde_json::from_str("\"first_hit\"").unwrap();
        assert_eq!(by, ResolvedBy::FirstHit);
        assert_eq!(format!("{:<11}|", ResolvedBy::Id), "id         |");
    }

    #[test]
    fn an_unknown_status_is_kept_and_is_not_pending() {
        let json = r#"{"status":"paused","artists":[{"artist_id":"x","status":"held"}],"playlists":[{"status":"pending"}]}"#;
        let m: Manifest = serde_json::from_str(json).unwrap();
        assert_eq!(m.status, Some(RunStatus::Other("paused".into())));
        let artists = m.artists.as_ref().unwrap();
        assert_eq!(artists[0].status, Some(ArtistStatus::Other("held".into())));
        assert!(!artists[0].is_pending());
        assert!(m.playlists.as_ref().unwrap()[0].is_pending());
        let back = serde_json::to_value(&m).unwrap();
        assert_eq!(back["artists"][0]["status"], "held");
        assert_eq!(back["status"], "paused");
        assert!(
            serde_json::from_str::<ArtistStatus>("42").is_err(),
            "a number is no status"
        );
    }
}
