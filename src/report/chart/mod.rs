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

use plotters::prelude::*;

use super::ReportError;
use super::figures::Report;
use super::text::Typeset;

mod artists;
mod labels;
mod lengths;

use artists::draw_artists;
use lengths::draw_main;

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
