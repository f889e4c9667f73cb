//! One run's use of the [`SpotifyClient`]: the per-run state a weekly job
//! needs on top of a raw GET.
//!
//! - at most `concurrency` requests in flight (a semaphore, one permit per
//!   request, so nested fan-out cannot exceed it) and an optional pause
//!   between requests (`min_interval`);
//! - a gate that a 429 burst closes for Retry-After plus 0–20 % jitter,
//!   for every task;
//! - the stop: a quota, a budget or the deadline (a Lambda's); no request
//!   is sent after it;
//! - every `/v1` request counted by endpoint and status, and the token
//!   requests of the run.
//!
//! What to do after each reply is [`decide`](super::decide) (the retry
//! rule, in `retry`); [`Session::get`] carries it out. Statuses the caller
//! must decide on (400, 403, 404, other 4xx) come back as
//! [`Answer::Refused`], not as errors.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::ExtractError;
use super::client::{Reply, SpotifyClient};
use super::retry::{Decision, Failure, Tries, backoff, decide, log_retry};
use crate::config::SpotifyConfig;
use crate::summary::Requests;

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
    /// 400, 403, 404 or another 4xx (after the retries for 401 and 429).
    Refused(Refusal),
}

/// An answer other than 200 that is the caller's to decide on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// Up to ~500 bytes of the body, for logs and skips.
    pub body: String,
}

impl Refusal {
    /// A 403 to `path` as the run's error ([`ExtractError::Forbidden`]:
    /// fatal on every call but a playlist's); any other status as itself.
    pub fn unless_forbidden(self, path: &str) -> Result<Refusal, ExtractError> {
        match self.status {
            403 => Err(ExtractError::forbidden(path, &self.body)),
            _ => Ok(self),
        }
    }

    /// A skip's reason: `{what} answered HTTP {status}: {body}`.
    pub fn reason(&self, what: &str) -> String {
        format!("{what} answered HTTP {}: {}", self.status, self.body)
    }
}

/// Counters for progress and the summary.
#[derive(Debug, Clone, Default)]
pub struct SessionStats {
    /// `/v1` requests.
    pub requests: Requests,
    /// Token requests.
    pub token_requests: u64,
    /// 429 burst waits.
    pub waits: u64,
}

/// One run's use of the client.
pub struct Session<'c> {
    client: &'c SpotifyClient,
    in_flight: Semaphore,
    /// No request is sent before this (a 429 burst).
    gate: Mutex<Option<Instant>>,
    /// When the next request may go (`min_interval` pacing).
    pacing: tokio::sync::Mutex<Option<Instant>>,
    min_interval: Duration,
    backoff_base: Duration,
    max_wait: Duration,
    counts: Mutex<Requests>,
    stop: OnceLock<StopReason>,
    deadline: Option<Instant>,
    waits: AtomicU64,
    /// The client's token requests not of this session
    /// ([`SpotifyClient::token_baseline`]).
    token_requests_before: u64,
}

impl<'c> Session<'c> {
    /// A session of `client` with `cfg`'s limits; see
    /// [`SpotifyClient::session`].
    pub(super) fn new(
        client: &'c SpotifyClient,
        cfg: &SpotifyConfig,
        deadline: Option<Instant>,
    ) -> Self {
        Session {
            client,
            in_flight: Semaphore::new(cfg.concurrency.get()),
            gate: Mutex::new(None),
            pacing: tokio::sync::Mutex::new(None),
            min_interval: cfg.min_interval,
            backoff_base: cfg.backoff_base,
            max_wait: cfg.max_wait,
            counts: Mutex::new(Requests::default()),
            stop: OnceLock::new(),
            deadline,
            waits: AtomicU64::new(0),
            token_requests_before: client.token_baseline(),
        }
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
    pub fn stats(&self) -> SessionStats {
        SessionStats {
            requests: self
                .counts
                .lock()
                .expect("counter lock is never poisoned")
                .clone(),
            token_requests: self.client.token_requests() - self.token_requests_before,
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

    /// GETs `path` (relative to the API base) with `query` (the market is
    /// added) and parses the body as `T`. Transient failures are retried
    /// ([`decide`]); other statuses are returned as [`Answer::Refused`].
    pub async fn get<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Answer<T>, ExtractError> {
        let mut tries = Tries::default();
        loop {
            let (generation, reply) = self.send(path, query).await?;
            let failure = match reply {
                Reply::Body(body) => {
                    self.count(endpoint, "200");
                    match serde_json::from_str::<T>(&body) {
                        Ok(parsed) => return Ok(Answer::Ok(parsed, body)),
                        Err(e) => Failure::BadBody(e.to_string()),
                    }
                }
                Reply::Status {
                    status,
                    retry_after,
                    body,
                } => {
                    self.count(endpoint, &status.to_string());
                    Failure::Status {
                        status,
                        retry_after,
                        body: snippet(&body),
                    }
                }
                Reply::Transport(message) => {
                    self.count(endpoint, "error");
                    Failure::Transport(message)
                }
            };
            log_retry(&failure, path, tries.failed + 1);
            match decide(failure, &mut tries, path, self.max_wait) {
                Decision::Backoff => {
                    tokio::time::sleep(backoff(self.backoff_base, tries.failed)).await;
                }
                Decision::WaitBurst { retry_after } => self.close_gate(retry_after),
                Decision::RefreshToken => self.client.refresh_after_401(generation).await?,
                Decision::Refused(refusal) => return Ok(Answer::Refused(refusal)),
                Decision::Stop(reason) => {
                    self.stop(reason);
                    return Err(ExtractError::Stopped(reason));
                }
                Decision::Fail(e) => return Err(e),
            }
        }
    }

    /// One try: waits for the gate, the pacing, a fresh token and a permit,
    /// then sends. Returns the token generation it was sent with.
    async fn send(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(u64, Reply), ExtractError> {
        self.check_stop()?;
        self.wait_gate_and_pace().await;
        self.client.ensure_fresh_token().await?;
        let generation = self.client.token_generation();
        let _permit = self
            .in_flight
            .acquire()
            .await
            .expect("the semaphore is never closed");
        self.check_stop()?;
        Ok((generation, self.client.send(path, query).await))
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

/// About 500 bytes of a body, on a character boundary.
fn snippet(body: &str) -> String {
    let mut end = body.len().min(500);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].to_owned()
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

    #[test]
    fn refusals_name_the_request_and_a_403_is_fatal() {
        let r = Refusal {
            status: 404,
            body: "gone".into(),
        };
        assert_eq!(
            r.reason("GET albums/x"),
            "GET albums/x answered HTTP 404: gone"
        );
        assert_eq!(r.clone().unless_forbidden("albums/x").ok(), Some(r));
        let forbidden = Refusal {
            status: 403,
            body: "{}".into(),
        }
        .unless_forbidden("albums/x");
        assert!(matches!(forbidden, Err(ExtractError::Forbidden { .. })));
    }

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
    fn snippets_cut_on_char_boundaries() {
        let s = "é".repeat(400);
        assert!(snippet(&s).len() <= 500);
        assert_eq!(snippet("short"), "short");
    }
}
