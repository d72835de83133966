//! Test images: lines of text rendered with a known font (DejaVu Sans, Debian's fonts-dejavu-core),
//! and the damage a phone photo does (blur, speckles, faded ink). Shared by tests/ocr.rs and
//! examples/accuracy.rs.

#![allow(dead_code)]

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};

pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/// The monospace face receipts print in.
pub const MONO: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

/// White page, black text, one line per entry.
pub fn render(lines: &[&str], px: f32) -> Vec<u8> {
    png(&draw(lines, px))
}

/// The page as pixels.
pub fn draw(lines: &[&str], px: f32) -> GrayImage {
    draw_with(lines, px, FONT)
}

/// The page as pixels, in the font at `font` (a TrueType file).
pub fn draw_with(lines: &[&str], px: f32, font: &str) -> GrayImage {
    let bytes = std::fs::read(font)
        .unwrap_or_else(|e| panic!("{font}: {e} (apt-get install fonts-dejavu-core)"));
    let font = FontVec::try_from_vec(bytes).unwrap_or_else(|e| panic!("font: {e}"));
    let scale = PxScale::from(px);
    let scaled = font.as_scaled(scale);
    let line_height = (scaled.height() + scaled.line_gap()).ceil() as u32 + 8;
    let width =
        60 + lines.iter().map(|l| l.len() as u32).max().unwrap_or(10) * (px as u32 * 7 / 10);
    let height = 60 + line_height * lines.len() as u32;
    let mut page = GrayImage::from_pixel(width, height, Luma([255]));
    for (row, line) in lines.iter().enumerate() {
        let mut x = 30.0;
        let baseline = 30.0 + scaled.ascent() + (row as f32) * line_height as f32;
        for c in line.chars() {
            let glyph = scaled.scaled_glyph(c);
            let advance = scaled.h_advance(glyph.id);
            let positioned = ab_glyph::Glyph {
                id: glyph.id,
                scale,
                position: point(x, baseline),
            };
            if let Some(outline) = font.outline_glyph(positioned) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let (px_x, px_y) = (
                        bounds.min.x as i64 + gx as i64,
                        bounds.min.y as i64 + gy as i64,
                    );
                    if px_x >= 0 && px_y >= 0 && (px_x as u32) < width && (px_y as u32) < height {
                        let v = (255.0 * (1.0 - coverage)) as u8;
                        let p = page.get_pixel_mut(px_x as u32, px_y as u32);
                        p.0[0] = p.0[0].min(v);
                    }
                });
            }
            x += advance;
        }
    }
    page
}

/// PNG bytes of a page.
pub fn png(page: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = image::DynamicImage::ImageLuma8(page.clone())
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

/// Faded ink, a slight blur and `speckle_per_mille` random dark or light pixels (deterministic).
pub fn damage(page: &GrayImage, seed: u64, speckle_per_mille: u64) -> GrayImage {
    let faded = GrayImage::from_fn(page.width(), page.height(), |x, y| {
        let v = page.get_pixel(x, y).0[0];
        Luma([90 + ((u16::from(v) * 150) / 255) as u8])
    });
    let mut blurred = image::imageops::blur(&faded, 0.8);
    let mut state = seed | 1;
    for p in blurred.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if state % 1000 < speckle_per_mille {
            p.0[0] = if state.is_multiple_of(2) { 40 } else { 250 };
        }
    }
    blurred
}
