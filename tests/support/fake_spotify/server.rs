//! The server's state and its request pipeline: log, count, token check,
//! knobs (premium lapse, faults, quota, burst), then the endpoint's answer
//! (`answers.rs`). Also the token endpoint.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::{
    CLIENT_ID, CLIENT_SECRET, EDITORIAL_PREFIX, FakeAlbum, FakeArtist, FakeData, FakeItem,
    FakePlaylist, FakeTrack, Fault, Knobs, Logged, lock,
};

// ------------------------------------------------------------------ state

pub(super) struct Shared {
    pub(super) origin: String,
    pub(super) data: FakeData,
    /// album id → (artist index, album index), first listing.
    albums: HashMap<String, (usize, usize)>,
    /// track id → (artist index, album index, track index).
    tracks: HashMap<String, (usize, usize, usize)>,
    artists: HashMap<String, usize>,
    playlists: HashMap<String, usize>,
    pub(super) knobs: Mutex<Knobs>,
    pub(super) state: Mutex<Counters>,
    pub(super) log: Mutex<Vec<Logged>>,
}

#[derive(Default)]
pub(super) struct Counters {
    /// `/v1` requests so far.
    v1: u64,
    /// token → (generation, expiry).
    tokens: HashMap<String, (u64, Instant)>,
    pub(super) next_generation: u64,
    /// With `revoked` on, tokens of a lower generation are rejected.
    pub(super) revoked_below: u64,
    /// Set by `Knobs::revoke_at`: the revocation holds without `revoked`.
    pub(super) revoked_by_count: bool,
    /// Arrival times of the answered requests in the burst window.
    window: VecDeque<Instant>,
}

impl Shared {
    pub(super) fn new(origin: String, data: FakeData, knobs: Knobs) -> Shared {
        let mut albums = HashMap::new();
        let mut tracks = HashMap::new();
        let mut artists = HashMap::new();
        for (ai, artist) in data.artists.iter().enumerate() {
            artists.entry(artist.id.clone()).or_insert(ai);
            for (bi, album) in artist.albums.iter().enumerate() {
                albums.entry(album.id.clone()).or_insert((ai, bi));
                for (ti, track) in album.tracks.iter().enumerate() {
                    tracks.entry(track.id.clone()).or_insert((ai, bi, ti));
                }
            }
        }
        let mut playlists = HashMap::new();
        for (pi, p) in data.playlists.iter().enumerate() {
            playlists.entry(p.id.clone()).or_insert(pi);
            for item in &p.items {
                if let FakeItem::Track { track_id, .. } = item {
                    assert!(
                        tracks.contains_key(track_id),
                        "playlist {} names track {track_id}, which no FakeAlbum holds",
                        p.id
                    );
                }
            }
        }
        Shared {
            origin,
            data,
            albums,
            tracks,
            artists,
            playlists,
            knobs: Mutex::new(knobs),
            state: Mutex::new(Counters::default()),
            log: Mutex::new(Vec::new()),
        }
    }

    pub(super) fn album(&self, id: &str) -> Option<&FakeAlbum> {
        let &(a, b) = self.albums.get(id)?;
        Some(&self.data.artists[a].albums[b])
    }

    pub(super) fn track(&self, id: &str) -> Option<(&FakeAlbum, &FakeTrack)> {
        let &(a, b, t) = self.tracks.get(id)?;
        let album = &self.data.artists[a].albums[b];
        Some((album, &album.tracks[t]))
    }

    pub(super) fn artist(&self, id: &str) -> Option<&FakeArtist> {
        self.artists.get(id).map(|&i| &self.data.artists[i])
    }

    pub(super) fn playlist(&self, id: &str) -> Option<&FakePlaylist> {
        self.playlists.get(id).map(|&i| &self.data.playlists[i])
    }

    pub(super) fn is_editorial(&self, id: &str) -> bool {
        id.starts_with(EDITORIAL_PREFIX) || self.data.editorial.iter().any(|e| e == id)
    }
}

// ---------------------------------------------------------------- replies

/// An answer before it becomes an HTTP response.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) body: Vec<u8>,
    pub(super) content_type: &'static str,
    pub(super) retry_after: Option<u64>,
}

const JSON: &str = "application/json; charset=utf-8";

impl Reply {
    pub(super) fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            body: serde_json::to_vec(body).expect("JSON serialises"),
            content_type: JSON,
            retry_after: None,
        }
    }

    /// Spotify's error shape `{"error":{"status","message"}}`.
    pub(super) fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            &json!({"error": {"status": status, "message": message}}),
        )
    }

    /// The OAuth error shape of the token endpoint.
    fn oauth(error: &str, description: &str) -> Reply {
        Reply::json(
            400,
            &json!({"error": error, "error_description": description}),
        )
    }

    fn too_many(retry_after: Option<u64>, body: &Value) -> Reply {
        Reply {
            retry_after,
            ..Reply::json(429, body)
        }
    }

    fn into_response(self) -> Response {
        let mut b = Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, self.content_type);
        if let Some(secs) = self.retry_after {
            b = b.header(header::RETRY_AFTER, secs.to_string());
        }
        b.body(Body::from(self.body)).expect("a valid response")
    }
}

impl Fault {
    fn reply(&self) -> Reply {
        let rate = json!({"error": {"status": 429, "message": "API rate limit exceeded"}});
        match *self {
            Fault::TooManyNoRetryAfter => Reply::too_many(None, &rate),
            Fault::TooMany(secs) => Reply::too_many(Some(secs), &rate),
            Fault::Status(s) => Reply::error(s, status_text(s)),
            Fault::EmptyBody(s) => Reply { status: s, body: Vec::new(), content_type: JSON, retry_after: None },
            Fault::Html(s) => Reply {
                status: s,
                body: format!(
                    "<html>\r\n<head><title>{s} {t}</title></head>\r\n<body>\r\n<center><h1>{s} {t}</h1></center>\r\n</body>\r\n</html>\r\n",
                    t = status_text(s)
                )
                .into_bytes(),
                content_type: "text/html",
                retry_after: None,
            },
            Fault::Truncated200 | Fault::Hang => unreachable!("answered from the real answer"),
        }
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        500 => "Server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Fault injected by the fake",
    }
}

// ---------------------------------------------------------------- handler

pub(super) async fn handle(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let at = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let mut query = BTreeMap::new();
    for (k, v) in &pairs {
        query.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bearer = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let knobs = lock(&s.knobs).clone();

    let (reply, fault) = if path == "/api/token" {
        let body = axum::body::to_bytes(req.into_body(), 1 << 16)
            .await
            .unwrap_or_default();
        (
            s.token(&method, authorization.as_deref(), &body, &knobs, at),
            None,
        )
    } else if path == "/v1" || path.starts_with("/v1/") {
        s.v1(
            &method,
            &path,
            &pairs,
            &query,
            bearer.as_deref(),
            &knobs,
            at,
        )
    } else {
        (Reply::error(404, "Service not found"), None)
    };

    lock(&s.log).push(Logged {
        method: method.to_string(),
        path,
        query,
        status: reply.status,
        bearer,
        at,
        fault: fault.clone(),
    });

    let (fixed, jitter) = knobs.latency;
    let mut delay = fixed;
    if !jitter.is_zero() {
        delay += Duration::from_nanos(fastrand::u64(0..=jitter.as_nanos() as u64));
    }
    if fault == Some(Fault::Hang) {
        delay += knobs.hang_for;
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    reply.into_response()
}

impl Shared {
    /// `POST /api/token`.
    fn token(
        &self,
        method: &Method,
        authorization: Option<&str>,
        body: &[u8],
        knobs: &Knobs,
        now: Instant,
    ) -> Reply {
        if method != Method::POST {
            return Reply::json(
                405,
                &json!({"error": "method_not_allowed", "error_description": "Use POST"}),
            );
        }
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let basic = authorization
            .and_then(|a| a.strip_prefix("Basic "))
            .and_then(|b| base64_decode(b.trim()))
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|s| s.split_once(':').map(|(i, p)| (i.to_owned(), p.to_owned())));
        let creds = basic.or_else(|| {
            Some((
                form.get("client_id")?.clone(),
                form.get("client_secret")?.clone(),
            ))
        });
        match creds {
            Some((id, _)) if id != CLIENT_ID => {
                return Reply::oauth("invalid_client", "Invalid client");
            }
            Some((_, secret)) if secret != CLIENT_SECRET => {
                return Reply::oauth("invalid_client", "Invalid client secret");
            }
            Some(_) => {}
            None => return Reply::oauth("invalid_client", "Invalid client"),
        }
        match form.get("grant_type").map(String::as_str) {
            Some("client_credentials") => {}
            None => {
                return Reply::oauth("unsupported_grant_type", "grant_type parameter is missing");
            }
            Some(_) => {
                return Reply::oauth(
                    "unsupported_grant_type",
                    "grant_type parameter must be client_credentials, authorization_code or refresh_token",
                );
            }
        }
        let token: String = std::iter::once("BQ".to_owned())
            .chain((0..100).map(|_| fastrand::alphanumeric().to_string()))
            .collect();
        let mut state = lock(&self.state);
        let generation = state.next_generation;
        state.next_generation += 1;
        let expiry = now + Duration::from_secs(knobs.token_ttl_secs);
        state.tokens.insert(token.clone(), (generation, expiry));
        Reply::json(
            200,
            &json!({"access_token": token, "token_type": "Bearer", "expires_in": knobs.token_ttl_secs}),
        )
    }

    /// A `/v1` request: count, auth, knobs, answer.
    #[allow(clippy::too_many_arguments)]
    fn v1(
        &self,
        method: &Method,
        path: &str,
        pairs: &[(String, String)],
        query: &BTreeMap<String, String>,
        bearer: Option<&str>,
        knobs: &Knobs,
        now: Instant,
    ) -> (Reply, Option<Fault>) {
        let mut state = lock(&self.state);
        state.v1 += 1;
        let k = state.v1;
        if knobs.revoke_at == Some(k) {
            state.revoked_below = state.next_generation;
            state.revoked_by_count = true;
        }
        let Some(token) = bearer else {
            return (Reply::error(401, "No token provided"), None);
        };
        match state.tokens.get(token) {
            None => return (Reply::error(401, "Invalid access token"), None),
            Some(&(generation, expiry)) => {
                let revoked = knobs.revoked || state.revoked_by_count;
                if now >= expiry || (revoked && generation < state.revoked_below) {
                    return (Reply::error(401, "The access token expired"), None);
                }
            }
        }
        if knobs.premium_lapsed {
            return (
                Reply::error(
                    403,
                    "Active premium subscription required for the owner of the app. Renew it to use the Web API.",
                ),
                None,
            );
        }
        let fault = knobs.faults.get(&k).cloned();
        match fault {
            None | Some(Fault::Hang) => {}
            Some(Fault::Truncated200) => {
                drop(state);
                let real = self.answer(method, path, pairs, query, knobs);
                let half = real.body.len() / 2;
                let body = real.body[..half].to_vec();
                return (
                    Reply {
                        status: 200,
                        body,
                        ..real
                    },
                    fault,
                );
            }
            Some(ref f) => return (f.reply(), fault),
        }
        if knobs.quota_after.is_some_and(|m| k > m) {
            let body = json!({"error": {
                "status": 429,
                "message": "You have exceeded your quota for this period. Try again later.",
                "reason": "QUOTA_EXCEEDED",
            }});
            return (Reply::too_many(Some(knobs.quota_retry_after), &body), fault);
        }
        if let Some((n, secs)) = knobs.burst {
            let window = Duration::from_secs(secs);
            while state.window.front().is_some_and(|&t| t + window <= now) {
                state.window.pop_front();
            }
            if state.window.len() >= n {
                let wait = state
                    .window
                    .front()
                    .map_or(window, |&t| (t + window).saturating_duration_since(now));
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let body = json!({"error": {"status": 429, "message": "API rate limit exceeded"}});
                return (Reply::too_many(Some(secs.max(1)), &body), fault);
            }
            state.window.push_back(now);
        }
        drop(state);
        (self.answer(method, path, pairs, query, knobs), fault)
    }
}

/// Standard base64 (padding optional); `None` if malformed.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
