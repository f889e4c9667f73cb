//! Spotify's release dates and timestamps → Arrow's date and time values.

use chrono::{DateTime, NaiveDate};

/// A parsed release date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseDate {
    /// The period's first day (`1979-08` → 1979-08-01); null if unknown.
    pub date: Option<NaiveDate>,
    /// The year of `date`.
    pub year: Option<i32>,
    /// The string was present but unreadable (`0000`, garbage) or an
    /// impossible year: counted.
    pub unreadable: bool,
}

/// The first year a sound recording can be from: the phonograph's, 1877.
pub const FIRST_RECORDING_YEAR: i32 = 1877;

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` by its length, whatever the
/// stated precision says (SPOTIFY_API.md §4: the two can disagree). `0000`,
/// garbage, signed years (`-001`, `+999`) and years before
/// [`FIRST_RECORDING_YEAR`] or after `latest_year` (the year after the
/// extract: a typo like `9999` would stretch every chart's axis and skew
/// the trend) give a null date flagged `unreadable`; an absent date (local
/// files) gives a null date, not flagged.
///
/// ```
/// use spotify_lake::transform::parse_release_date;
/// let d = parse_release_date(Some("1979-08"), 2027);
/// assert_eq!(d.date.unwrap().to_string(), "1979-08-01");
/// assert!(parse_release_date(Some("0000"), 2027).unreadable);
/// assert!(parse_release_date(Some("9999-12-31"), 2027).unreadable);
/// ```
pub fn parse_release_date(raw: Option<&str>, latest_year: i32) -> ReleaseDate {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return ReleaseDate {
            date: None,
            year: None,
            unreadable: false,
        };
    };
    let padded = match s.len() {
        4 => format!("{s}-01-01"),
        7 => format!("{s}-01"),
        10 => s.to_owned(),
        _ => String::new(),
    };
    let ok = padded.len() == 10
        && padded.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && padded.as_bytes()[4] == b'-'
        && padded.as_bytes()[7] == b'-';
    let years = FIRST_RECORDING_YEAR..=latest_year;
    match NaiveDate::parse_from_str(&padded, "%Y-%m-%d") {
        Ok(date) if ok && years.contains(&chrono::Datelike::year(&date)) => ReleaseDate {
            date: Some(date),
            year: Some(chrono::Datelike::year(&date)),
            unreadable: false,
        },
        _ => ReleaseDate {
            date: None,
            year: None,
            unreadable: true,
        },
    }
}

/// Days since 1970-01-01, Arrow's Date32.
pub fn date32(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a date");
    // Dates parsed from four-digit years are within ±3.7 million days.
    (date - epoch).num_days() as i32
}

/// An RFC 3339 timestamp (`2026-11-26T17:42:00.123Z`) → UTC milliseconds.
pub fn parse_timestamp_millis(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_precision_gives_the_first_day_of_its_period() {
        let cases = [
            (Some("1972"), Some("1972-01-01")),
            (Some("1979-08"), Some("1979-08-01")),
            (Some("2011-11-15"), Some("2011-11-15")),
        ];
        for (input, want) in cases {
            let d = parse_release_date(input, 2027);
            assert_eq!(d.date.map(|d| d.to_string()).as_deref(), want);
            assert_eq!(d.year, Some(want.unwrap()[..4].parse().unwrap()));
            assert!(!d.unreadable);
        }
    }

    #[test]
    fn unreadable_dates_are_null_and_flagged() {
        for bad in [
            "0000",
            "0000-00-00",
            "199",
            "1999-13",
            "1999-02-30",
            "abcd",
            "1999/01/01",
            "19999",
        ] {
            let d = parse_release_date(Some(bad), 2027);
            assert_eq!((d.date, d.year, d.unreadable), (None, None, true), "{bad}");
        }
        let missing = parse_release_date(None, 2027);
        assert_eq!((missing.date, missing.unreadable), (None, false));
        assert!(!parse_release_date(Some(""), 2027).unreadable);
    }

    #[test]
    fn impossible_years_are_null_and_flagged() {
        for bad in [
            "-001-01-01",
            "+999-01-01",
            "9999-12-31",
            "0001",
            "1876-12-31",
            "2028",
        ] {
            let d = parse_release_date(Some(bad), 2027);
            assert_eq!((d.date, d.year, d.unreadable), (None, None, true), "{bad}");
        }
        for good in ["1877", "1877-01-01", "2027-12-31"] {
            let d = parse_release_date(Some(good), 2027);
            assert!(!d.unreadable && d.year.is_some(), "{good}");
        }
    }

    #[test]
    fn timestamps_and_date32() {
        assert_eq!(parse_timestamp_millis("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(
            parse_timestamp_millis("2026-11-26T17:42:00+01:00"),
            Some(1_795_711_320_000)
        );
        assert_eq!(parse_timestamp_millis("yesterday"), None);
        assert_eq!(date32(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
    }
}
