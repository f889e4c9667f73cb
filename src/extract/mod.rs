//! Extraction from the Spotify Web API into a raw snapshot.
//!
//! What is fetched, per DESIGN.md (Extract) and SPOTIFY_API.md: each artist
//! is resolved (an id as given, a name from the previous manifest or by
//! search), then GET artist, its album pages per include group, each album
//! that is new or due (with its track pages past the first 50), and each
//! playlist with its item pages where the API serves them. Bodies land in
//! the raw zone as returned; reused albums are copied from the previous
//! snapshot. The run stops early, keeping everything fetched, on a quota
//! 429, a request budget or a deadline; artists not finished are `pending`
//! in the manifest, and a second run of the same day resumes them.

mod client;
mod fetch;
mod plan;

pub use client::{Answer, ClientStats, Endpoint, SpotifyClient, StopReason, merge_requests};
pub use fetch::{ArtistPlan, ExtractOptions, Extraction, Plan, dry_run, extract};
pub use plan::{due, fnv1a64};

/// Why extraction failed as a whole (single objects are skips).
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The token endpoint refused the credentials.
    #[error(
        "Spotify refused the client credentials (HTTP {}); check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET",
        status.map_or("?".to_owned(), |s| s.to_string())
    )]
    Token {
        /// The token endpoint's status.
        status: Option<u16>,
    },
    /// The token endpoint could not be reached.
    #[error(
        "cannot reach Spotify's token endpoint: {message}; check the network or SPOTIFY_AUTH_BASE_URL"
    )]
    TokenTransport {
        /// What failed.
        message: String,
    },
    /// A second 401 after a fresh token.
    #[error(
        "GET {path} was refused twice with a fresh token (401); the app's access may have been revoked"
    )]
    Unauthorized {
        /// The request.
        path: String,
    },
    /// 403 where it is not a known limitation (e.g. the app owner's Premium lapsed).
    #[error(
        "GET {path} is forbidden (403): {body}; a development-mode app needs its owner's Premium subscription"
    )]
    Forbidden {
        /// The request.
        path: String,
        /// What Spotify said.
        body: String,
    },
    /// 5xx, timeouts or connection errors past the retries.
    #[error("GET {path} failed after {tries} tries: {last}")]
    Transient {
        /// The request.
        path: String,
        /// Tries made.
        tries: u32,
        /// The last failure.
        last: String,
    },
    /// A 200 whose body never parsed.
    #[error("GET {path} returned a body that does not parse after {tries} tries: {message}")]
    BadBody {
        /// The request.
        path: String,
        /// Tries made.
        tries: u32,
        /// The parser's message.
        message: String,
    },
    /// Fetching stopped (quota, budget, deadline): not a failure, the run is partial.
    #[error("extraction stopped ({})", .0.as_str())]
    Stopped(StopReason),
    /// The raw zone could not be written.
    #[error(transparent)]
    Raw(#[from] crate::raw::RawError),
}
