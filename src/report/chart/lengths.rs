//! The main chart: average album length per release year (all albums and
//! standard editions, with their trend lines) above the albums per year
//! as stacked bars.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels::{minutes_label, notes, subtitle, trend_label, whole_label, year_label};
use super::{
    ALL, DELUXE_BAR, DrawResult, GRID, GRID_BOLD, INK, MUTED, STANDARD, STANDARD_BAR, font,
};
use crate::report::figures::Report;
use crate::report::fit::Fit;

fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
) -> DrawResult<(), DB> {
    area.draw(&Text::new(
        "Average album length by release year",
        (36, 18),
        font(32.0, &INK),
    ))?;
    area.draw(&Text::new(subtitle(report), (36, 60), font(17.0, &MUTED)))?;
    Ok(())
}

pub(super) fn draw_main<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &Report,
) -> DrawResult<(), DB> {
    root.fill(&WHITE)?;
    let (header, body) = root.split_vertically(96);
    draw_header(&header, report)?;
    let Some((first, last)) = report.year_range().filter(|_| report.has_points()) else {
        return draw_empty(&body, report);
    };
    let notes = notes(report);
    let footer_height = 12 + 22 * notes.len() as u32;
    let body_height = body.dim_in_pixel().1;
    let (charts, footer) = body.split_vertically(body_height.saturating_sub(footer_height));
    let (upper, lower) = charts.split_vertically(charts.dim_in_pixel().1 * 68 / 100);
    let x_range = f64::from(first) - 1.0..f64::from(last) + 1.0;
    draw_lengths(&upper, report, x_range.clone())?;
    draw_counts(&lower, report, x_range)?;
    for (i, note) in notes.iter().enumerate() {
        footer.draw(&Text::new(
            note.as_str(),
            (36, 4 + 22 * i as i32),
            font(15.0, &MUTED),
        ))?;
    }
    Ok(())
}

fn draw_empty<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    let centre =
        |size: f64, colour: &RGBColor| font(size, colour).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Rectangle::new(
        [(36, 10), (w as i32 - 36, h as i32 - 36)],
        GRID_BOLD.stroke_width(1),
    ))?;
    let (headline, why) = if report.counts.albums > 0 {
        (
            "No albums to chart",
            format!(
                "None of the {} albums has a known release year and length.",
                report.counts.albums
            ),
        )
    } else if report.data.filters.is_empty() {
        (
            "No albums to chart",
            "The lake holds no albums (album_type 'album'): load a snapshot first.".to_owned(),
        )
    } else {
        (
            "No albums to chart",
            format!(
                "No album matches the filters {}.",
                report.data.filters.describe()
            ),
        )
    };
    let mid = (w as i32 / 2, h as i32 / 2 - 20);
    area.draw(&Text::new(headline, mid, centre(30.0, &INK)))?;
    area.draw(&Text::new(why, (mid.0, mid.1 + 44), centre(18.0, &MUTED)))?;
    Ok(())
}

fn draw_lengths<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    x_range: std::ops::Range<f64>,
) -> DrawResult<(), DB> {
    let all: Vec<(f64, f64)> = report
        .data
        .by_year
        .iter()
        .filter_map(|r| Some((f64::from(r.release_year?), r.avg_minutes?)))
        .collect();
    let standard: Vec<(f64, f64)> = report
        .data
        .by_year
        .iter()
        .filter_map(|r| Some((f64::from(r.release_year?), r.standard_avg_minutes?)))
        .collect();
    let trend = |fit: &Fit| {
        let (a, b) = (f64::from(fit.first_year), f64::from(fit.last_year));
        [(a, fit.at(a)), (b, fit.at(b))]
    };
    let trends: Vec<[(f64, f64); 2]> = [report.all.as_ref(), report.standard.as_ref()]
        .into_iter()
        .flatten()
        .map(trend)
        .collect();
    let values = all
        .iter()
        .chain(&standard)
        .chain(trends.iter().flatten())
        .map(|p| p.1);
    let (lo, hi) = values.fold((0.0f64, 1.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    // Headroom above the data for the legend.
    let y_range = lo..hi * 1.35;

    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(36)
        .margin_top(4)
        .x_label_area_size(0)
        .y_label_area_size(76)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .axis_style(MUTED)
        .y_desc("Average length (minutes)")
        .y_labels(8)
        .x_labels(14)
        .y_label_formatter(&minutes_label)
        .label_style(font(15.0, &INK))
        .axis_desc_style(font(17.0, &INK))
        .draw()?;

    let legend_line = |colour: RGBColor| {
        move |(x, y): (i32, i32)| {
            PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
        }
    };
    chart
        .draw_series(LineSeries::new(all.iter().copied(), ALL.stroke_width(2)))?
        .label("All albums: average per year")
        .legend(move |(x, y)| {
            EmptyElement::at((x + 12, y))
                + Circle::new((0, 0), 4, ALL.filled())
                + PathElement::new(vec![(-12, 0), (12, 0)], ALL.stroke_width(2))
        });
    chart
        .draw_series(LineSeries::new(
            standard.iter().copied(),
            STANDARD.stroke_width(2),
        ))?
        .label("Standard editions (deluxe excluded): average per year")
        .legend(move |(x, y)| {
            EmptyElement::at((x + 12, y))
                + Circle::new((0, 0), 6, STANDARD.stroke_width(2))
                + PathElement::new(vec![(-12, 0), (12, 0)], STANDARD.stroke_width(2))
        });
    // The all-albums line again, over the standard one where they coincide.
    chart.draw_series(LineSeries::new(all.iter().copied(), ALL.stroke_width(2)))?;
    chart.draw_series(
        standard
            .iter()
            .map(|&p| Circle::new(p, 7, STANDARD.stroke_width(2))),
    )?;
    chart.draw_series(all.iter().map(|&p| Circle::new(p, 4, ALL.filled())))?;
    for (fit, colour, name) in [
        (report.all.as_ref(), ALL, "all albums"),
        (report.standard.as_ref(), STANDARD, "standard editions"),
    ] {
        if let Some(fit) = fit {
            chart
                .draw_series(DashedLineSeries::new(
                    trend(fit),
                    12,
                    7,
                    colour.stroke_width(2),
                ))?
                .label(format!("Trend, {name}: {}", trend_label(fit)))
                .legend(legend_line(colour));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .margin(12)
        .legend_area_size(34)
        .background_style(WHITE.mix(0.92))
        .border_style(GRID_BOLD)
        .label_font(font(15.0, &INK))
        .draw()?;
    Ok(())
}

fn draw_counts<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &Report,
    x_range: std::ops::Range<f64>,
) -> DrawResult<(), DB> {
    let rows: Vec<(f64, i64, i64)> = report
        .data
        .by_year
        .iter()
        .filter_map(|r| Some((f64::from(r.release_year?), r.albums, r.standard_albums)))
        .collect();
    let most = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(36)
        .margin_top(6)
        .margin_bottom(6)
        .x_label_area_size(52)
        .y_label_area_size(76)
        .build_cartesian_2d(x_range, 0.0..most * 1.8)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .axis_style(MUTED)
        .y_desc("Albums")
        .x_desc("Release year")
        .x_labels(14)
        .y_labels(4)
        .x_label_formatter(&year_label)
        .y_label_formatter(&whole_label)
        .label_style(font(15.0, &INK))
        .axis_desc_style(font(17.0, &INK))
        .draw()?;
    let half = 0.36;
    chart
        .draw_series(rows.iter().map(|&(x, _, std)| {
            Rectangle::new(
                [(x - half, 0.0), (x + half, std as f64)],
                STANDARD_BAR.filled(),
            )
        }))?
        .label("Standard editions")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], STANDARD_BAR.filled()));
    chart
        .draw_series(rows.iter().filter(|r| r.1 > r.2).map(|&(x, all, std)| {
            Rectangle::new(
                [(x - half, std as f64), (x + half, all as f64)],
                DELUXE_BAR.filled(),
            )
        }))?
        .label("Deluxe editions")
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], DELUXE_BAR.filled()));
    chart.draw_series(rows.iter().map(|&(x, all, _)| {
        Text::new(
            all.to_string(),
            (x, all as f64),
            font(12.0, &MUTED).pos(Pos::new(HPos::Center, VPos::Bottom)),
        )
    }))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .margin(6)
        .legend_area_size(26)
        .background_style(WHITE.mix(0.92))
        .border_style(GRID_BOLD)
        .label_font(font(14.0, &INK))
        .draw()?;
    Ok(())
}
