//! The charts' words: titles, notes, trend and axis labels, kept apart
//! from the drawing so they can be read (and tested) as text.

use crate::report::figures::Report;
use crate::report::fit::Fit;

/// `+6.6 min/decade (r² 0.11)`.
pub(super) fn trend_label(fit: &Fit) -> String {
    let r2 = fit
        .r2
        .map(|r| format!("r² {r:.2}"))
        .unwrap_or_else(|| "all one length".to_owned());
    format!("{:+.1} min/decade ({r2})", fit.slope_minutes_per_decade())
}

/// A year label for an axis position, blank between whole years.
pub(super) fn year_label(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{:.0}", x)
    } else {
        String::new()
    }
}

/// Minutes on an axis: whole numbers plain, steps below one with a decimal.
pub(super) fn minutes_label(y: &f64) -> String {
    if (y - y.round()).abs() < 1e-6 {
        format!("{:.0}", y)
    } else {
        format!("{:.1}", y)
    }
}

pub(super) fn whole_label(y: &f64) -> String {
    if (y - y.round()).abs() < 1e-6 {
        format!("{:.0}", y)
    } else {
        String::new()
    }
}

/// The notes under the main chart: what is not drawn, and why.
pub(super) fn notes(report: &Report) -> Vec<String> {
    let mut notes = Vec::new();
    match report.years_without_standard.as_slice() {
        [] => {}
        [y] => notes.push(format!(
            "No standard edition in {y} (only deluxe editions): the standard series skips it."
        )),
        years => notes.push(format!(
            "No standard edition in {} (only deluxe editions): the standard series skips them.",
            join_years(years)
        )),
    }
    if report.all.is_none() && report.has_points() {
        notes.push("No trend line: the albums span a single year.".to_owned());
    } else if report.standard.is_none() && report.has_points() && report.counts.deluxe_albums > 0 {
        notes.push("No standard trend line: too few standard editions.".to_owned());
    }
    let unknown = report.counts.unknown_year_albums;
    if unknown > 0 {
        let (s, are) = if unknown == 1 {
            ("", "is")
        } else {
            ("s", "are")
        };
        notes.push(format!(
            "{unknown} album{s} with no known release year {are} counted but not charted."
        ));
    }
    notes
}

pub(super) fn join_years(years: &[i32]) -> String {
    let shown: Vec<String> = years.iter().take(12).map(i32::to_string).collect();
    let more = years.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more years", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The subtitle: what the chart counts, from where.
pub(super) fn subtitle(report: &Report) -> String {
    let c = &report.counts;
    let dates: Vec<&str> = report
        .data
        .extract_dates
        .iter()
        .map(|e| e.extract_date.as_str())
        .collect();
    let extract = match dates.as_slice() {
        [] => String::new(),
        [one] => format!(", extract {one}"),
        [first, .., last] => format!(", extracts {first} to {last}"),
    };
    let artists = if c.artists == 1 { "artist" } else { "artists" };
    let mut s = format!(
        "{} albums by {} {artists}{extract}, each counted once (view latest_albums)",
        c.albums, c.artists
    );
    if !report.data.filters.is_empty() {
        s.push_str(&format!("; filters: {}", report.data.filters.describe()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_labels_are_whole_years_only() {
        assert_eq!(year_label(&2010.0), "2010");
        assert_eq!(year_label(&2010.5), "");
        assert_eq!(whole_label(&3.0), "3");
        assert_eq!(whole_label(&2.5), "");
        assert_eq!(minutes_label(&150.0), "150");
        assert_eq!(minutes_label(&1.5), "1.5");
    }
}
