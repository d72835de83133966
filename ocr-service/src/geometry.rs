//! Plane geometry for photographed pages: the homography that carries four corners onto four others,
//! and resampling a greyscale image through one (bilinear). The service straightens a photographed
//! receipt with it (`photo`); the accuracy example "photographs" its rendered receipts with it.

use image::{GrayImage, Luma};

/// A point in pixels, x to the right and y down.
pub type Point = (f64, f64);

/// A projective map of the plane (3 × 3, row-major, the last entry 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography([f64; 9]);

impl Homography {
    /// The map that takes `from[i]` to `to[i]` for the four pairs; `None` when the corners are
    /// degenerate (three on one line).
    pub fn between(from: [Point; 4], to: [Point; 4]) -> Option<Self> {
        // Eight unknowns (h33 = 1), two equations per pair: u·(g·x + h·y + 1) = a·x + b·y + c, and so
        // for v. Gauss–Jordan elimination with partial pivoting on the augmented 8 × 9 matrix.
        let mut rows = [[0f64; 9]; 8];
        for (pair, (&(x, y), &(u, v))) in from.iter().zip(to.iter()).enumerate() {
            rows[2 * pair] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            rows[2 * pair + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        for col in 0..8 {
            let pivot =
                (col..8).max_by(|&r, &s| rows[r][col].abs().total_cmp(&rows[s][col].abs()))?;
            if rows[pivot][col].abs() < 1e-9 {
                return None;
            }
            rows.swap(col, pivot);
            let lead = rows[col];
            for (r, row) in rows.iter_mut().enumerate() {
                if r != col {
                    let factor = row[col] / lead[col];
                    for (cell, above) in row.iter_mut().zip(lead.iter()).skip(col) {
                        *cell -= factor * above;
                    }
                }
            }
        }
        let mut h = [1f64; 9];
        for (i, row) in rows.iter().enumerate() {
            h[i] = row[8] / row[i];
        }
        h.iter().all(|v| v.is_finite()).then_some(Self(h))
    }

    /// Where `p` goes.
    pub fn apply(&self, (x, y): Point) -> Point {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + h[8];
        (
            (h[0] * x + h[1] * y + h[2]) / w,
            (h[3] * x + h[4] * y + h[5]) / w,
        )
    }
}

/// The grey level at a fractional position (bilinear), or `fill` outside the image.
fn sample(image: &GrayImage, (x, y): Point, fill: u8) -> u8 {
    let (w, h) = (f64::from(image.width()), f64::from(image.height()));
    if !(x >= 0.0 && y >= 0.0 && x <= w - 1.0 && y <= h - 1.0) {
        return fill;
    }
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    // In range by the test above; the casts cannot truncate.
    let (x0, y0) = (x0 as u32, y0 as u32);
    let (x1, y1) = (
        (x0 + 1).min(image.width() - 1),
        (y0 + 1).min(image.height() - 1),
    );
    let at = |x: u32, y: u32| f64::from(image.get_pixel(x, y).0[0]);
    let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
    let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}

/// A `width` × `height` image whose pixel (x, y) is `source` at `to_source(x, y)`; `fill` where that
/// falls outside `source`.
pub fn resample(
    source: &GrayImage,
    width: u32,
    height: u32,
    to_source: &Homography,
    fill: u8,
) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        Luma([sample(
            source,
            to_source.apply((f64::from(x), f64::from(y))),
            fill,
        )])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point) -> bool {
        (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6
    }

    #[test]
    fn four_corners_go_where_they_are_told() {
        let from = [(0.0, 0.0), (100.0, 0.0), (100.0, 50.0), (0.0, 50.0)];
        let to = [(10.0, 5.0), (120.0, 12.0), (110.0, 70.0), (3.0, 60.0)];
        let map = Homography::between(from, to);
        assert!(map.is_some());
        if let Some(map) = map {
            for (f, t) in from.iter().zip(to.iter()) {
                assert!(close(map.apply(*f), *t), "{f:?} → {:?}", map.apply(*f));
            }
        }
        // Three corners on one line give no map.
        let line = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert_eq!(Homography::between(line, to), None);
    }

    #[test]
    fn resampling_through_a_shift_moves_the_pixels() {
        let source = GrayImage::from_fn(20, 10, |x, _| Luma([if x < 10 { 0 } else { 200 }]));
        let corners = [(0.0, 0.0), (19.0, 0.0), (19.0, 9.0), (0.0, 9.0)];
        let shifted = corners.map(|(x, y)| (x + 5.0, y));
        let to_source = Homography::between(corners, shifted);
        assert!(to_source.is_some());
        if let Some(to_source) = to_source {
            let out = resample(&source, 20, 10, &to_source, 255);
            assert_eq!(out.get_pixel(4, 5).0[0], 0);
            assert_eq!(out.get_pixel(5, 5).0[0], 200);
            // Past the source's right edge: the fill.
            assert_eq!(out.get_pixel(19, 5).0[0], 255);
        }
    }
}
