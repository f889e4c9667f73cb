//! A fake Spotify Web API for the tests: an in-process axum server on
//! 127.0.0.1 (a free port), one per test, that answers like SPOTIFY_API.md
//! describes the 2026 API (§2–§6, checklist §9): the client-credentials
//! token endpoint, the `/v1` endpoints the extractor uses in development or
//! extended mode, complete paging objects, and knobs for what goes wrong
//! (expired or revoked tokens, 429 bursts and quotas, 5xx, broken bodies,
//! hangs, latency). Every request is logged, so tests assert on what the
//! client sent.
//!
//! ```ignore
//! let fake = FakeSpotify::start(FakeData::from_sample(&sample_snapshot()), Knobs::dev()).await;
//! // SPOTIFY_API_BASE_URL = fake.api_base_url(), SPOTIFY_AUTH_BASE_URL = fake.auth_base_url()
//! fake.set_knobs(|k| k.quota_after = Some(10));
//! assert_eq!(fake.count("album"), 42);
//! ```
//!
//! The server runs on its own thread with its own runtime, so a test may
//! block its own (running the binary with `Command::output`, a
//! current-thread `#[tokio::test]`) and the fake still answers. Dropping the
//! `FakeSpotify` stops it.
//!
//! Order of decisions for a `/v1` request: it is counted (1-based, every
//! `/v1` request), then the bearer token is checked (401), then the knobs
//! apply in this order: `premium_lapsed`, `faults[k]`, `quota_after`,
//! `burst`, then the real answer.
//!
//! Layout: this file holds the public API (knobs, log, start); `server`
//! the token endpoint, the auth check and the knobs; `answers` the
//! endpoints; `json` the Spotify objects per mode; `data` the catalogue;
//! `tests` the fake's own tests (against SPOTIFY_API.md), beside it
//! rather than among the product's.
//!
//! Why not wiremock or canned files: paging, limits per mode and the
//! 429 window depend on the request and on what came before; a small
//! server with the data in memory says so directly.

mod answers;
mod data;
mod json;
mod server;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;

pub use data::{FakeAlbum, FakeArtist, FakeData, FakeItem, FakePlaylist, FakeTrack};
use server::{Shared, handle};

/// The client id the fake accepts.
pub const CLIENT_ID: &str = "f4ce5b07c1e47000a11d0000c0ffee01";
/// The client secret the fake accepts.
pub const CLIENT_SECRET: &str = "5ec2e7f4ce5b07000000000000000042";

/// Spotify-owned editorial playlists start with this: 404 in every mode.
pub const EDITORIAL_PREFIX: &str = "37i9dQZ";

/// `Retry-After` of the quota 429 unless set (seen live: 48925 s).
pub const QUOTA_RETRY_AFTER: u64 = 48_925;

/// Which app the token belongs to (SPOTIFY_API.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Mode {
    /// Development mode: fields removed, batch and `/items` 403, artist
    /// albums `limit` ≤ 10, search ≤ 10.
    #[default]
    Dev,
    /// Extended quota mode: every field, limits up to 50, legacy paths.
    Ext,
    /// Extended mode whose artist-albums `limit` is capped at 10 like dev.
    ExtCapped10,
}

/// `genres` on artists and albums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum GenresKnob {
    /// No `genres` key.
    Absent,
    /// `"genres": null`.
    Null,
    /// `"genres": []`.
    Empty,
    /// The artist's genres; `[]` on albums (Spotify's albums carry none).
    #[default]
    Present,
}

/// Key names of playlist contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum PlaylistKeys {
    /// 2026: `items` on the playlist, `item` in each entry.
    #[default]
    New,
    /// Before 2026: `tracks` and `track`.
    Legacy,
    /// Both pairs, with the same values.
    Both,
}

/// What the k-th `/v1` request gets instead of its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 without `Retry-After`.
    TooManyNoRetryAfter,
    /// 429 with this `Retry-After` (seconds; 0 is allowed).
    TooMany(u64),
    /// This status (500, 502, 503, …) with a JSON error body.
    Status(u16),
    /// This status with an empty body.
    EmptyBody(u16),
    /// This status with an HTML body (`text/html`).
    Html(u16),
    /// 200 whose body is the real answer cut in half.
    Truncated200,
    /// Sleeps `Knobs::hang_for` (past the client's 10 s timeout by
    /// default), then sends the real answer.
    Hang,
}

/// Behaviour, changeable mid-test with [`FakeSpotify::set_knobs`].
#[derive(Debug, Clone)]
pub struct Knobs {
    /// Development or extended mode.
    pub mode: Mode,
    /// `expires_in` of new tokens; 0 makes every token expire at once (so
    /// every `/v1` call is a 401, even after a new token).
    pub token_ttl_secs: u64,
    /// Turning it on (false → true) revokes every token issued so far: their
    /// `/v1` calls get 401 until the client fetches a new token. Turning it
    /// off makes them valid again.
    pub revoked: bool,
    /// At the k-th `/v1` request, revoke every token issued so far (as
    /// turning `revoked` on would), without the test racing the client.
    pub revoke_at: Option<u64>,
    /// `(n, secs)`: at most n answered requests per rolling window of secs
    /// seconds; more get 429 with `Retry-After` = seconds (rounded up) until
    /// the oldest in the window leaves it. Rejected requests do not count.
    pub burst: Option<(usize, u64)>,
    /// After this many `/v1` requests, every further one gets the quota 429
    /// (`"reason":"QUOTA_EXCEEDED"`, `Retry-After: quota_retry_after`).
    pub quota_after: Option<u64>,
    /// `Retry-After` of the quota 429.
    pub quota_retry_after: u64,
    /// k (1-based, counting every `/v1` request) → the fault it gets.
    pub faults: BTreeMap<u64, Fault>,
    /// Delay of every answer: fixed + uniform jitter in [0, second].
    pub latency: (Duration, Duration),
    /// How long [`Fault::Hang`] sleeps (default 15 s).
    pub hang_for: Duration,
    /// Artist-album series end with an empty page whose `next` is not null
    /// (every page's `next` is set, and `total` counts one phantom album
    /// past the last full page, so a client also stopping on
    /// `offset ≥ total` still reaches the empty page).
    pub empty_page_with_next: bool,
    /// Every `/v1` call gets 403 (the app owner's Premium lapsed).
    pub premium_lapsed: bool,
    /// `genres` on artists and albums.
    pub genres: GenresKnob,
    /// Playlist key shape (a playlist's own `keys` wins).
    pub playlist_keys: PlaylistKeys,
    /// Search lists near matches before exact ones (default: exact first).
    pub search_exact_last: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            mode: Mode::Dev,
            token_ttl_secs: 3600,
            revoked: false,
            revoke_at: None,
            burst: None,
            quota_after: None,
            quota_retry_after: QUOTA_RETRY_AFTER,
            faults: BTreeMap::new(),
            latency: (Duration::ZERO, Duration::ZERO),
            hang_for: Duration::from_secs(15),
            empty_page_with_next: false,
            premium_lapsed: false,
            genres: GenresKnob::Present,
            playlist_keys: PlaylistKeys::New,
            search_exact_last: false,
        }
    }
}

impl Knobs {
    /// Development mode, everything else default.
    pub fn dev() -> Self {
        Knobs::default()
    }

    /// Extended mode, everything else default.
    pub fn ext() -> Self {
        Knobs {
            mode: Mode::Ext,
            ..Knobs::default()
        }
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path without the query, e.g. `/v1/albums/ID`.
    pub path: String,
    /// Query parameters (the first of repeated ones).
    pub query: BTreeMap<String, String>,
    /// Status sent (for a hang: the one sent after `hang_for`).
    pub status: u16,
    /// The bearer token, if any.
    pub bearer: Option<String>,
    /// Arrival time.
    pub at: Instant,
    /// The knob fault it got (`Knobs::faults`), if any.
    pub fault: Option<Fault>,
}

impl Logged {
    /// `token`, `search`, `artist`, `artist_albums`, `album`,
    /// `album_tracks`, `playlist`, `playlist_items` (`/items` and
    /// `/tracks`), `batch` (`albums|artists|tracks?ids=`) or `other`.
    pub fn endpoint(&self) -> &'static str {
        endpoint_of(&self.path)
    }
}

fn endpoint_of(path: &str) -> &'static str {
    if path == "/api/token" {
        return "token";
    }
    let Some(rest) = path.strip_prefix("/v1/") else {
        return "other";
    };
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["search"] => "search",
        ["artists", _] => "artist",
        ["artists", _, "albums"] => "artist_albums",
        ["albums", _] => "album",
        ["albums", _, "tracks"] => "album_tracks",
        ["playlists", _] => "playlist",
        ["playlists", _, "items" | "tracks"] => "playlist_items",
        ["albums" | "artists" | "tracks"] => "batch",
        _ => "other",
    }
}

/// A running fake. Dropping it stops the server.
pub struct FakeSpotify {
    shared: Arc<Shared>,
    /// Dropped with the fake, which stops the server (`serve_on_thread`).
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl FakeSpotify {
    /// Starts a server on 127.0.0.1 with a free port. Panics if a playlist
    /// names a track that no album holds.
    pub async fn start(data: FakeData, knobs: Knobs) -> FakeSpotify {
        Self::start_blocking(data, knobs)
    }

    /// [`FakeSpotify::start`] for plain `#[test]`s that run the binary: the
    /// server lives on its own thread, so nothing here awaits.
    pub fn start_blocking(data: FakeData, knobs: Knobs) -> FakeSpotify {
        let listener = super::loopback::bind_loopback();
        let origin = format!("http://{}", listener.local_addr().expect("a bound address"));
        let shared = Arc::new(Shared::new(origin, data, knobs));
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let stop = super::loopback::serve_on_thread("fake-spotify", listener, app);
        FakeSpotify {
            shared,
            _stop: stop,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        self.shared.origin.clone()
    }

    /// `http://127.0.0.1:PORT/v1/` (`SPOTIFY_API_BASE_URL`).
    pub fn api_base_url(&self) -> String {
        format!("{}/v1/", self.shared.origin)
    }

    /// `http://127.0.0.1:PORT/` (`SPOTIFY_AUTH_BASE_URL`; the token is at
    /// `{auth}api/token`).
    pub fn auth_base_url(&self) -> String {
        format!("{}/", self.shared.origin)
    }

    /// The environment a `run` against this fake needs: both base URLs and
    /// the accepted credentials.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SPOTIFY_API_BASE_URL", self.api_base_url()),
            ("SPOTIFY_AUTH_BASE_URL", self.auth_base_url()),
            ("SPOTIFY_CLIENT_ID", CLIENT_ID.to_owned()),
            ("SPOTIFY_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ]
    }

    /// Every form a leaked credential could take: the client secret, the
    /// Basic credentials of the token request and each bearer token issued
    /// so far. Tests assert none is in the logs or the raw zone.
    pub fn secret_forms(&self) -> Vec<String> {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
        let mut forms = vec![CLIENT_SECRET.to_owned(), basic];
        forms.extend(self.requests().into_iter().filter_map(|r| r.bearer));
        forms.sort();
        forms.dedup();
        forms
    }

    /// Every request so far, in arrival order (token requests too). An
    /// entry is written when the answer is decided, before any latency.
    pub fn requests(&self) -> Vec<Logged> {
        lock(&self.shared.log).clone()
    }

    /// How many requests went to `endpoint` (see [`Logged::endpoint`]).
    pub fn count(&self, endpoint: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.endpoint() == endpoint)
            .count()
    }

    /// Changes the knobs; requests arriving afterwards see the change.
    pub fn set_knobs(&self, f: impl FnOnce(&mut Knobs)) {
        let mut knobs = lock(&self.shared.knobs);
        let was_revoked = knobs.revoked;
        f(&mut knobs);
        if knobs.revoked && !was_revoked {
            let mut state = lock(&self.shared.state);
            state.revoked_below = state.next_generation;
        }
    }

    /// The data served.
    pub fn data(&self) -> &FakeData {
        &self.shared.data
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide the fake's state from the rest.
    m.lock().unwrap_or_else(|e| e.into_inner())
}
