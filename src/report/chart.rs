//! The charts, drawn with plotters: the main chart (average length per
//! release year, all albums and standard editions, their trend lines, and
//! the albums per year as bars beneath) and the per-artist small multiples.
//!
//! The same drawing code feeds the SVG backend (inline in the page, or
//! `--format svg`) and the RGB bitmap backend, whose pixels `png` encodes
//! (`--format png`). Both are wrapped in [`Typeset`], which measures text
//! with the bundled Open Sans and draws it on the bitmap: no system font is
//! looked up, so a PNG looks the same on every machine; the SVG names the
//! generic `sans-serif` family for the browser.
//!
//! Why not plotters' `bitmap_encoder`: it brings the `image` crate (JPEG,
//! BMP and more) to write one PNG; `png` alone is a fraction of it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ReportError;
use super::figures::Report;
use super::fit::Fit;
use super::text::Typeset;

/// The main chart's size in pixels (the PNG's, and the SVG's view box).
pub const MAIN_SIZE: (u32, u32) = (1200, 760);

/// Width of the per-artist chart; each row of panels adds [`PANEL_HEIGHT`].
pub const ARTISTS_WIDTH: u32 = 1200;
/// Height of one row of per-artist panels.
pub const PANEL_HEIGHT: u32 = 290;
const PANELS_PER_ROW: usize = 3;

const FONT: &str = "sans-serif";

const ALL: RGBColor = RGBColor(31, 100, 170);
const STANDARD: RGBColor = RGBColor(230, 115, 0);
// Bars: the standard part in the standard series' hue, the deluxe part in
// the all-albums hue (deluxe editions are what "all" adds).
const STANDARD_BAR: RGBColor = RGBColor(245, 190, 130);
const DELUXE_BAR: RGBColor = RGBColor(140, 172, 208);
const INK: RGBColor = RGBColor(34, 34, 34);
const MUTED: RGBColor = RGBColor(100, 100, 100);
const GRID: RGBColor = RGBColor(246, 246, 246);
const GRID_BOLD: RGBColor = RGBColor(218, 218, 218);
const ARTIST_COLOURS: [RGBColor; 8] = [
    RGBColor(31, 100, 170),
    RGBColor(200, 82, 0),
    RGBColor(44, 140, 60),
    RGBColor(190, 40, 50),
    RGBColor(120, 80, 170),
    RGBColor(130, 90, 70),
    RGBColor(200, 80, 150),
    RGBColor(110, 120, 30),
];

type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ReportError {
    ReportError::Draw(e.to_string())
}

/// The main chart as an SVG document.
pub fn main_svg(report: &Report) -> Result<String, ReportError> {
    let mut svg = String::new();
    {
        let backend = Typeset::vector(SVGBackend::with_string(&mut svg, MAIN_SIZE))?;
        let root = backend.into_drawing_area();
        draw_main(&root, report).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

/// The main chart as a PNG file's bytes, [`MAIN_SIZE`] pixels.
pub fn main_png(report: &Report) -> Result<Vec<u8>, ReportError> {
    let (w, h) = MAIN_SIZE;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = Typeset::raster(BitMapBackend::with_buffer(&mut rgb, (w, h)))?;
        let root = backend.into_drawing_area();
        draw_main(&root, report).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    encode_png(&rgb, w, h)
}

/// The per-artist small multiples as an SVG document; `None` when no artist
/// has a charted year.
pub fn artists_svg(report: &Report) -> Result<Option<String>, ReportError> {
    let n = report
        .artists
        .iter()
        .filter(|a| !a.years.is_empty())
        .count();
    if n == 0 {
        return Ok(None);
    }
    let rows = n.div_ceil(PANELS_PER_ROW);
    let size = (ARTISTS_WIDTH, PANEL_HEIGHT * rows as u32);
    let mut svg = String::new();
    {
        let root = Typeset::vector(SVGBackend::with_string(&mut svg, size))?.into_drawing_area();
        draw_artists(&root, report, rows).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(Some(svg))
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

fn font(size: f64, colour: &RGBColor) -> TextStyle<'static> {
    let mut style = TextStyle::from((FONT, size).into_font());
    style.color = colour.to_backend_color();
    style
}

/// `+6.6 min/decade (r² 0.11)`.
fn trend_label(fit: &Fit) -> String {
    let r2 = fit
        .r2
        .map(|r| format!("r² {r:.2}"))
        .unwrap_or_else(|| "all one length".to_owned());
    format!("{:+.1} min/decade ({r2})", fit.slope_minutes_per_decade())
}

/// A year label for an axis position, blank between whole years.
fn year_label(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{:.0}", x)
    } else {
        String::new()
    }
}

/// Minutes on an axis: whole numbers plain, steps below one with a decimal.
fn minutes_label(y: &f64) -> String {
    if (y - y.round()).abs() < 1e-6 {
        format!("{:.0}", y)
    } else {
        format!("{:.1}", y)
    }
}

fn whole_label(y: &f64) -> String {
    if (y - y.round()).abs() < 1e-6 {
        format!("{:.0}", y)
    } else {
        String::new()
    }
}

/// The notes under the main chart: what is not drawn, and why.
fn notes(report: &Report) -> Vec<String> {
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

fn join_years(years: &[i32]) -> String {
    let shown: Vec<String> = years.iter().take(12).map(i32::to_string).collect();
    let more = years.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more years", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The subtitle: what the chart counts, from where.
fn subtitle(report: &Report) -> String {
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

fn draw_main<DB: DrawingBackend>(
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

fn draw_artists<DB: DrawingBackend>(
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
