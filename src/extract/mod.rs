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
//!
//! Layout, in the order of a request's way out and a run's way through:
//!
//! - `client`: the process-long [`SpotifyClient`] (transport, token, base
//!   URLs, market);
//! - `session`: one run's [`Session`] (in-flight limit, 429 gate, pacing,
//!   counts, stop, deadline); `retry`: the retry rule, [`decide`];
//! - `run`: [`extract`], the orchestration, and the manifest merge;
//!   `earlier`: what the day's folder and the previous snapshot hold;
//!   `playlists`, `resolve` (artist names to ids), `artist` (one artist),
//!   `pages` (paged series, the page-size probe), `albums` (each album
//!   once: kept, copied or fetched), `refresh` (the staggered refresh rule,
//!   [`due`]) and `tally` (what the run did);
//! - `dry_run`: [`dry_run`] and its [`Plan`];
//! - `error`: [`ExtractError`] and [`RequestFailure`].

mod albums;
mod artist;
mod client;
mod dry_run;
mod earlier;
mod error;
mod pages;
mod playlists;
mod refresh;
mod resolve;
mod retry;
mod run;
mod session;
mod tally;

pub use client::SpotifyClient;
pub use dry_run::{ArtistPlan, Plan, dry_run};
pub use error::{ExtractError, LastFailure, RequestFailure, spotify_message};
pub use refresh::{due, fnv1a64};
pub use retry::{Decision, Failure, Tries, decide};
pub use run::{ExtractOptions, Extraction, extract};
pub use session::{Answer, Endpoint, Refusal, Session, SessionStats, StopReason, merge_requests};
