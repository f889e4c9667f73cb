//! Chart text with the bundled font: a drawing-backend wrapper that
//! measures every label with Open Sans (`assets/fonts/`) and, on bitmaps,
//! draws the glyphs itself.
//!
//! Why not plotters' own fonts: its `ttf` feature looks fonts up on the
//! system (font-kit, fontconfig), and its `ab_glyph` feature (0.3.7) drops
//! each glyph's left side bearing and rounds the pen position, so letters
//! visibly wobble ("a lbums"). Here glyphs are positioned by ab_glyph at
//! their fractional advance and kerning, and rasterised with coverage.
//!
//! Sizes follow plotters' SVG backend: a text style of size `s` has an em
//! of `s / 1.24` pixels, so a PNG and the same chart's SVG in a browser
//! agree. The box plotters lays labels out with is one em high, its
//! capitals centred on a `VPos::Center` anchor.

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::ReportError;

const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/OpenSans-Regular.ttf");

/// The bundled font.
pub fn font() -> Result<FontRef<'static>, ReportError> {
    FontRef::try_from_slice(FONT_BYTES)
        .map_err(|e| ReportError::Draw(format!("assets/fonts/OpenSans-Regular.ttf: {e}")))
}

/// A line of text laid out on a baseline at y = 0, starting at x = 0.
struct Line {
    glyphs: Vec<Glyph>,
    width: f32,
    /// Pixels per em.
    em: f32,
    /// Height of a capital above the baseline.
    cap: f32,
}

fn lay_out(font: &FontRef<'static>, text: &str, size: f64) -> Line {
    let em = (size / 1.24) as f32;
    let units_per_em = font.units_per_em().unwrap_or(2048.0);
    let scale = PxScale::from(em * font.height_unscaled() / units_per_em);
    let scaled = font.as_scaled(scale);
    let mut glyphs = Vec::with_capacity(text.len());
    let mut caret = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(caret, 0.0)));
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    let cap = font
        .outline_glyph(scaled.scaled_glyph('H'))
        .map(|o| -o.px_bounds().min.y)
        .unwrap_or(em * 0.7);
    Line {
        glyphs,
        width: caret,
        em,
        cap,
    }
}

/// Wraps a backend: text is measured with the bundled font; on a raster
/// backend it is also drawn here, on a vector one (SVG) the inner backend
/// writes it as text.
pub struct Typeset<B> {
    inner: B,
    font: FontRef<'static>,
    raster: bool,
}

impl<B: DrawingBackend> Typeset<B> {
    /// For pixel backends: glyphs are rasterised here.
    pub fn raster(inner: B) -> Result<Self, ReportError> {
        Ok(Typeset {
            inner,
            font: font()?,
            raster: true,
        })
    }

    /// For vector backends: only the measuring is done here.
    pub fn vector(inner: B) -> Result<Self, ReportError> {
        Ok(Typeset {
            inner,
            font: font()?,
            raster: false,
        })
    }
}

type Drawn<B> = Result<(), DrawingErrorKind<<B as DrawingBackend>::ErrorType>>;

impl<B: DrawingBackend> DrawingBackend for Typeset<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Drawn<B> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Drawn<B> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn<B> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn<B> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn<B> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn<B> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn<B> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn<B> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Drawn<B> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let line = lay_out(&self.font, text, style.size());
        Ok((line.width.ceil() as u32, line.em.round() as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn<B> {
        if !self.raster {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let line = lay_out(&self.font, text, style.size());
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let top = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -line.em / 2.0,
            VPos::Bottom => -line.em,
        };
        // Capitals centred in the one-em box.
        let baseline = top + (line.em + line.cap) / 2.0;
        let transform = style.transform();
        let mut result = Ok(());
        for mut glyph in line.glyphs {
            glyph.position = point(glyph.position.x + dx, baseline);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue; // a space
            };
            let bounds = outline.px_bounds();
            let inner = &mut self.inner;
            outline.draw(|x, y, coverage| {
                if result.is_err() || coverage <= 0.0 {
                    return;
                }
                let (tx, ty) = transform.transform(
                    bounds.min.x as i32 + x as i32,
                    bounds.min.y as i32 + y as i32,
                );
                let pixel = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                result = inner.draw_pixel((pos.0 + tx, pos.1 + ty), pixel);
            });
            if result.is_err() {
                break;
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_lays_out_text() {
        let font = font().unwrap();
        let line = lay_out(&font, "Album length r²", 20.0);
        assert_eq!(line.glyphs.len(), "Album length r²".chars().count());
        assert!((line.em - 20.0 / 1.24).abs() < 1e-4);
        // Open Sans: capitals are about 0.71 em, text about half an em per letter.
        assert!(
            line.cap > 0.6 * line.em && line.cap < 0.8 * line.em,
            "{}",
            line.cap
        );
        assert!(
            line.width > 5.0 * line.em && line.width < 10.0 * line.em,
            "{}",
            line.width
        );
        // Every glyph is in the font (none is .notdef).
        assert!(line.glyphs.iter().all(|g| g.id.0 != 0));
        let wider = lay_out(&font, "Album length r² per decade", 20.0);
        assert!(wider.width > line.width);
    }
}
