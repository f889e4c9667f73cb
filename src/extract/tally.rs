//! What a run did, counted as it goes by tasks running side by side:
//! objects fetched and reused, skips, the artists lost to a failed request
//! (when every artist is, the run fails), and whether a response showed
//! extended mode. Read once at the end, for the manifest and the summary.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::RequestFailure;
use crate::summary::{Fetched, Skip};

/// The run's counters and skips.
#[derive(Default)]
pub(super) struct Tally {
    artists: AtomicU64,
    albums: AtomicU64,
    playlists: AtomicU64,
    reused: AtomicU64,
    extended: AtomicBool,
    skipped: Mutex<Vec<Skip>>,
    /// Artists (by query) skipped because a request failed, not for want
    /// of a match.
    failed: Mutex<Vec<(String, RequestFailure)>>,
}

impl Tally {
    /// An artist body written.
    pub fn fetched_artist(&self) {
        self.artists.fetch_add(1, Ordering::SeqCst);
    }

    /// An album body written from a request.
    pub fn fetched_album(&self) {
        self.albums.fetch_add(1, Ordering::SeqCst);
    }

    /// A playlist body written.
    pub fn fetched_playlist(&self) {
        self.playlists.fetch_add(1, Ordering::SeqCst);
    }

    /// An album body reused (copied, or already in the day's folder).
    pub fn reused_album(&self) {
        self.reused.fetch_add(1, Ordering::SeqCst);
    }

    /// A response carried fields only extended mode serves.
    pub fn saw_extended(&self) {
        self.extended.store(true, Ordering::SeqCst);
    }

    /// Whether any response showed extended mode.
    pub fn extended(&self) -> bool {
        self.extended.load(Ordering::SeqCst)
    }

    /// Objects fetched so far.
    pub fn fetched(&self) -> Fetched {
        Fetched {
            artists: self.artists.load(Ordering::SeqCst),
            albums: self.albums.load(Ordering::SeqCst),
            playlists: self.playlists.load(Ordering::SeqCst),
        }
    }

    /// Albums reused so far.
    pub fn reused(&self) -> u64 {
        self.reused.load(Ordering::SeqCst)
    }

    /// A counted skip.
    pub fn skip(&self, kind: &str, id: impl Into<String>, reason: impl Into<String>) {
        let skip = Skip::new(kind, id, reason);
        self.skipped
            .lock()
            .expect("skip lock is never poisoned")
            .push(skip);
    }

    /// The skips so far.
    pub fn skips(&self) -> Vec<Skip> {
        self.skipped
            .lock()
            .expect("skip lock is never poisoned")
            .clone()
    }

    /// Notes that the artist `query` was skipped because a request failed.
    pub fn failed(&self, query: &str, failure: RequestFailure) {
        self.failed
            .lock()
            .expect("failure lock is never poisoned")
            .push((query.to_owned(), failure));
    }

    /// The failed artists' failures, in the order of `queries`, when every
    /// one of them failed; `None` when any did not.
    pub fn all_failed(&self, queries: &[String]) -> Option<RequestFailure> {
        let failed = self.failed.lock().expect("failure lock is never poisoned");
        let of = |q: &String| failed.iter().find(|(query, _)| query == q);
        if queries.is_empty() || !queries.iter().all(|q| of(q).is_some()) {
            return None;
        }
        queries.iter().find_map(of).map(|(_, f)| f.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(url: &str) -> RequestFailure {
        RequestFailure::Status {
            url: url.into(),
            status: 404,
            message: "m".into(),
        }
    }

    #[test]
    fn all_failed_needs_every_artist_and_names_the_first_configured() {
        let tally = Tally::default();
        let queries = ["A".to_owned(), "B".to_owned()];
        assert_eq!(tally.all_failed(&[]), None, "no artists, no failure");
        tally.failed("B", failure("b"));
        assert_eq!(tally.all_failed(&queries), None, "A did not fail");
        tally.failed("A", failure("a"));
        assert_eq!(tally.all_failed(&queries), Some(failure("a")));
    }
}
