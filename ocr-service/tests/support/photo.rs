//! Phone photos of rendered pages, from a fixed seed: the page on a grey table, turned up to ±6°,
//! a slight perspective (each corner moved up to 3 % of the page), light falling off across the frame
//! (to 55–75 % at the far side), a little blur, sensor noise, and JPEG at quality 60–85. Also the
//! pages themselves: thermal fuel receipts (DejaVu Sans Mono, grey ink) and VIN labels carrying the
//! VIN as a barcode (drawn with rxing's writer) above the printed VIN. Shared by tests/ocr.rs and
//! examples/accuracy.rs.

#![allow(dead_code)]

use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, Luma};
use mvp_ocr::geometry::{Homography, resample};
use rxing::{BarcodeFormat, MultiFormatWriter, Writer};

use super::render;

/// A small deterministic generator (xorshift64), so every run sees the same corpus.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in `[low, high)`.
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (self.next() % 1_000_000) as f64 / 1_000_000.0 * (high - low)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What one photo was taken with (for a report of the worst cases).
#[derive(Debug, Clone, Copy)]
pub struct Conditions {
    pub degrees: f64,
    pub light_far: f64,
    pub blur: f32,
    pub quality: u8,
}

/// `page` photographed as the module's comment says; JPEG bytes.
pub fn photograph(page: &GrayImage, rng: &mut Rng) -> (Vec<u8>, Conditions) {
    let (pw, ph) = (f64::from(page.width()), f64::from(page.height()));
    let frame = rng.between(1.35, 1.6);
    let (cw, ch) = ((pw * frame).round(), (ph * frame).round());
    let degrees = rng.between(-6.0, 6.0);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let centre = (
        cw / 2.0 + rng.between(-0.05, 0.05) * cw,
        ch / 2.0 + rng.between(-0.05, 0.05) * ch,
    );
    // The page's corners turned about its centre, placed at `centre`, each nudged a little.
    let page_corners = [
        (0.0, 0.0),
        (pw - 1.0, 0.0),
        (pw - 1.0, ph - 1.0),
        (0.0, ph - 1.0),
    ];
    let jitter = 0.03 * pw.min(ph);
    let mut photo_corners = page_corners;
    for corner in &mut photo_corners {
        let (dx, dy) = (corner.0 - pw / 2.0, corner.1 - ph / 2.0);
        *corner = (
            centre.0 + dx * cos - dy * sin + rng.between(-jitter, jitter),
            centre.1 + dx * sin + dy * cos + rng.between(-jitter, jitter),
        );
    }
    let table = 95.0 + rng.between(0.0, 45.0);
    let light_far = rng.between(0.55, 0.75);
    let light_angle = rng.between(0.0, std::f64::consts::TAU);
    let (lx, ly) = (light_angle.cos(), light_angle.sin());
    let blur = rng.between(0.5, 1.1) as f32;
    let quality = 60 + rng.below(26) as u8;
    let seed = rng.next();
    let (w, h) = (cw as u32, ch as u32);
    // The page as the camera sees it; outside it, the fill 0 marks the table (the page's own
    // pixels are lifted to 1 at least).
    let lifted = GrayImage::from_fn(page.width(), page.height(), |x, y| {
        Luma([page.get_pixel(x, y).0[0].max(1)])
    });
    let shot = match Homography::between(photo_corners, page_corners) {
        Some(to_page) => resample(&lifted, w, h, &to_page, 0),
        None => GrayImage::from_pixel(w, h, Luma([0])),
    };
    let mut noise = Rng(seed | 1);
    let half_diagonal = (cw * cw + ch * ch).sqrt() / 2.0;
    let lit = GrayImage::from_fn(w, h, |x, y| {
        let texture = noise.between(-8.0, 8.0);
        let v = shot.get_pixel(x, y).0[0];
        let base = if v == 0 {
            table + texture
        } else {
            f64::from(v)
        };
        // Light falls off linearly along (lx, ly): 1 at one side of the frame, light_far at the other.
        let along =
            ((f64::from(x) - cw / 2.0) * lx + (f64::from(y) - ch / 2.0) * ly) / half_diagonal;
        let light = 1.0 - (1.0 - light_far) * (along + 1.0) / 2.0;
        Luma([(base * light + noise.between(-5.0, 5.0)).clamp(0.0, 255.0) as u8])
    });
    let blurred = image::imageops::blur(&lit, blur);
    let mut jpeg = Vec::new();
    let _ = JpegEncoder::new_with_quality(&mut jpeg, quality).encode_image(&blurred);
    (
        jpeg,
        Conditions {
            degrees,
            light_far,
            blur,
            quality,
        },
    )
}

/// A pump receipt as printed; tests/ocr.rs and the browser tests (through examples/fixtures.rs)
/// check the fields read from its photo against it.
pub const PUMP_RECEIPT: &[&str] = &[
    "BP #4521",
    "1200 W MAIN ST",
    "SPRINGFIELD IL 62701",
    "DATE 02/19/2026  TIME 14:32",
    "PUMP# 4   TRAN# 0877",
    "UNLEADED",
    "GALLONS      17.255",
    "PRICE/GAL    $3.529",
    "FUEL TOTAL   $60.89",
    "TOTAL    $60.89",
    "VISA ****1234",
    "THANK YOU",
];

/// [`PUMP_RECEIPT`] at 32 px, photographed with a fixed seed.
pub fn photographed_pump_receipt() -> (Vec<u8>, Conditions) {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    photograph(&thermal_receipt(PUMP_RECEIPT, 32.0), &mut rng)
}

/// A thermal receipt: grey ink (the print of a thermal head) on off-white paper, monospace.
pub fn thermal_receipt(lines: &[&str], px: f32) -> GrayImage {
    let page = render::draw_with(lines, px, render::MONO);
    GrayImage::from_fn(page.width(), page.height(), |x, y| {
        let v = f64::from(page.get_pixel(x, y).0[0]);
        // Black 0 → ink 55, white 255 → paper 246.
        Luma([(55.0 + v * (246.0 - 55.0) / 255.0) as u8])
    })
}

/// The barcode formats a VIN label or registration card uses, by name.
pub const FORMATS: &[(&str, BarcodeFormat)] = &[
    ("Code 39", BarcodeFormat::CODE_39),
    ("Code 128", BarcodeFormat::CODE_128),
    ("Data Matrix", BarcodeFormat::DATA_MATRIX),
    ("QR", BarcodeFormat::QR_CODE),
];

/// A VIN label: "VIN" above, the barcode of `payload`, the VIN printed below.
pub fn vin_label(vin: &str, payload: &str, format: &BarcodeFormat) -> GrayImage {
    let linear = matches!(format, BarcodeFormat::CODE_39 | BarcodeFormat::CODE_128);
    // Three pixels a module or more, as a phone held to a label takes it (Code 39 spells a VIN in
    // ~320 modules).
    let (bw, bh) = if linear { (1100, 150) } else { (240, 240) };
    let matrix = MultiFormatWriter
        .encode(payload, format, bw, bh)
        .unwrap_or_else(|e| panic!("{payload} as {format:?}: {e}"));
    let title = render::draw_with(&["VIN"], 30.0, render::FONT);
    let under = render::draw_with(&[vin], 30.0, render::FONT);
    let width = (matrix.width() + 80).max(under.width());
    let height = title.height() + matrix.height() + under.height() + 40;
    let mut label = GrayImage::from_pixel(width, height, Luma([255]));
    image::imageops::overlay(&mut label, &title, 20, 0);
    let top = title.height() + 10;
    let left = (width - matrix.width()) / 2;
    for y in 0..matrix.height() {
        for x in 0..matrix.width() {
            if matrix.get(x, y) {
                label.put_pixel(left + x, top + y, Luma([0]));
            }
        }
    }
    image::imageops::overlay(&mut label, &under, 0, i64::from(top + matrix.height() + 10));
    label
}
