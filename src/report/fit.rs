//! Least squares of album length on release year, and the sentence that
//! reads it.
//!
//! The fit is computed here from the same albums `album_length_trend`
//! fits (the counted albums with a known year), so its figures agree with
//! the query's to its 4 decimals; the report also needs fits the query does
//! not give (one per artist) and the slope per decade. Sums are taken about
//! the means (two passes), which keeps years near 2000 from cancelling.

use serde::Serialize;

/// A least-squares line `minutes = intercept + slope × year`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fit {
    /// Albums in the fit.
    pub albums: usize,
    /// Earliest release year among them.
    pub first_year: i32,
    /// Latest release year among them.
    pub last_year: i32,
    /// Fitted change in length, minutes per year.
    pub slope_minutes_per_year: f64,
    /// Fitted length at year 0, in minutes.
    pub intercept_minutes: f64,
    /// Coefficient of determination; `None` when every album has the same
    /// length (nothing to explain).
    pub r2: Option<f64>,
}

impl Fit {
    /// The change in length per decade, in minutes.
    pub fn slope_minutes_per_decade(&self) -> f64 {
        self.slope_minutes_per_year * 10.0
    }

    /// The fitted length in `year`.
    pub fn at(&self, year: f64) -> f64 {
        self.intercept_minutes + self.slope_minutes_per_year * year
    }
}

/// Fits `(year, minutes)` points; `None` with fewer than two distinct years
/// (no line is determined), never a division by zero.
pub fn least_squares(points: &[(i32, f64)]) -> Option<Fit> {
    let n = points.len();
    let first_year = points.iter().map(|p| p.0).min()?;
    let last_year = points.iter().map(|p| p.0).max()?;
    if first_year == last_year {
        return None;
    }
    let nf = n as f64;
    let mx = points.iter().map(|p| f64::from(p.0)).sum::<f64>() / nf;
    let my = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for &(x, y) in points {
        let (dx, dy) = (f64::from(x) - mx, y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let slope = sxy / sxx;
    Some(Fit {
        albums: n,
        first_year,
        last_year,
        slope_minutes_per_year: slope,
        intercept_minutes: my - slope * mx,
        r2: (syy > 0.0).then(|| sxy * sxy / (sxx * syy)),
    })
}

/// The album counts a reading needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// Counted albums (known year or not).
    pub albums: i64,
    /// Of those, deluxe editions.
    pub deluxe: i64,
    /// Counted albums with a known release year.
    pub dated: i64,
    /// The only release year, when all dated albums share one.
    pub single_year: Option<i32>,
}

/// How well a line explains the lengths, in words.
pub fn strength(r2: f64) -> &'static str {
    match r2 {
        r if r < 0.1 => "a very weak fit",
        r if r < 0.3 => "a weak fit",
        r if r < 0.6 => "a moderate fit",
        _ => "a strong fit",
    }
}

/// Below this r² the line explains almost nothing, and the reading says
/// so instead of giving a direction.
pub const NO_CLEAR_TREND_R2: f64 = 0.1;

/// Whether the line explains too little to read a direction from.
fn unclear(fit: &Fit) -> bool {
    fit.r2.is_some_and(|r2| r2 < NO_CLEAR_TREND_R2)
}

/// `got longer by 6.6 minutes per decade`, `kept about the same length`
/// when the slope rounds to 0.0, or `show no clear trend in length` when
/// r² is under [`NO_CLEAR_TREND_R2`].
fn change(fit: &Fit) -> String {
    let d = fit.slope_minutes_per_decade();
    if unclear(fit) {
        "show no clear trend in length".to_owned()
    } else if d.abs() < 0.05 {
        "kept about the same length".to_owned()
    } else {
        let way = if d > 0.0 { "longer" } else { "shorter" };
        format!("got {way} by {:.1} minutes per decade", d.abs())
    }
}

fn sign(fit: &Fit) -> i8 {
    let d = fit.slope_minutes_per_decade();
    if unclear(fit) || d.abs() < 0.05 {
        0
    } else if d > 0.0 {
        1
    } else {
        -1
    }
}

fn detail(fit: &Fit, with_strength: bool) -> String {
    match fit.r2 {
        Some(r2) if with_strength => {
            format!("{} albums, r² {r2:.2}: {}", fit.albums, strength(r2))
        }
        Some(r2) => format!("{} albums, r² {r2:.2}", fit.albums),
        None => format!("{} albums, all of one length", fit.albums),
    }
}

/// One sentence reading the fits, from the figures alone: the direction
/// and size of the change per decade, how well the line fits (r²), and
/// whether standard editions (deluxe excluded) agree. Without a fit it says
/// why there is none.
pub fn reading(scope: &Scope, all: Option<&Fit>, standard: Option<&Fit>) -> String {
    let Some(all) = all else {
        return if scope.albums == 0 {
            "There are no albums to read a trend from.".to_owned()
        } else if scope.dated == 0 {
            format!(
                "None of the {} albums has a known release year, so there is no trend to read.",
                scope.albums
            )
        } else if let Some(year) = scope.single_year {
            let n = scope.dated;
            let albums = if n == 1 {
                "album was"
            } else {
                "albums were all"
            };
            format!(
                "The {n} {albums} released in {year}, so there is no trend to read: a trend needs albums from at least two years."
            )
        } else {
            "There is no trend to read: a trend needs albums from at least two years.".to_owned()
        };
    };
    let mut s = format!(
        "From {} to {}, albums {} ({})",
        all.first_year,
        all.last_year,
        change(all),
        detail(all, true)
    );
    match standard {
        _ if scope.deluxe == 0 => s.push_str("; none of them is a deluxe edition"),
        Some(std) => {
            let joint = if sign(std) == sign(all) {
                "and standard editions alone (deluxe excluded)"
            } else {
                "but standard editions alone (deluxe excluded)"
            };
            s.push_str(&format!(
                ", {joint} {} ({})",
                change(std),
                detail(std, false)
            ));
        }
        None => s.push_str(", and standard editions alone are too few for a trend"),
    }
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_perfect_line_is_found() {
        let fit = least_squares(&[(2000, 40.0), (2010, 45.0), (2020, 50.0)]).unwrap();
        assert!(close(fit.slope_minutes_per_year, 0.5));
        assert!(close(fit.slope_minutes_per_decade(), 5.0));
        assert!(close(fit.intercept_minutes, -960.0));
        assert!(close(fit.r2.unwrap(), 1.0));
        assert!(close(fit.at(2030.0), 55.0));
        assert_eq!((fit.albums, fit.first_year, fit.last_year), (3, 2000, 2020));
    }

    #[test]
    fn r2_matches_the_squared_correlation() {
        // By hand: x 0,1,2,3 → y 1,3,2,5: Sxy 5.5, Sxx 5, Syy 8.75, so slope 1.1,
        // intercept 2.75 - 1.1 × 1.5 = 1.1, r² 5.5² / (5 × 8.75) = 0.6914285…
        let fit = least_squares(&[(0, 1.0), (1, 3.0), (2, 2.0), (3, 5.0)]).unwrap();
        assert!(close(fit.slope_minutes_per_year, 1.1));
        assert!(close(fit.intercept_minutes, 1.1));
        assert!(close(fit.r2.unwrap(), 30.25 / 43.75));
    }

    #[test]
    fn no_line_without_two_years_and_no_r2_without_spread() {
        assert_eq!(least_squares(&[]), None);
        assert_eq!(least_squares(&[(2001, 40.0)]), None);
        assert_eq!(least_squares(&[(2001, 40.0), (2001, 50.0)]), None);
        let flat = least_squares(&[(2001, 40.0), (2002, 40.0)]).unwrap();
        assert_eq!(flat.r2, None);
        assert!(close(flat.slope_minutes_per_year, 0.0));
    }

    fn fit(slope: f64, r2: f64, albums: usize) -> Fit {
        Fit {
            albums,
            first_year: 1972,
            last_year: 2023,
            slope_minutes_per_year: slope,
            intercept_minutes: 0.0,
            r2: Some(r2),
        }
    }

    #[test]
    fn the_reading_follows_the_figures() {
        let scope = Scope {
            albums: 38,
            deluxe: 3,
            dated: 38,
            single_year: None,
        };
        let s = reading(
            &scope,
            Some(&fit(0.6583, 0.1068, 38)),
            Some(&fit(0.6417, 0.1075, 35)),
        );
        assert_eq!(
            s,
            "From 1972 to 2023, albums got longer by 6.6 minutes per decade (38 albums, r² 0.11: a weak fit), \
             and standard editions alone (deluxe excluded) got longer by 6.4 minutes per decade (35 albums, r² 0.11)."
        );
        let s = reading(
            &scope,
            Some(&fit(-0.31, 0.7, 38)),
            Some(&fit(0.2, 0.15, 35)),
        );
        assert!(
            s.contains("got shorter by 3.1 minutes per decade")
                && s.contains("a strong fit")
                && s.contains("but standard editions alone (deluxe excluded) got longer by 2.0"),
            "{s}"
        );
        let s = reading(&scope, Some(&fit(0.001, 0.2, 38)), None);
        assert!(
            s.contains("kept about the same length") && s.contains("too few for a trend"),
            "{s}"
        );
        // Under r² 0.1 the line explains almost nothing: no direction given.
        let s = reading(
            &scope,
            Some(&fit(0.6583, 0.0, 38)),
            Some(&fit(0.6417, 0.09, 35)),
        );
        assert_eq!(
            s,
            "From 1972 to 2023, albums show no clear trend in length (38 albums, r² 0.00: a very weak fit), \
             and standard editions alone (deluxe excluded) show no clear trend in length (35 albums, r² 0.09)."
        );
        let no_deluxe = Scope { deluxe: 0, ..scope };
        let s = reading(
            &no_deluxe,
            Some(&fit(0.5, 0.4, 38)),
            Some(&fit(0.5, 0.4, 38)),
        );
        assert!(
            s.ends_with("a moderate fit); none of them is a deluxe edition."),
            "{s}"
        );
        assert!(!s.contains(". "), "one sentence: {s}");
    }

    #[test]
    fn without_a_fit_the_reading_says_why() {
        let empty = Scope::default();
        assert_eq!(
            reading(&empty, None, None),
            "There are no albums to read a trend from."
        );
        let one = Scope {
            albums: 1,
            deluxe: 0,
            dated: 1,
            single_year: Some(2011),
        };
        assert_eq!(
            reading(&one, None, None),
            "The 1 album was released in 2011, so there is no trend to read: a trend needs albums from at least two years."
        );
        let undated = Scope {
            albums: 2,
            deluxe: 0,
            dated: 0,
            single_year: None,
        };
        assert!(reading(&undated, None, None).starts_with("None of the 2 albums"));
    }
}
