//! Which albums to fetch and which to reuse: the staggered refresh rule.
//!
//! The track list of a released album almost never changes (a re-issue gets
//! a new id), so an album already in the previous snapshot is copied, not
//! fetched, until it is due. Refreshes are staggered by a per-album offset,
//! so a catalog fetched in one cold run does not all expire on one day: each
//! album is refreshed once every `reuse_days`, on a day fixed by its id, and
//! a weekly run refreshes about 7/`reuse_days` of the catalog.

use chrono::NaiveDate;

/// FNV-1a, 64 bits: a stable, dependency-free hash of an album id.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn days(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a date");
    (date - epoch).num_days()
}

/// Whether an album must be fetched today (DESIGN.md, Extract): with days
/// counted since 1970-01-01, `R = reuse_days` and `off = fnv1a64(id) mod R`,
/// an album is due when `full`, never fetched, or
/// `(today + off) div R > (last_fetched + off) div R`.
///
/// ```
/// use chrono::NaiveDate;
/// use spotify_lake::extract::due;
/// let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// assert!(due("4aawyAB9vmqN3uQ7FjRGTy", d("2026-11-26"), None, 364, false));
/// assert!(!due("4aawyAB9vmqN3uQ7FjRGTy", d("2026-11-26"), Some(d("2026-11-26")), 364, false));
/// ```
pub fn due(
    album_id: &str,
    today: NaiveDate,
    last_fetched: Option<NaiveDate>,
    reuse_days: u32,
    full: bool,
) -> bool {
    let Some(last) = last_fetched else {
        return true;
    };
    if full {
        return true;
    }
    let r = i64::from(reuse_days.max(1));
    let off = (fnv1a64(album_id.as_bytes()) % r as u64) as i64;
    (days(today) + off).div_euclid(r) > (days(last) + off).div_euclid(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn fnv_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn each_album_is_due_once_per_period_on_its_own_day() {
        let start = d("2026-01-01");
        let r = 364;
        for id in [
            "4aawyAB9vmqN3uQ7FjRGTy",
            "0du5cEVh5yTK9QJze8zA0C",
            "3TVXtAsR1Inumwj472S9r4",
        ] {
            // Fetched on day 0, then a daily run that refreshes whenever due.
            let mut last = start;
            let mut refreshes = Vec::new();
            for n in 1..=(3 * r as i64) {
                let today = start + chrono::Days::new(n as u64);
                if due(id, today, Some(last), r, false) {
                    refreshes.push(n);
                    last = today;
                }
            }
            assert_eq!(refreshes.len(), 3, "{id}: {refreshes:?}");
            assert!(
                refreshes.windows(2).all(|w| w[1] - w[0] == r as i64),
                "{id}: {refreshes:?}"
            );
            assert!(refreshes[0] <= r as i64);
        }
    }

    #[test]
    fn a_weekly_run_refreshes_about_seven_in_r() {
        let r = 364u32;
        let today = d("2026-11-26");
        let last = today - chrono::Days::new(7);
        let n = 20_000;
        let due_now = (0..n)
            .filter(|i| due(&format!("album{i:017}"), today, Some(last), r, false))
            .count();
        let expected = n as f64 * 7.0 / f64::from(r);
        assert!(
            (due_now as f64 - expected).abs() < expected * 0.25,
            "{due_now} vs {expected}"
        );
    }

    #[test]
    fn full_and_never_fetched_are_always_due() {
        let today = d("2026-11-26");
        assert!(due("x", today, None, 364, false));
        assert!(due("x", today, Some(today), 364, true));
        assert!(!due("x", today, Some(today), 364, false));
    }
}
