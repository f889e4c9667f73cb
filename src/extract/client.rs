//! The Spotify Web API client: one per run, shared by every task.
//!
//! rspotify does the client-credentials token and the raw GETs (its
//! `api_get` returns the body as received, which the raw zone stores). Its
//! paging, models and error handling do not fit the 2026 API
//! (SPOTIFY_API.md §8), so this module adds what a weekly job needs:
//!
//! - at most `concurrency` requests in flight (a semaphore, one permit per
//!   request, so nested fan-out cannot exceed it) and an optional pause
//!   between requests;
//! - 429: a burst (Retry-After ≤ `max_wait_seconds`) closes a shared gate
//!   for Retry-After plus 0–20 % jitter, then the same request is retried; a
//!   quota (`QUOTA_EXCEEDED` or a longer Retry-After) stops the run: no
//!   request is sent after it;
//! - 5xx, timeouts, connection errors and 200s whose body does not parse are
//!   retried with exponential backoff and full jitter, 5 tries;
//! - a 401 triggers one shared token refresh, then one retry; the token is
//!   also renewed 60 s before it expires;
//! - every `/v1` request is counted by endpoint and status.
//!
//! Statuses the caller must decide on (400, 403, 404) come back as
//! [`Answer::Status`], not as errors.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rspotify::clients::BaseClient as _;
use rspotify::http::HttpError;
use rspotify::{
    ClientCredsSpotify, ClientError, Config as RsConfig, Credentials as RsCredentials,
    TokenCallback,
};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::ExtractError;
use crate::config::{Credentials, SpotifyConfig};
use crate::summary::Requests;

/// Renew the token this long before it expires.
const TOKEN_MARGIN_MS: i64 = 60_000;
/// Tries for transient failures (5xx, timeouts, bad bodies).
const TRIES: u32 = 5;
/// Longest backoff step.
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// Retry-After assumed when a 429 carries none.
const DEFAULT_RETRY_AFTER: u64 = 5;
/// Burst waits for one request before it gives up.
const MAX_BURST_WAITS: u32 = 20;

/// The endpoints, for counting and for the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `search`
    Search,
    /// `artists/{id}`
    Artist,
    /// `artists/{id}/albums`
    ArtistAlbums,
    /// `albums/{id}`
    Album,
    /// `albums/{id}/tracks`
    AlbumTracks,
    /// `playlists/{id}`
    Playlist,
    /// `playlists/{id}/items`
    PlaylistItems,
}

impl Endpoint {
    /// The name used in counts.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Search => "search",
            Endpoint::Artist => "artist",
            Endpoint::ArtistAlbums => "artist_albums",
            Endpoint::Album => "album",
            Endpoint::AlbumTracks => "album_tracks",
            Endpoint::Playlist => "playlist",
            Endpoint::PlaylistItems => "playlist_items",
        }
    }
}

/// Why the run stopped fetching early (it can be resumed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Spotify's rolling daily quota; `retry_after` seconds until it lifts.
    Quota {
        /// Seconds Spotify asked to wait.
        retry_after: u64,
    },
    /// The configured `max_requests` would be exceeded.
    Budget,
    /// The caller's deadline (Lambda) is near.
    Deadline,
}

impl StopReason {
    /// `quota`, `budget` or `deadline`, as in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Quota { .. } => "quota",
            StopReason::Budget => "budget",
            StopReason::Deadline => "deadline",
        }
    }
}

/// A response the caller decides on.
#[derive(Debug)]
pub enum Answer<T> {
    /// 200: the parsed body and the body as received.
    Ok(T, String),
    /// 400, 403 or 404 (after retries for the others).
    Status {
        /// HTTP status.
        status: u16,
        /// Up to ~500 bytes of the body, for logs and skips.
        body: String,
    },
}

/// The shared client.
pub struct SpotifyClient {
    rs: ClientCredsSpotify,
    market: String,
    in_flight: Semaphore,
    gate: Mutex<Option<Instant>>,
    pacing: tokio::sync::Mutex<Option<Instant>>,
    min_interval: Duration,
    backoff_base: Duration,
    max_wait: Duration,
    refresh: tokio::sync::Mutex<()>,
    token_expires_ms: Arc<AtomicI64>,
    token_generation: Arc<AtomicU64>,
    token_requests: Arc<AtomicU64>,
    /// Token requests made before this run began ([`SpotifyClient::next_run`]).
    token_requests_before: u64,
    concurrency: usize,
    counts: Mutex<Requests>,
    stop: OnceLock<StopReason>,
    deadline: Option<Instant>,
    waits: AtomicU64,
}

/// Counters for progress and the summary.
#[derive(Debug, Clone, Default)]
pub struct ClientStats {
    /// `/v1` requests.
    pub requests: Requests,
    /// Token requests.
    pub token_requests: u64,
    /// 429 burst waits.
    pub waits: u64,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl SpotifyClient {
    /// Builds the client and fetches the first token. Bad credentials are
    /// an error here, before any other request.
    pub async fn connect(
        cfg: &SpotifyConfig,
        creds: &Credentials,
        deadline: Option<Instant>,
    ) -> Result<Self, ExtractError> {
        let token_expires_ms = Arc::new(AtomicI64::new(0));
        let token_generation = Arc::new(AtomicU64::new(0));
        let token_requests = Arc::new(AtomicU64::new(0));
        let callback = {
            let (expires, generation, count) = (
                Arc::clone(&token_expires_ms),
                Arc::clone(&token_generation),
                Arc::clone(&token_requests),
            );
            TokenCallback(Box::new(move |token: rspotify::Token| {
                expires.store(
                    token.expires_at.map_or(0, |t| t.timestamp_millis()),
                    Ordering::SeqCst,
                );
                generation.fetch_add(1, Ordering::SeqCst);
                count.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }))
        };
        let config = RsConfig {
            api_base_url: cfg.api_base_url.to_string(),
            auth_base_url: cfg.auth_base_url.to_string(),
            token_refreshing: true,
            token_callback_fn: Arc::new(Some(callback)),
            ..RsConfig::default()
        };
        let rs = ClientCredsSpotify::with_config(
            RsCredentials::new(&creds.client_id, &creds.client_secret),
            config,
        );
        let client = SpotifyClient {
            rs,
            market: cfg.market.clone(),
            in_flight: Semaphore::new(cfg.concurrency.get()),
            gate: Mutex::new(None),
            pacing: tokio::sync::Mutex::new(None),
            min_interval: cfg.min_interval,
            backoff_base: cfg.backoff_base,
            max_wait: cfg.max_wait,
            refresh: tokio::sync::Mutex::new(()),
            token_expires_ms,
            token_generation,
            token_requests,
            token_requests_before: 0,
            concurrency: cfg.concurrency.get(),
            counts: Mutex::new(Requests::default()),
            stop: OnceLock::new(),
            deadline,
            waits: AtomicU64::new(0),
        };
        client.rs.request_token().await.map_err(token_error)?;
        Ok(client)
    }

    /// A client for the next run of a long-lived process (a warm Lambda):
    /// it shares this one's HTTP connections and token (renewed only when
    /// near expiry), with fresh counters, no stop and its own deadline.
    pub fn next_run(&self, deadline: Option<Instant>) -> SpotifyClient {
        SpotifyClient {
            rs: self.rs.clone(),
            market: self.market.clone(),
            in_flight: Semaphore::new(self.concurrency),
            gate: Mutex::new(None),
            pacing: tokio::sync::Mutex::new(None),
            min_interval: self.min_interval,
            backoff_base: self.backoff_base,
            max_wait: self.max_wait,
            refresh: tokio::sync::Mutex::new(()),
            token_expires_ms: Arc::clone(&self.token_expires_ms),
            token_generation: Arc::clone(&self.token_generation),
            token_requests: Arc::clone(&self.token_requests),
            token_requests_before: self.token_requests.load(Ordering::SeqCst),
            concurrency: self.concurrency,
            counts: Mutex::new(Requests::default()),
            stop: OnceLock::new(),
            deadline,
            waits: AtomicU64::new(0),
        }
    }

    /// The market sent with every request.
    pub fn market(&self) -> &str {
        &self.market
    }

    /// Why fetching stopped, if it did.
    pub fn stopped(&self) -> Option<StopReason> {
        self.stop.get().copied()
    }

    /// Stops fetching (no request is sent afterwards).
    pub fn stop(&self, reason: StopReason) {
        if self.stop.set(reason).is_ok() {
            tracing::warn!(
                reason = reason.as_str(),
                "Stopping extraction; what was fetched is kept."
            );
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self
                .counts
                .lock()
                .expect("counter lock is never poisoned")
                .clone(),
            token_requests: self.token_requests.load(Ordering::SeqCst) - self.token_requests_before,
            waits: self.waits.load(Ordering::SeqCst),
        }
    }

    /// `/v1` requests sent so far.
    pub fn requests_sent(&self) -> u64 {
        self.counts
            .lock()
            .expect("counter lock is never poisoned")
            .total
    }

    fn count(&self, endpoint: Endpoint, status: &str) {
        let mut c = self.counts.lock().expect("counter lock is never poisoned");
        c.total += 1;
        *c.by_endpoint
            .entry(endpoint.as_str().to_owned())
            .or_default() += 1;
        *c.by_status.entry(status.to_owned()).or_default() += 1;
    }

    fn check_stop(&self) -> Result<(), ExtractError> {
        if let Some(reason) = self.stopped() {
            return Err(ExtractError::Stopped(reason));
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.stop(StopReason::Deadline);
            return Err(ExtractError::Stopped(StopReason::Deadline));
        }
        Ok(())
    }

    async fn wait_gate_and_pace(&self) {
        loop {
            let until = *self.gate.lock().expect("gate lock is never poisoned");
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t.into()).await,
                _ => break,
            }
        }
        if !self.min_interval.is_zero() {
            let mut next = self.pacing.lock().await;
            if let Some(t) = *next
                && t > Instant::now()
            {
                tokio::time::sleep_until(t.into()).await;
            }
            *next = Some(Instant::now() + self.min_interval);
        }
    }

    /// Renews the token when it is within a minute of expiring; one task
    /// renews, the others wait and see the new one.
    async fn ensure_fresh_token(&self) -> Result<(), ExtractError> {
        if now_ms() + TOKEN_MARGIN_MS < self.token_expires_ms.load(Ordering::SeqCst) {
            return Ok(());
        }
        let _one = self.refresh.lock().await;
        if now_ms() + TOKEN_MARGIN_MS >= self.token_expires_ms.load(Ordering::SeqCst) {
            self.rs.request_token().await.map_err(token_error)?;
        }
        Ok(())
    }

    /// After a 401 on a request sent with token `generation`: renew once for
    /// everyone (a task that comes later finds it renewed already).
    async fn refresh_after_401(&self, generation: u64) -> Result<(), ExtractError> {
        let _one = self.refresh.lock().await;
        if self.token_generation.load(Ordering::SeqCst) == generation {
            self.rs.request_token().await.map_err(token_error)?;
        }
        Ok(())
    }

    /// GETs `path` (relative to the API base) with `query` (the market is
    /// added) and parses the body as `T`. Transient failures are retried;
    /// 400, 403 and 404 are returned as [`Answer::Status`].
    pub async fn get<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Answer<T>, ExtractError> {
        let mut tries = 0u32;
        let mut burst_waits = 0u32;
        let mut refreshed = false;
        loop {
            self.check_stop()?;
            self.wait_gate_and_pace().await;
            self.ensure_fresh_token().await?;
            let generation = self.token_generation.load(Ordering::SeqCst);
            let outcome = {
                let _permit = self
                    .in_flight
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                self.check_stop()?;
                let mut q: std::collections::HashMap<&str, &str> =
                    query.iter().map(|(k, v)| (*k, v.as_str())).collect();
                q.insert("market", &self.market);
                let result = self.rs.api_get(path, &q).await;
                match result {
                    Ok(body) => Outcome::Body(body),
                    Err(ClientError::Http(e)) => match *e {
                        HttpError::StatusCode(resp) => {
                            let status = resp.status().as_u16();
                            let retry_after = resp
                                .headers()
                                .get("retry-after")
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.trim().parse::<u64>().ok());
                            let body = resp.text().await.unwrap_or_default();
                            Outcome::Status {
                                status,
                                retry_after,
                                body,
                            }
                        }
                        HttpError::Client(e) => Outcome::Transport(transport_message(&e)),
                    },
                    Err(other) => Outcome::Transport(transport_message(&other)),
                }
            };
            tries += 1;
            match outcome {
                Outcome::Body(body) => {
                    self.count(endpoint, "200");
                    match serde_json::from_str::<T>(&body) {
                        Ok(parsed) => return Ok(Answer::Ok(parsed, body)),
                        Err(e) => {
                            tracing::warn!(path, tries, error = %e, "Response body does not parse; retrying.");
                            if tries >= TRIES {
                                return Err(ExtractError::BadBody {
                                    path: path.to_owned(),
                                    tries,
                                    message: e.to_string(),
                                });
                            }
                        }
                    }
                }
                Outcome::Status {
                    status,
                    retry_after,
                    body,
                } => {
                    self.count(endpoint, &status.to_string());
                    let body = snippet(&body);
                    match status {
                        429 => {
                            let wait = retry_after.unwrap_or(DEFAULT_RETRY_AFTER);
                            let quota = body.contains("QUOTA_EXCEEDED")
                                || Duration::from_secs(wait) > self.max_wait;
                            if quota {
                                self.stop(StopReason::Quota { retry_after: wait });
                                return Err(ExtractError::Stopped(StopReason::Quota {
                                    retry_after: wait,
                                }));
                            }
                            burst_waits += 1;
                            if burst_waits > MAX_BURST_WAITS {
                                return Err(ExtractError::Transient {
                                    path: path.to_owned(),
                                    tries,
                                    status: Some(429),
                                    last: format!("429 after {MAX_BURST_WAITS} waits"),
                                });
                            }
                            self.close_gate(wait);
                            tries -= 1; // a burst wait is not a failed try
                            continue;
                        }
                        401 if !refreshed => {
                            refreshed = true;
                            tries -= 1;
                            self.refresh_after_401(generation).await?;
                            continue;
                        }
                        401 => {
                            return Err(ExtractError::Unauthorized {
                                path: path.to_owned(),
                            });
                        }
                        400 | 403 | 404 => return Ok(Answer::Status { status, body }),
                        s if s >= 500 => {
                            tracing::warn!(path, tries, status = s, "Server error; retrying.");
                            if tries >= TRIES {
                                return Err(ExtractError::Transient {
                                    path: path.to_owned(),
                                    tries,
                                    status: Some(s),
                                    last: format!("HTTP {s}: {body}"),
                                });
                            }
                        }
                        s => return Ok(Answer::Status { status: s, body }),
                    }
                }
                Outcome::Transport(message) => {
                    self.count(endpoint, "error");
                    tracing::warn!(path, tries, error = %message, "Request failed; retrying.");
                    if tries >= TRIES {
                        return Err(ExtractError::Transient {
                            path: path.to_owned(),
                            tries,
                            status: None,
                            last: message,
                        });
                    }
                }
            }
            tokio::time::sleep(backoff(self.backoff_base, tries)).await;
        }
    }

    fn close_gate(&self, retry_after: u64) {
        let jitter = 1.0 + fastrand::f64() * 0.2;
        let wait = Duration::from_secs_f64(retry_after as f64 * jitter);
        let until = Instant::now() + wait;
        let mut gate = self.gate.lock().expect("gate lock is never poisoned");
        if gate.is_none_or(|g| g < until) {
            *gate = Some(until);
        }
        self.waits.fetch_add(1, Ordering::SeqCst);
        tracing::info!(seconds = wait.as_secs_f64(), "Rate limited (429); waiting.");
    }
}

enum Outcome {
    Body(String),
    Status {
        status: u16,
        retry_after: Option<u64>,
        body: String,
    },
    Transport(String),
}

/// Full-jitter exponential backoff: uniform in [0, min(cap, base·2^(try-1))].
fn backoff(base: Duration, tries: u32) -> Duration {
    let step = base
        .saturating_mul(1 << tries.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    step.mul_f64(fastrand::f64())
}

/// What a transport error says, cause by cause. reqwest's own text
/// ("error sending request for url (…)") repeats the URL and its query and
/// hides why; its sources say it ("tcp connect error: Connection refused").
fn transport_message(err: &(dyn std::error::Error + 'static)) -> String {
    match err.source() {
        Some(source) => crate::error_chain(source),
        None => err.to_string(),
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

/// About 500 bytes of a body, on a character boundary.
fn snippet(body: &str) -> String {
    let mut end = body.len().min(500);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].to_owned()
}

fn token_error(e: ClientError) -> ExtractError {
    match e {
        ClientError::Http(h) => match *h {
            HttpError::StatusCode(resp) => ExtractError::Token {
                status: Some(resp.status().as_u16()),
            },
            HttpError::Client(e) => ExtractError::TokenTransport {
                message: e.to_string(),
            },
        },
        other => ExtractError::TokenTransport {
            message: other.to_string(),
        },
    }
}

/// Counts by status and endpoint merged into `into`.
pub fn merge_requests(into: &mut Requests, from: &Requests) {
    // Saturating: `into` may come from a manifest on disk, whose counts can
    // be anything up to u64::MAX (found by the `manifest` fuzz target).
    into.total = into.total.saturating_add(from.total);
    for (k, v) in &from.by_status {
        let n = into.by_status.entry(k.clone()).or_default();
        *n = n.saturating_add(*v);
    }
    for (k, v) in &from.by_endpoint {
        let n = into.by_endpoint.entry(k.clone()).or_default();
        *n = n.saturating_add(*v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9 (the `manifest` fuzz target): a manifest whose request
    /// counts are near u64::MAX panicked the next run's merge (overflow).
    #[test]
    fn issue_9_huge_manifest_request_counts_saturate() {
        let on_disk: Requests = serde_json::from_str(
            r#"{"total":18446744073709551614,"by_status":{"200":18446744073709551615},"by_endpoint":{"album":18446744073709551615}}"#,
        )
        .unwrap();
        let run = Requests {
            total: 3,
            by_status: [("200".to_owned(), 2), ("429".to_owned(), 1)].into(),
            by_endpoint: [("album".to_owned(), 3)].into(),
        };
        let mut merged = on_disk;
        merge_requests(&mut merged, &run);
        assert_eq!(merged.total, u64::MAX);
        assert_eq!(merged.by_status["200"], u64::MAX);
        assert_eq!(merged.by_status["429"], 1);
        assert_eq!(merged.by_endpoint["album"], u64::MAX);
    }

    #[test]
    fn backoff_is_jittered_and_capped() {
        let base = Duration::from_secs(1);
        for tries in 1..=10 {
            let d = backoff(base, tries);
            let cap = (base * 2u32.pow(tries - 1)).min(BACKOFF_CAP);
            assert!(d <= cap, "{tries}: {d:?} > {cap:?}");
        }
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

    #[test]
    fn snippets_cut_on_char_boundaries() {
        let s = "é".repeat(400);
        assert!(snippet(&s).len() <= 500);
        assert_eq!(snippet("short"), "short");
    }
}
