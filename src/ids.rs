//! Checked identifiers: Spotify ids and extract dates.
//!
//! Ids name raw files, lake paths and catalog partition values, so they are
//! validated once, here, before they can become a path: a Spotify id is
//! exactly 22 base-62 characters, which never needs escaping and can never be
//! `..` or hold a `/`. An [`ExtractDate`] always shows as `YYYY-MM-DD`.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// Why a string is not a Spotify id or an extract date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not 22 base-62 characters (after stripping a URI or URL prefix).
    #[error(
        "{value:?} is not a Spotify {kind} id: expected 22 letters and digits, a spotify:{kind}: URI or an open.spotify.com/{kind}/ URL"
    )]
    NotSpotifyId {
        /// artist, album, track or playlist.
        kind: IdKind,
        /// What was given (shortened to 80 characters).
        value: String,
    },
    /// Not a `YYYY-MM-DD` calendar date.
    #[error("{value:?} is not an extract date: expected YYYY-MM-DD, e.g. 2026-11-26")]
    NotDate {
        /// What was given.
        value: String,
    },
}

/// What a Spotify id identifies; used in URIs, URLs and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// `spotify:artist:…`
    Artist,
    /// `spotify:album:…`
    Album,
    /// `spotify:track:…`
    Track,
    /// `spotify:playlist:…`
    Playlist,
}

impl IdKind {
    /// `artist`, `album`, `track` or `playlist`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Artist => "artist",
            IdKind::Album => "album",
            IdKind::Track => "track",
            IdKind::Playlist => "playlist",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Spotify id: exactly 22 base-62 characters, safe as a path segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpotifyId(String);

/// The length of every Spotify id.
pub const SPOTIFY_ID_LEN: usize = 22;

impl SpotifyId {
    /// Checks a bare id, a `spotify:<kind>:<id>` URI or an
    /// `https://open.spotify.com/<kind>/<id>?…` URL.
    ///
    /// ```
    /// use spotify_lake::ids::{IdKind, SpotifyId};
    /// let id = SpotifyId::parse(IdKind::Artist, "spotify:artist:0du5cEVh5yTK9QJze8zA0C").unwrap();
    /// assert_eq!(id.as_str(), "0du5cEVh5yTK9QJze8zA0C");
    /// assert!(SpotifyId::parse(IdKind::Artist, "../../etc/passwd").is_err());
    /// ```
    pub fn parse(kind: IdKind, value: &str) -> Result<Self, IdError> {
        let trimmed = value.trim();
        let uri_prefix = format!("spotify:{kind}:");
        let url_marker = format!("open.spotify.com/{kind}/");
        let candidate = if let Some(rest) = trimmed.strip_prefix(&uri_prefix) {
            rest
        } else if let Some(pos) = trimmed.find(&url_marker) {
            let rest = &trimmed[pos + url_marker.len()..];
            rest.split(['?', '#', '/']).next().unwrap_or(rest)
        } else {
            trimmed
        };
        if Self::is_valid(candidate) {
            Ok(SpotifyId(candidate.to_owned()))
        } else {
            Err(IdError::NotSpotifyId {
                kind,
                value: value.chars().take(80).collect(),
            })
        }
    }

    /// Whether `s` is exactly 22 ASCII letters and digits.
    pub fn is_valid(s: &str) -> bool {
        s.len() == SPOTIFY_ID_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
    }

    /// The id itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SpotifyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The date of an extract; names the `extract_date=YYYY-MM-DD` folders and
/// partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtractDate(NaiveDate);

impl ExtractDate {
    /// Wraps a calendar date.
    pub fn new(date: NaiveDate) -> Self {
        ExtractDate(date)
    }

    /// Today in UTC, the default for `run`.
    pub fn today_utc() -> Self {
        ExtractDate(chrono::Utc::now().date_naive())
    }

    /// The calendar date.
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// Days since 1970-01-01 (Arrow's Date32 value).
    pub fn days_since_epoch(self) -> i32 {
        const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a date");
        // Dates from `parse` have four-digit years, far inside i32 days.
        (self.0 - EPOCH).num_days() as i32
    }

    /// Whether a date a user gave (a flag, the config, a Lambda event) can
    /// be an extract's: from 2000-01-01 (before Spotify, a year like 0000
    /// is a typo) to tomorrow in UTC (a later one would hide every real
    /// extract behind it as "the newest" for good). `Err` says the range.
    pub fn check_given(self, today: ExtractDate) -> Result<(), String> {
        let first = NaiveDate::from_ymd_opt(2000, 1, 1).expect("2000-01-01 is a date");
        let tomorrow = today.0.succ_opt().unwrap_or(today.0);
        if self.0 < first || self.0 > tomorrow {
            return Err(format!(
                "an extract date from 2000-01-01 to tomorrow ({tomorrow}, UTC)"
            ));
        }
        Ok(())
    }

    /// Midnight UTC of the date, in milliseconds since the epoch.
    pub fn midnight_millis(self) -> i64 {
        i64::from(self.days_since_epoch()) * 86_400_000
    }
}

impl FromStr for ExtractDate {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Plain `YYYY-MM-DD` only: chrono alone would take `-001-01-01` or
        // `+999-01-01` (signed years), which name other folders.
        let ok = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if ok => Ok(ExtractDate(d)),
            _ => Err(IdError::NotDate {
                value: s.chars().take(40).collect(),
            }),
        }
    }
}

impl fmt::Display for ExtractDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// As its `YYYY-MM-DD` text, in the lake's own records.
impl serde::Serialize for ExtractDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ExtractDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_bare_uri_and_url() {
        let want = "3TVXtAsR1Inumwj472S9r4";
        for input in [
            want,
            "spotify:artist:3TVXtAsR1Inumwj472S9r4",
            "https://open.spotify.com/artist/3TVXtAsR1Inumwj472S9r4?si=abc",
            " 3TVXtAsR1Inumwj472S9r4 ",
        ] {
            assert_eq!(
                SpotifyId::parse(IdKind::Artist, input).unwrap().as_str(),
                want
            );
        }
    }

    #[test]
    fn ids_reject_anything_that_could_escape_a_path() {
        for bad in [
            "",
            "../../x",
            "3TVXtAsR1Inumwj472S9r/",
            "3TVXtAsR1Inumwj472S9r4X",
            "3TVXtAsR1Inumwj472S9r",
            "3TVXtAsR1Inumwj472%2F4",
            "3TVXtAsR1Inumwj472S9\0r",
            "spotify:album:3TVXtAsR1Inumwj472S9r4",
            "ÄTVXtAsR1Inumwj472S9r",
        ] {
            let err = SpotifyId::parse(IdKind::Artist, bad).unwrap_err();
            assert!(err.to_string().contains("not a Spotify artist id"), "{err}");
        }
    }

    #[test]
    fn extract_dates_are_strict() {
        let d: ExtractDate = "2026-11-26".parse().unwrap();
        assert_eq!(d.to_string(), "2026-11-26");
        assert_eq!(d.days_since_epoch(), 20_783);
        assert_eq!(d.midnight_millis(), 20_783 * 86_400_000);
        for bad in [
            "2026-11-31",
            "26-11-26",
            "2026-1-26",
            "2026/11/26",
            "",
            "2026-11-26x",
            "-001-01-01",
            "+999-01-01",
            "2026-11-2\u{0}",
            "2026-1१-26",
        ] {
            assert!(bad.parse::<ExtractDate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_given_date_is_from_2000_to_tomorrow() {
        let today: ExtractDate = "2026-12-03".parse().unwrap();
        for ok in ["2000-01-01", "2026-12-03", "2026-12-04"] {
            let d: ExtractDate = ok.parse().unwrap();
            assert!(d.check_given(today).is_ok(), "{ok}");
        }
        for bad in ["0000-01-01", "1999-12-31", "2026-12-05", "2099-01-01"] {
            let d: ExtractDate = bad.parse().unwrap();
            let err = d.check_given(today).unwrap_err();
            assert!(err.contains("2026-12-04"), "{bad}: {err}");
        }
    }
}
