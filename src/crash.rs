//! Fault points for the crash tests (issue: crash-safe writes).
//!
//! `SPOTIFY_LAKE_CRASH_AT=<point>[@n]` aborts the process the n-th time
//! (default: the first) execution passes `point`, as a power cut or an
//! out-of-memory kill would: no destructor, no flush. The crash tests run
//! the debug binary with it, then run again without it and compare the
//! result with an uninterrupted run's. Release builds ignore the variable
//! (the check compiles to nothing), so no deployed binary can be made to
//! abort by its environment.
//!
//! The points, in pipeline order:
//! - `raw-write`: a raw body or the manifest was just written;
//! - `parquet-write`: a partition file is encoded and its PUT is about to
//!   start (a PUT is atomic on S3 and on object_store's local store, so a
//!   crash at any moment of it leaves this state or the next);
//! - `before-register`: every partition file is written, none registered;
//! - `partition-batch`: one batch of partitions (a Glue
//!   BatchCreatePartition call, a local table file) was just registered;
//! - `current-commit`: a new `current_albums` version is written and about
//!   to be committed in the catalog (the commit readers see);
//! - `view-update`: a view is about to be created or updated;
//! - `load-all-snapshot`: `load --all` finished one snapshot and recorded it;
//! - `forget-delete`: `forget --history` committed the answers without the
//!   artist and unregistered its partitions; its files are about to go.

/// The variable that arms a fault point.
pub const CRASH_AT: &str = "SPOTIFY_LAKE_CRASH_AT";

/// Aborts here if this is the armed point (debug builds only).
#[inline]
pub(crate) fn point(name: &str) {
    #[cfg(debug_assertions)]
    armed::hit(name);
    #[cfg(not(debug_assertions))]
    let _ = name;
}

#[cfg(debug_assertions)]
mod armed {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    static ARMED: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);

    fn parse(value: &str) -> Option<(String, u64)> {
        let (name, n) = match value.split_once('@') {
            Some((name, n)) => (name, n.parse().ok().filter(|n| *n > 0)?),
            None => (value, 1),
        };
        (!name.is_empty()).then(|| (name.to_owned(), n))
    }

    pub(super) fn hit(name: &str) {
        let armed = ARMED.get_or_init(|| {
            std::env::var(super::CRASH_AT)
                .ok()
                .and_then(|v| parse(v.trim()))
        });
        if let Some((point, n)) = armed
            && point == name
            && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *n
        {
            eprintln!("{}={point}@{n}: aborting here", super::CRASH_AT);
            std::process::abort();
        }
    }

    #[cfg(test)]
    mod tests {
        use super::parse;

        #[test]
        fn points_and_counts_parse() {
            assert_eq!(parse("raw-write"), Some(("raw-write".into(), 1)));
            assert_eq!(
                parse("partition-batch@2"),
                Some(("partition-batch".into(), 2))
            );
            assert_eq!(parse("x@0"), None);
            assert_eq!(parse("x@many"), None);
            assert_eq!(parse(""), None);
        }
    }
}
