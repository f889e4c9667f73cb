//! The Spotify Web API client: what lives as long as the process does.
//!
//! It holds the HTTP transport (its connection pool), the
//! client-credentials token, the base URLs and the market. The CLI builds
//! one per run; a warm Lambda keeps one across invocations, so they reuse
//! connections and the token (renewed only near expiry). What belongs to
//! one run (counts, the stop, the deadline, the 429 gate, pacing, the
//! in-flight limit) is a [`Session`], made by [`SpotifyClient::session`].
//!
//! rspotify is used through its public API only: the token through its
//! client-credentials flow ([`ClientCredsSpotify::request_token`], whose
//! callback tells us when the token expires and counts token requests), and
//! each GET through its HTTP client ([`BaseClient::get_http`], the same
//! reqwest client and connection pool) with the token's `Authorization`
//! header, the body returned as received, which the raw zone stores. Its
//! endpoints, paging and models do not fit the 2026 API (SPOTIFY_API.md §8).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

use rspotify::clients::BaseClient as _;
use rspotify::http::{BaseHttpClient as _, Headers, HttpError};
use rspotify::{
    ClientCredsSpotify, ClientError, ClientResult, Config as RsConfig,
    Credentials as RsCredentials, TokenCallback,
};

use super::ExtractError;
use super::session::Session;
use crate::config::{Credentials, SpotifyConfig};

/// Renew the token this long before it expires.
const TOKEN_MARGIN_MS: i64 = 60_000;

/// The process-long client: transport, token, base URLs, market.
pub struct SpotifyClient {
    rs: ClientCredsSpotify,
    market: String,
    token: TokenState,
    /// One token renewal at a time.
    refresh: tokio::sync::Mutex<()>,
    /// Whether a session was made (see [`SpotifyClient::token_baseline`]).
    had_session: AtomicBool,
}

/// What rspotify's token callback records.
#[derive(Default)]
struct TokenState {
    /// When the token expires (ms since the epoch).
    expires_ms: Arc<AtomicI64>,
    /// Tokens received so far; a request sent with an older one that
    /// answers 401 needs no renewal.
    generation: Arc<AtomicU64>,
    /// Token requests made by this client.
    requests: Arc<AtomicU64>,
}

impl TokenState {
    fn callback(&self) -> TokenCallback {
        let (expires, generation, count) = (
            Arc::clone(&self.expires_ms),
            Arc::clone(&self.generation),
            Arc::clone(&self.requests),
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
    }
}

/// What one GET came back with, before any decision.
#[derive(Debug)]
pub(super) enum Reply {
    /// 2xx: the body as received.
    Body(String),
    /// Any other answer.
    Status {
        /// HTTP status.
        status: u16,
        /// `Retry-After` in seconds, when given.
        retry_after: Option<u64>,
        /// The body as received.
        body: String,
    },
    /// No answer (a connection error, a timeout): what failed.
    Transport(String),
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl SpotifyClient {
    /// Builds the client and fetches the first token. Bad credentials are
    /// an error here, before any other request.
    pub async fn connect(cfg: &SpotifyConfig, creds: &Credentials) -> Result<Self, ExtractError> {
        let token = TokenState::default();
        let config = RsConfig {
            api_base_url: cfg.api_base_url.to_string(),
            auth_base_url: cfg.auth_base_url.to_string(),
            token_refreshing: true,
            token_callback_fn: Arc::new(Some(token.callback())),
            ..RsConfig::default()
        };
        let rs = ClientCredsSpotify::with_config(
            RsCredentials::new(&creds.client_id, &creds.client_secret),
            config,
        );
        rs.request_token().await.map_err(token_error)?;
        Ok(SpotifyClient {
            rs,
            market: cfg.market.clone(),
            token,
            refresh: tokio::sync::Mutex::new(()),
            had_session: AtomicBool::new(false),
        })
    }

    /// A session for one run: its own counts, stop, 429 gate, pacing and
    /// in-flight limit (from `cfg`), stopping at `deadline` if given.
    pub fn session(&self, cfg: &SpotifyConfig, deadline: Option<Instant>) -> Session<'_> {
        Session::new(self, cfg, deadline)
    }

    /// The market sent with every request.
    pub fn market(&self) -> &str {
        &self.market
    }

    /// Token requests this client has made.
    pub(super) fn token_requests(&self) -> u64 {
        self.token.requests.load(Ordering::SeqCst)
    }

    /// The token requests a new session counts from: none for the first
    /// session (it counts the token `connect` fetched for it), the total so
    /// far for a later one (a warm Lambda's reused token is no request of
    /// its run).
    pub(super) fn token_baseline(&self) -> u64 {
        if self.had_session.swap(true, Ordering::SeqCst) {
            self.token_requests()
        } else {
            0
        }
    }

    /// The current token's generation, to pass to
    /// [`SpotifyClient::refresh_after_401`].
    pub(super) fn token_generation(&self) -> u64 {
        self.token.generation.load(Ordering::SeqCst)
    }

    fn token_is_fresh(&self) -> bool {
        now_ms() + TOKEN_MARGIN_MS < self.token.expires_ms.load(Ordering::SeqCst)
    }

    /// Renews the token when it is within a minute of expiring; one task
    /// renews, the others wait and see the new one.
    pub(super) async fn ensure_fresh_token(&self) -> Result<(), ExtractError> {
        if self.token_is_fresh() {
            return Ok(());
        }
        let _one = self.refresh.lock().await;
        if !self.token_is_fresh() {
            self.rs.request_token().await.map_err(token_error)?;
        }
        Ok(())
    }

    /// After a 401 on a request sent with token `generation`: renew once for
    /// everyone (a task that comes later finds it renewed already).
    pub(super) async fn refresh_after_401(&self, generation: u64) -> Result<(), ExtractError> {
        let _one = self.refresh.lock().await;
        if self.token_generation() == generation {
            self.rs.request_token().await.map_err(token_error)?;
        }
        Ok(())
    }

    /// One GET of `path` (relative to the API base) with `query` and the
    /// market; no retry, no count.
    pub(super) async fn send(&self, path: &str, query: &[(&str, String)]) -> Reply {
        let mut q: HashMap<&str, &str> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        q.insert("market", &self.market);
        let headers = match self.auth_headers().await {
            Ok(h) => h,
            Err(ClientError::Http(e)) => return http_reply(*e).await,
            Err(other) => return Reply::Transport(transport_message(&other)),
        };
        let url = self.rs.api_url(path);
        match self.rs.get_http().get(&url, Some(&headers), &q).await {
            Ok(body) => Reply::Body(body),
            Err(e) => http_reply(e).await,
        }
    }

    /// The bearer header, renewing an expired token first as rspotify's
    /// own endpoints do.
    async fn auth_headers(&self) -> ClientResult<Headers> {
        self.rs.auto_reauth().await?;
        let token = self.rs.get_token();
        let held = token.lock().await.map_err(|_| ClientError::InvalidToken)?;
        held.as_ref()
            .map(rspotify::Token::auth_headers)
            .ok_or(ClientError::InvalidToken)
    }
}

/// An HTTP error as a [`Reply`]: a status (with `Retry-After` and the
/// body) or a transport failure.
async fn http_reply(e: HttpError) -> Reply {
    match e {
        HttpError::StatusCode(resp) => {
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = resp.text().await.unwrap_or_default();
            Reply::Status {
                status,
                retry_after,
                body,
            }
        }
        HttpError::Client(e) => Reply::Transport(transport_message(&e)),
    }
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
