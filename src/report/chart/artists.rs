//! The per-artist small multiples: one panel per artist with a charted
//! year, [`PANELS_PER_ROW`] to a row.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::labels::{trend_label, whole_label, year_label};
use super::{ARTIST_COLOURS, DrawResult, GRID, GRID_BOLD, INK, MUTED, PANELS_PER_ROW, font};
use crate::report::figures::Report;

pub(super) fn draw_artists<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &Report,
    rows: usize,
) -> DrawResult<(), DB> {
    root.fill(&WHITE)?;
    let Some((first, last)) = report.year_range() else {
        return Ok(());
    };
    let x_range = f64::from(first) - 1.0..f64::from(last) + 1.0;
    let top = report
        .artists
        .iter()
        .flat_map(|a| {
            a.years.iter().map(|y| y.2).chain(
                a.fit
                    .iter()
                    .flat_map(|f| [f.at(f64::from(f.first_year)), f.at(f64::from(f.last_year))]),
            )
        })
        .fold(1.0f64, f64::max);
    let panels = root.split_evenly((rows, PANELS_PER_ROW));
    let charted = report.artists.iter().filter(|a| !a.years.is_empty());
    for (i, (artist, panel)) in charted.zip(panels.iter()).enumerate() {
        let colour = ARTIST_COLOURS[i % ARTIST_COLOURS.len()];
        let trend = artist
            .fit
            .as_ref()
            .map(trend_label)
            .unwrap_or_else(|| "no trend (one year)".to_owned());
        let plural = if artist.albums == 1 {
            "album"
        } else {
            "albums"
        };
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!(
                    "{} · {} {plural} · {trend}",
                    artist.artist_name, artist.albums
                ),
                font(17.0, &INK),
            )
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(x_range.clone(), 0.0..top * 1.15)?;
        chart
            .configure_mesh()
            .light_line_style(GRID)
            .bold_line_style(GRID_BOLD)
            .axis_style(MUTED)
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&year_label)
            .y_label_formatter(&whole_label)
            .label_style(font(13.0, &INK))
            .draw()?;
        let points: Vec<(f64, f64)> = artist
            .years
            .iter()
            .map(|&(y, _, avg)| (f64::from(y), avg))
            .collect();
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            colour.stroke_width(2),
        ))?;
        // Point area grows with the albums that year.
        chart.draw_series(artist.years.iter().map(|&(y, n, avg)| {
            let r = (3.0 + 2.0 * ((n.max(1) - 1) as f64).sqrt() * 1.5).min(10.0) as i32;
            Circle::new((f64::from(y), avg), r, colour.filled())
        }))?;
        if let Some(fit) = &artist.fit {
            let (a, b) = (f64::from(fit.first_year), f64::from(fit.last_year));
            chart.draw_series(DashedLineSeries::new(
                [(a, fit.at(a)), (b, fit.at(b))],
                8,
                5,
                MUTED.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}
