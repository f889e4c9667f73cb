//! The report's figures, derived once from what the engine returned: the
//! fits (all, standard, per artist), the counts, the reading, and the JSON
//! sidecar that carries them for other programs and the tests.

use serde_json::{Value, json};

use super::data::{ReportData, TrendRow};
use super::fit::{self, Fit, Scope};

/// One artist's yearly averages and fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtistSeries {
    /// The albums' first artist (`(unknown artist)` when null).
    pub artist_name: String,
    /// `(year, albums, avg_minutes)` from `album_length_by_artist`, oldest first.
    pub years: Vec<(i32, i64, f64)>,
    /// Counted albums of this artist (known year or not).
    pub albums: i64,
    /// Least squares over the artist's albums, if they span two years.
    pub fit: Option<Fit>,
}

/// Album counts the figures rest on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Counted albums (view `latest_albums`, after the filters).
    pub albums: i64,
    /// Of those, not deluxe editions.
    pub standard_albums: i64,
    /// Of those, deluxe editions.
    pub deluxe_albums: i64,
    /// Of those, with no known release year (in the figures table, not charted).
    pub unknown_year_albums: i64,
    /// Distinct release years.
    pub years: i64,
    /// Distinct first artists.
    pub artists: i64,
}

/// Everything the page and the charts show.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The rows read from the engine.
    pub data: ReportData,
    /// Least squares over every counted album with a known year.
    pub all: Option<Fit>,
    /// The same over standard editions (deluxe excluded).
    pub standard: Option<Fit>,
    /// Per artist, by name.
    pub artists: Vec<ArtistSeries>,
    /// The counts.
    pub counts: Counts,
    /// Years whose albums are all deluxe editions (no standard average).
    pub years_without_standard: Vec<i32>,
    /// One sentence reading the fits.
    pub reading: String,
    /// Where the fits and `album_length_trend` disagree beyond its rounding
    /// (empty unless there is a bug).
    pub disagreements: Vec<String>,
}

const UNKNOWN_ARTIST: &str = "(unknown artist)";

impl Report {
    /// Derives the figures from the engine's rows.
    pub fn new(data: ReportData) -> Self {
        let pairs = |standard_only: bool| -> Vec<(i32, f64)> {
            data.points
                .iter()
                .filter(|p| !standard_only || !p.is_deluxe)
                .map(|p| (p.year, p.minutes))
                .collect()
        };
        let all = fit::least_squares(&pairs(false));
        let standard = fit::least_squares(&pairs(true));

        let dated: Vec<_> = data
            .by_year
            .iter()
            .filter(|r| r.release_year.is_some())
            .collect();
        let albums: i64 = data.by_year.iter().map(|r| r.albums).sum();
        let standard_albums: i64 = data.by_year.iter().map(|r| r.standard_albums).sum();
        let mut artists = artist_series(&data);
        artists.sort_by(|a, b| a.artist_name.cmp(&b.artist_name));
        let counts = Counts {
            albums,
            standard_albums,
            deluxe_albums: albums - standard_albums,
            unknown_year_albums: data
                .by_year
                .iter()
                .filter(|r| r.release_year.is_none())
                .map(|r| r.albums)
                .sum(),
            years: dated.len() as i64,
            artists: artists.len() as i64,
        };
        let scope = Scope {
            albums,
            deluxe: counts.deluxe_albums,
            dated: dated.iter().map(|r| r.albums).sum(),
            single_year: match dated.as_slice() {
                [only] => only.release_year,
                _ => None,
            },
        };
        let reading = fit::reading(&scope, all.as_ref(), standard.as_ref());
        let years_without_standard = dated
            .iter()
            .filter(|r| r.standard_albums == 0)
            .filter_map(|r| r.release_year)
            .collect();
        let disagreements = data
            .trend
            .iter()
            .filter_map(|row| {
                let mine = match row.variant.as_str() {
                    "all" => all.as_ref(),
                    "standard" => standard.as_ref(),
                    _ => return None,
                };
                disagreement(row, mine)
            })
            .collect();
        Report {
            data,
            all,
            standard,
            artists,
            counts,
            years_without_standard,
            reading,
            disagreements,
        }
    }

    /// Whether there is anything to chart (a counted album with a known year
    /// and length).
    pub fn has_points(&self) -> bool {
        !self.data.points.is_empty()
    }

    /// The charted year range, `(first, last)`, over both queries' rows.
    pub fn year_range(&self) -> Option<(i32, i32)> {
        let years = self
            .data
            .by_year
            .iter()
            .filter_map(|r| r.release_year)
            .chain(self.data.points.iter().map(|p| p.year));
        let (mut lo, mut hi) = (i32::MAX, i32::MIN);
        for y in years {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        (lo <= hi).then_some((lo, hi))
    }

    /// The JSON sidecar: the per-year and per-artist rows exactly as the
    /// queries return them, the fits (full precision, plus the slope per
    /// decade), the counts, the extract dates and the reading.
    pub fn sidecar(&self) -> Value {
        let fit_json = |variant: &str, fit: Option<&Fit>| match fit {
            Some(f) => json!({
                "variant": variant,
                "albums": f.albums,
                "first_year": f.first_year,
                "last_year": f.last_year,
                "slope_minutes_per_year": f.slope_minutes_per_year,
                "slope_minutes_per_decade": f.slope_minutes_per_decade(),
                "intercept_minutes": f.intercept_minutes,
                "r2": f.r2,
            }),
            None => json!({"variant": variant, "albums": null_or_count(self, variant)}),
        };
        json!({
            "format": 1,
            "filters": self.data.filters,
            "extract_dates": self.data.extract_dates,
            "counts": self.counts,
            "album_length_by_year": self.data.by_year,
            "album_length_by_artist": self.data.by_artist,
            "trend": [fit_json("all", self.all.as_ref()), fit_json("standard", self.standard.as_ref())],
            "artist_trends": self.artists.iter().map(|a| json!({
                "artist_name": a.artist_name,
                "albums": a.albums,
                "fit": a.fit,
                "slope_minutes_per_decade": a.fit.map(|f| f.slope_minutes_per_decade()),
            })).collect::<Vec<_>>(),
            "years_without_standard": self.years_without_standard,
            "reading": self.reading,
        })
    }
}

/// The albums a variant's missing fit would have used (the query's count).
fn null_or_count(report: &Report, variant: &str) -> i64 {
    report
        .data
        .trend
        .iter()
        .find(|r| r.variant == variant)
        .map(|r| r.albums)
        .unwrap_or(0)
}

/// Whether the query's rounded figures and the fit disagree; says how.
fn disagreement(row: &TrendRow, mine: Option<&Fit>) -> Option<String> {
    // The query rounds to 4 decimals: it is within 0.00005 of the fit, plus
    // what summing in another order changes (far below 1e-9 here).
    let near = |q: Option<f64>, m: f64| q.is_some_and(|q| (q - m).abs() <= 5e-5 + 1e-9 * m.abs());
    match mine {
        None => row.slope_minutes_per_year.map(|s| {
            format!(
                "{}: the query fits a slope of {s} but the report fits none",
                row.variant
            )
        }),
        Some(f) => {
            let same = near(row.slope_minutes_per_year, f.slope_minutes_per_year)
                && near(row.intercept_minutes, f.intercept_minutes)
                && row.albums == f.albums as i64
                && match f.r2 {
                    Some(r2) => near(row.r2, r2),
                    None => row.r2.is_none(),
                };
            (!same).then(|| {
                format!(
                    "{}: the query gives {row:?}, the report fits {f:?}",
                    row.variant
                )
            })
        }
    }
}

fn artist_series(data: &ReportData) -> Vec<ArtistSeries> {
    let mut out: Vec<ArtistSeries> = Vec::new();
    for row in &data.by_artist {
        let name = row.artist_name.as_deref().unwrap_or(UNKNOWN_ARTIST);
        let idx = match out.iter().position(|a| a.artist_name == name) {
            Some(i) => i,
            None => {
                out.push(ArtistSeries {
                    artist_name: name.to_owned(),
                    years: Vec::new(),
                    albums: 0,
                    fit: None,
                });
                out.len() - 1
            }
        };
        let series = &mut out[idx];
        series.albums += row.albums;
        if let (Some(y), Some(avg)) = (row.release_year, row.avg_minutes) {
            series.years.push((y, row.albums, avg));
        }
    }
    for series in &mut out {
        series.years.sort_by_key(|y| y.0);
        let points: Vec<(i32, f64)> = data
            .points
            .iter()
            .filter(|p| p.artist_name.as_deref().unwrap_or(UNKNOWN_ARTIST) == series.artist_name)
            .map(|p| (p.year, p.minutes))
            .collect();
        series.fit = fit::least_squares(&points);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(slope: f64, intercept: f64, r2: f64) -> TrendRow {
        TrendRow {
            variant: "all".into(),
            albums: 3,
            first_year: Some(2000),
            last_year: Some(2020),
            slope_minutes_per_year: Some(slope),
            intercept_minutes: Some(intercept),
            r2: Some(r2),
        }
    }

    #[test]
    fn the_query_and_the_fit_agree_only_to_its_rounding() {
        let fit = fit::least_squares(&[(2000, 40.0), (2010, 46.0), (2020, 50.0)]).unwrap();
        let (s, i, r) = (
            fit.slope_minutes_per_year,
            fit.intercept_minutes,
            fit.r2.unwrap(),
        );
        let rounded = |x: f64| (x * 1e4).round() / 1e4;
        assert_eq!(
            disagreement(&row(rounded(s), rounded(i), rounded(r)), Some(&fit)),
            None
        );
        assert!(disagreement(&row(s + 2e-4, i, r), Some(&fit)).is_some());
        assert!(disagreement(&row(s, i + 0.01, r), Some(&fit)).is_some());
        assert!(disagreement(&row(s, i, r - 2e-4), Some(&fit)).is_some());
        assert!(
            disagreement(&row(s, i, r), None).is_some(),
            "a slope the report lacks"
        );
    }
}
