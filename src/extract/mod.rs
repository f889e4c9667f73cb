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
//!
//! Failed runs fail (DESIGN.md, "Nothing fails silently"): a 403 on any
//! call but a playlist's is fatal ([`ExtractError::Forbidden`], quoting
//! Spotify's message: a lapsed Premium subscription answers every call so),
//! and so is a run in which every artist was skipped because its search or
//! GET failed rather than for want of a match
//! ([`ExtractError::NothingExtracted`]: a base URL without `/v1/`, an
//! unreachable host). Neither writes a manifest, so a failed run never
//! becomes the previous snapshot of a later one.

mod client;
mod fetch;
mod plan;

pub use client::{
    Answer, ClientStats, Endpoint, SpotifyClient, StopReason, merge_requests, spotify_message,
};
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
    /// 403 on a call that is no known limitation (search, an artist, its
    /// album pages, an album, its track pages): the app owner's Premium
    /// subscription lapsed (every call answers 403 then), or the app lost
    /// its access. Fatal: no later call would do better.
    #[error(
        "Spotify answered 403 Forbidden to GET {path}: \"{message}\". A development-mode app needs its owner's Premium subscription to be active (when it lapses, every call answers 403); check the app and its owner's subscription in the Spotify developer dashboard (https://developer.spotify.com/dashboard), then run again"
    )]
    Forbidden {
        /// The request (relative to the API base, without its query).
        path: String,
        /// Spotify's error message, cut short and with control characters
        /// and markup removed ([`spotify_message`]).
        message: String,
    },
    /// 5xx, 429 bursts, timeouts or connection errors past the retries.
    #[error("GET {path} failed after {tries} tries: {last}")]
    Transient {
        /// The request.
        path: String,
        /// Tries made.
        tries: u32,
        /// The last answer's status; `None` when no answer came (a
        /// connection error or a timeout).
        status: Option<u16>,
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
    /// Every artist of the run failed on a request (an HTTP status, no
    /// answer, or bodies that are not Spotify's), none for want of a
    /// match: the API itself is out of reach (a wrong
    /// `SPOTIFY_API_BASE_URL`, an unreachable host, an outage). The run
    /// fetched nothing, so it writes no manifest and loads nothing.
    #[error(
        "none of the run's {artists} artist(s) could be extracted, so it stops without writing to the raw zone or the lake: {}",
        failure.explain(api_base)
    )]
    NothingExtracted {
        /// Artists the run tried.
        artists: usize,
        /// `SPOTIFY_API_BASE_URL` as configured (without any password).
        api_base: String,
        /// The first artist's failure, in the configured order.
        failure: RequestFailure,
    },
    /// Fetching stopped (quota, budget, deadline): not a failure, the run is partial.
    #[error("extraction stopped ({})", .0.as_str())]
    Stopped(StopReason),
    /// The raw zone could not be written.
    #[error(transparent)]
    Raw(#[from] crate::raw::RawError),
}

impl ExtractError {
    /// [`ExtractError::Forbidden`] for the 403 answer `body` to `path`.
    pub fn forbidden(path: impl Into<String>, body: &str) -> Self {
        ExtractError::Forbidden {
            path: path.into(),
            message: spotify_message(body),
        }
    }
}

/// How a request failed, for [`ExtractError::NothingExtracted`]: what
/// happened to one artist's search or GET, whose cause is the API and not
/// the artist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestFailure {
    /// An answer other than 200 (5xx and 429 after the retries).
    Status {
        /// The request's URL, without its query.
        url: String,
        /// The HTTP status.
        status: u16,
        /// Spotify's error message ([`spotify_message`]).
        message: String,
    },
    /// No answer: a connection error or a timeout, on every try.
    Unreachable {
        /// The request's URL, without its query.
        url: String,
        /// `host:port` of the API.
        host: String,
        /// Tries made.
        tries: u32,
        /// The last error.
        message: String,
    },
    /// 200s whose body never parsed as Spotify's JSON.
    BadBody {
        /// The request's URL, without its query.
        url: String,
        /// Tries made.
        tries: u32,
        /// The parser's message.
        message: String,
    },
}

/// The default `SPOTIFY_API_BASE_URL`, named in the fixes.
use crate::config::DEFAULT_API_BASE_URL as DEFAULT_API_BASE;

impl RequestFailure {
    /// What happened and what to do, given `SPOTIFY_API_BASE_URL`.
    pub fn explain(&self, api_base: &str) -> String {
        match self {
            RequestFailure::Status {
                url,
                status: 404,
                message,
            } => {
                // An unknown artist id answers 404 as well; a search never does.
                let ids = if url.contains("/artists/") {
                    " (an artist id Spotify does not know answers 404 too: check the ids)"
                } else {
                    ""
                };
                format!(
                    "GET {url} answered 404 Not Found (\"{message}\"); SPOTIFY_API_BASE_URL is {api_base} and must include the /v1/ path, like the default {DEFAULT_API_BASE}{ids}"
                )
            }
            RequestFailure::Status {
                url,
                status,
                message,
            } if *status >= 500 || *status == 429 => format!(
                "GET {url} answered HTTP {status} (\"{message}\") on every try; Spotify's API is failing or overloaded, run again later (and check SPOTIFY_API_BASE_URL, {api_base})"
            ),
            RequestFailure::Status {
                url,
                status,
                message,
            } => format!(
                "GET {url} answered HTTP {status} (\"{message}\"); check SPOTIFY_API_BASE_URL ({api_base}): it must name Spotify's Web API, like the default {DEFAULT_API_BASE}"
            ),
            RequestFailure::Unreachable {
                url,
                host,
                tries,
                message,
            } => format!(
                "cannot reach the Spotify API at {host} (GET {url}, {tries} tries: {message}); check the network (DNS, proxy, firewall) and SPOTIFY_API_BASE_URL ({api_base}; the default is {DEFAULT_API_BASE})"
            ),
            RequestFailure::BadBody {
                url,
                tries,
                message,
            } => format!(
                "GET {url} answered 200 with a body that is not Spotify's JSON on each of {tries} tries ({message}); check SPOTIFY_API_BASE_URL ({api_base}): it must name Spotify's Web API, like the default {DEFAULT_API_BASE}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_cause_and_the_fix() {
        let base = "https://example.test/";
        let status = |url: &str, status| RequestFailure::Status {
            url: url.into(),
            status,
            message: "m".into(),
        };
        let search = status("https://example.test/search", 404).explain(base);
        assert!(
            search.contains(
                "SPOTIFY_API_BASE_URL is https://example.test/ and must include the /v1/ path"
            ) && !search.contains("check the ids"),
            "{search}"
        );
        let artist = status("https://example.test/artists/x", 404).explain(base);
        assert!(artist.contains("check the ids"), "{artist}");
        let outage = status("https://example.test/v1/search", 503).explain(base);
        assert!(
            outage.contains("HTTP 503") && outage.contains("run again later"),
            "{outage}"
        );
        let other = status("https://example.test/v1/search", 405).explain(base);
        assert!(
            other.contains("HTTP 405") && other.contains("SPOTIFY_API_BASE_URL"),
            "{other}"
        );
        let down = RequestFailure::Unreachable {
            url: "https://example.test/v1/search".into(),
            host: "example.test:443".into(),
            tries: 5,
            message: "Connection refused".into(),
        }
        .explain(base);
        assert!(
            down.contains("cannot reach the Spotify API at example.test:443")
                && down.contains("Connection refused")
                && down.contains("check the network"),
            "{down}"
        );
        let garbage = RequestFailure::BadBody {
            url: "https://example.test/v1/search".into(),
            tries: 5,
            message: "expected value".into(),
        }
        .explain(base);
        assert!(garbage.contains("not Spotify's JSON"), "{garbage}");
    }
}
