//! The extraction's errors: [`ExtractError`] for a run that fails as a
//! whole, [`RequestFailure`] for what happened to the requests of a run in
//! which every artist failed (the API out of reach), and [`LastFailure`],
//! the last failure of a request given up after its retries, kept as fields
//! so nothing parses it back out of a message.

use super::StopReason;

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
        /// The last failure.
        last: LastFailure,
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
    /// What failed last, as skips quote it: a transient error's last
    /// failure, a bad body's parser message (else the whole message).
    pub fn last_failure(&self) -> String {
        match self {
            ExtractError::Transient { last, .. } => last.to_string(),
            ExtractError::BadBody { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// [`ExtractError::Forbidden`] for the 403 answer `body` to `path`.
    pub fn forbidden(path: impl Into<String>, body: &str) -> Self {
        ExtractError::Forbidden {
            path: path.into(),
            message: spotify_message(body),
        }
    }
}

/// The last failure of a request given up after its retries
/// ([`ExtractError::Transient`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastFailure {
    /// An answer: a 5xx on every try.
    Status {
        /// The HTTP status.
        status: u16,
        /// Up to ~500 bytes of the body.
        body: String,
    },
    /// 429 bursts past the waits one request may make.
    Bursts {
        /// Burst waits made.
        waits: u32,
    },
    /// No answer: a connection error or a timeout.
    Transport {
        /// What failed, cause by cause.
        message: String,
    },
}

impl std::fmt::Display for LastFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LastFailure::Status { status, body } => write!(f, "HTTP {status}: {body}"),
            LastFailure::Bursts { waits } => write!(f, "429 after {waits} waits"),
            LastFailure::Transport { message } => f.write_str(message),
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

/// A URL as errors show it: without its password.
pub(super) fn shown(url: &url::Url) -> String {
    crate::store::without_password(url.as_str())
}

/// The URL of request `path` as errors show it: no query, no password.
fn shown_request(api_base: &url::Url, path: &str) -> String {
    let mut url = api_base.join(path).unwrap_or_else(|_| api_base.clone());
    url.set_query(None);
    shown(&url)
}

impl RequestFailure {
    /// The failure of request `path` (relative to `api_base`) answered
    /// with `status` and `body`.
    pub fn status(api_base: &url::Url, path: &str, status: u16, body: &str) -> Self {
        RequestFailure::Status {
            url: shown_request(api_base, path),
            status,
            message: spotify_message(body),
        }
    }

    /// The failure a request's error stands for, if it stands for one (a
    /// failed transport, 5xx or 429 bursts past the retries, bodies that
    /// never parse).
    pub fn of_error(api_base: &url::Url, e: &ExtractError) -> Option<Self> {
        match e {
            ExtractError::Transient {
                path,
                last: LastFailure::Status { status, body },
                ..
            } => Some(Self::status(api_base, path, *status, body)),
            ExtractError::Transient {
                path,
                last: last @ LastFailure::Bursts { .. },
                ..
            } => Some(Self::status(api_base, path, 429, &last.to_string())),
            ExtractError::Transient {
                path,
                tries,
                last: LastFailure::Transport { message },
            } => {
                let host = match (api_base.host_str(), api_base.port_or_known_default()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_owned(),
                    (None, _) => shown(api_base),
                };
                Some(RequestFailure::Unreachable {
                    url: shown_request(api_base, path),
                    host,
                    tries: *tries,
                    message: message.clone(),
                })
            }
            ExtractError::BadBody {
                path,
                tries,
                message,
            } => Some(RequestFailure::BadBody {
                url: shown_request(api_base, path),
                tries: *tries,
                message: message.clone(),
            }),
            _ => None,
        }
    }

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

/// Longest Spotify message quoted in an error.
const MESSAGE_CHARS: usize = 200;

/// Spotify's error message in a body, fit to quote in an error: the
/// `error.message` of `{"error": {"status", "message"}}`, the
/// `error_description` of the OAuth shape, else the body's text (markup
/// removed); control characters and runs of whitespace become one space,
/// and it is cut to 200 characters. Bodies may be empty, HTML or cut
/// (SPOTIFY_API.md §6).
pub fn spotify_message(body: &str) -> String {
    let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        let error = v.get("error")?;
        error
            .get("message")
            .and_then(|m| m.as_str())
            .or_else(|| v.get("error_description").and_then(|d| d.as_str()))
            .or_else(|| error.as_str())
            .map(str::to_owned)
    });
    let text = from_json.unwrap_or_else(|| {
        // Text outside `<…>`: an HTML page's title and headings.
        let mut out = String::with_capacity(body.len().min(4096));
        let mut in_tag = false;
        for c in body.chars().take(4096) {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    });
    let mut clean = String::new();
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !clean.is_empty() {
            clean.push(' ');
        }
        clean.push_str(word);
    }
    if clean.is_empty() {
        return "(an empty body)".to_owned();
    }
    match clean.char_indices().nth(MESSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &clean[..end]),
        None => clean,
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

    #[test]
    fn spotify_messages_are_quoted_short_and_clean() {
        // Spotify's shape, the OAuth shape, HTML, empty.
        assert_eq!(
            spotify_message(
                r#"{"error":{"status":403,"message":"Active premium subscription required."}}"#
            ),
            "Active premium subscription required."
        );
        assert_eq!(
            spotify_message(r#"{"error":"invalid_client","error_description":"Invalid client"}"#),
            "Invalid client"
        );
        assert_eq!(
            spotify_message(
                "<html><head><title>404 Not Found</title></head>\r\n<body>nginx</body></html>"
            ),
            "404 Not Found nginx"
        );
        assert_eq!(spotify_message(""), "(an empty body)");
        assert_eq!(spotify_message("  \n\t "), "(an empty body)");
        // Control characters (a terminal escape, newlines) never reach the
        // message; a long one is cut to 200 characters on a boundary.
        let hostile = format!(
            r#"{{"error":{{"status":403,"message":"a\u001b[31mred\nline {}"}}}}"#,
            "é".repeat(300)
        );
        let m = spotify_message(&hostile);
        assert!(!m.chars().any(char::is_control), "{m:?}");
        assert!(m.starts_with("a [31mred line éé"), "{m:?}");
        assert_eq!(m.chars().count(), 201, "200 and the ellipsis");
        assert!(m.ends_with('…'));
        // A cut body is text.
        assert_eq!(
            spotify_message(r#"{"error":{"status":403,"mess"#),
            r#"{"error":{"status":403,"mess"#
        );
    }

    /// The transient error carries its status and body as fields; the
    /// failure it stands for reads them, not its message.
    #[test]
    fn request_failures_come_from_the_error_fields() {
        let base = url::Url::parse("https://u:secret@example.test/v1/").unwrap();
        let transient = |last| ExtractError::Transient {
            path: "search".into(),
            tries: 5,
            last,
        };
        let status = transient(LastFailure::Status {
            status: 503,
            body: r#"{"error":{"status":503,"message":"Service unavailable"}}"#.into(),
        });
        assert_eq!(
            status.to_string(),
            r#"GET search failed after 5 tries: HTTP 503: {"error":{"status":503,"message":"Service unavailable"}}"#
        );
        assert_eq!(
            RequestFailure::of_error(&base, &status),
            Some(RequestFailure::Status {
                url: "https://u:***@example.test/v1/search".into(),
                status: 503,
                message: "Service unavailable".into(),
            })
        );
        let bursts = transient(LastFailure::Bursts { waits: 20 });
        assert!(bursts.to_string().ends_with(": 429 after 20 waits"));
        assert!(matches!(
            RequestFailure::of_error(&base, &bursts),
            Some(RequestFailure::Status { status: 429, ref message, .. }) if message == "429 after 20 waits"
        ));
        let down = transient(LastFailure::Transport {
            message: "Connection refused".into(),
        });
        assert!(matches!(
            RequestFailure::of_error(&base, &down),
            Some(RequestFailure::Unreachable { ref host, tries: 5, .. }) if host == "example.test:443"
        ));
        assert_eq!(
            RequestFailure::of_error(&base, &ExtractError::Stopped(StopReason::Budget)),
            None
        );
    }
}
