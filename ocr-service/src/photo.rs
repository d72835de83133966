//! A photographed page made readable: the paper found (the largest bright region, its four corners)
//! and cut out square, the remaining tilt measured from the text lines and turned away, then uneven
//! light flattened by a local (Sauvola) threshold. Each step was kept because it measured better on
//! the photo corpus of `examples/accuracy.rs` (see the README).

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};

use crate::geometry::{Homography, Point, resample};

/// The side the paper search works at: enough to place the corners within a few pixels of the full
/// image, small enough to take a few milliseconds.
const SEARCH_SIDE: u32 = 400;
/// The widest a straightened page is made: a receipt line of ~40 characters is then ~30 px a
/// character, where Tesseract reads best, and larger only costs time.
pub const MAX_PAGE_WIDTH: u32 = 1400;
/// Tilts smaller than this are left alone.
const MIN_TURN_DEGREES: f64 = 0.3;
/// The tallest image handed on when no paper was found (its longer side).
const MAX_SIDE: u32 = 2400;

/// The four corners of the paper in `grey` (top-left, top-right, bottom-right, bottom-left), when a
/// bright region clearly stands out from what is around it; `None` when the page fills the frame or
/// no region is convincing.
pub fn find_paper(grey: &GrayImage) -> Option<[Point; 4]> {
    let (w, h) = grey.dimensions();
    if w < 16 || h < 16 {
        return None;
    }
    let scale = f64::from(SEARCH_SIDE) / f64::from(w.max(h));
    let (sw, sh) = if scale < 1.0 {
        (
            ((f64::from(w) * scale).round() as u32).max(1),
            ((f64::from(h) * scale).round() as u32).max(1),
        )
    } else {
        (w, h)
    };
    let small = imageops::resize(grey, sw, sh, FilterType::Triangle);
    // Blurred so that print disappears into its paper: what is left is paper and background.
    let small = imageops::blur(&small, 2.0);
    let level = otsu(&small);
    let bright: Vec<bool> = small.pixels().map(|p| p.0[0] > level).collect();
    let region = largest_region(&bright, sw as usize, sh as usize)?;
    // Its area with the holes print leaves filled: each row from its leftmost to its rightmost pixel.
    let mut spans = vec![(usize::MAX, 0usize); sh as usize];
    for &i in &region {
        let (x, y) = (i % sw as usize, i / sw as usize);
        spans[y] = (spans[y].0.min(x), spans[y].1.max(x));
    }
    let solid: usize = spans
        .iter()
        .filter(|s| s.0 <= s.1)
        .map(|s| s.1 - s.0 + 1)
        .sum();
    let area = solid as f64 / (f64::from(sw) * f64::from(sh));
    if !(0.08..0.97).contains(&area) {
        return None;
    }
    let corner = |key: &dyn Fn(f64, f64) -> f64| -> Point {
        let best = region
            .iter()
            .map(|&i| ((i % sw as usize) as f64, (i / sw as usize) as f64))
            .max_by(|a, b| key(a.0, a.1).total_cmp(&key(b.0, b.1)))
            .unwrap_or((0.0, 0.0));
        // Pixel centres: (i + ½) / scale − ½ in the full image.
        let s = scale.min(1.0);
        ((best.0 + 0.5) / s - 0.5, (best.1 + 0.5) / s - 0.5)
    };
    let quad = [
        corner(&|x, y| -x - y),
        corner(&|x, y| x - y),
        corner(&|x, y| x + y),
        corner(&|x, y| -x + y),
    ];
    // The region must fill its quadrilateral (a sheet, not a blob or a frame-filling background).
    let quad_area = polygon_area(&quad) * scale.min(1.0).powi(2);
    let fill = solid as f64 / quad_area.max(1.0);
    let (top, left) = (distance(quad[0], quad[1]), distance(quad[0], quad[3]));
    let (bottom, right) = (distance(quad[3], quad[2]), distance(quad[1], quad[2]));
    let sides_agree = top.min(bottom) / top.max(bottom).max(1.0) > 0.7
        && left.min(right) / left.max(right).max(1.0) > 0.7;
    let touches_frame = quad
        .iter()
        .all(|&(x, y)| x < 2.0 || y < 2.0 || x > f64::from(w) - 3.0 || y > f64::from(h) - 3.0);
    ((0.85..1.15).contains(&fill) && sides_agree && !touches_frame).then_some(quad)
}

fn distance(a: Point, b: Point) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// Shoelace formula.
fn polygon_area(points: &[Point]) -> f64 {
    let n = points.len();
    (0..n)
        .map(|i| {
            let (a, b) = (points[i], points[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f64>()
        .abs()
        / 2.0
}

/// The pixels (indices) of the largest 4-connected region of `true`.
fn largest_region(mask: &[bool], width: usize, height: usize) -> Option<Vec<usize>> {
    let mut seen = vec![false; mask.len()];
    let mut best: Vec<usize> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        let mut region = Vec::new();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            region.push(i);
            let (x, y) = (i % width, i / width);
            let mut visit = |j: usize| {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < width {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - width);
            }
            if y + 1 < height {
                visit(i + width);
            }
        }
        if region.len() > best.len() {
            best = region;
        }
    }
    (!best.is_empty()).then_some(best)
}

/// The paper inside `quad` as an upright rectangle, at most [`MAX_PAGE_WIDTH`] wide.
pub fn cut_out(grey: &GrayImage, quad: [Point; 4]) -> Option<GrayImage> {
    let width = (distance(quad[0], quad[1]) + distance(quad[3], quad[2])) / 2.0;
    let height = (distance(quad[0], quad[3]) + distance(quad[1], quad[2])) / 2.0;
    let shrink = (f64::from(MAX_PAGE_WIDTH) / width).min(1.0);
    let (w, h) = ((width * shrink).round(), (height * shrink).round());
    if w < 8.0 || h < 8.0 {
        return None;
    }
    let target = [
        (0.0, 0.0),
        (w - 1.0, 0.0),
        (w - 1.0, h - 1.0),
        (0.0, h - 1.0),
    ];
    let to_source = Homography::between(target, quad)?;
    Some(resample(grey, w as u32, h as u32, &to_source, 255))
}

/// Scaled down so the longer side is at most `max_side`.
pub fn bounded(grey: GrayImage, max_side: u32) -> GrayImage {
    let (w, h) = grey.dimensions();
    if w.max(h) <= max_side {
        return grey;
    }
    let scale = f64::from(max_side) / f64::from(w.max(h));
    let (nw, nh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    imageops::resize(&grey, nw, nh, FilterType::Triangle)
}

/// The tilt of the text lines in degrees (positive: lines fall to the right), from the angle whose
/// row profile of ink is most peaked — rows of text and the gaps between them line up only when
/// the angle is right. Searched within ±`limit` degrees.
pub fn skew_degrees(grey: &GrayImage, limit: f64) -> f64 {
    let small = bounded(grey.clone(), 800);
    let ink = sauvola(&small, 0.2);
    let points: Vec<(f64, f64)> = ink
        .enumerate_pixels()
        .filter(|(_, _, p)| p.0[0] == 0)
        .map(|(x, y, _)| (f64::from(x), f64::from(y)))
        .collect();
    if points.len() < 50 {
        return 0.0;
    }
    let rows = (small.width() + small.height()) as usize * 2;
    let score = |degrees: f64| -> f64 {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let mut profile = vec![0u32; rows];
        for &(x, y) in &points {
            let r = y * cos - x * sin + f64::from(small.width());
            if r >= 0.0 && (r as usize) < rows {
                profile[r as usize] += 1;
            }
        }
        profile.iter().map(|&n| f64::from(n).powi(2)).sum()
    };
    let search = |from: f64, to: f64, step: f64| -> f64 {
        let steps = ((to - from) / step).round() as i64;
        (0..=steps)
            .map(|i| from + i as f64 * step)
            .map(|angle| (angle, score(angle)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0.0, |(angle, _)| angle)
    };
    let coarse = search(-limit, limit, 0.5);
    search(coarse - 0.5, coarse + 0.5, 0.1)
}

/// `grey` turned by `-degrees` about its centre (white where the corners come in).
pub fn rotated(grey: &GrayImage, degrees: f64) -> GrayImage {
    if degrees.abs() < 0.05 {
        return grey.clone();
    }
    let (w, h) = (f64::from(grey.width()), f64::from(grey.height()));
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (sin, cos) = degrees.to_radians().sin_cos();
    // out(x, y) reads the source at the point turned by +degrees about the centre.
    let turn = |(x, y): Point| -> Point {
        let (dx, dy) = (x - cx, y - cy);
        (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos)
    };
    let corners = [
        (0.0, 0.0),
        (w - 1.0, 0.0),
        (w - 1.0, h - 1.0),
        (0.0, h - 1.0),
    ];
    match Homography::between(corners, corners.map(turn)) {
        Some(to_source) => resample(grey, grey.width(), grey.height(), &to_source, 255),
        None => grey.clone(),
    }
}

/// Sauvola's local threshold: a pixel is ink when darker than `mean · (1 + k · (sd / 128 − 1))` of
/// the window around it (a window of about a twentieth of the page, odd, at least 15 px), so light
/// that falls off across the page moves the threshold with it. Ink is 0, paper 255.
pub fn sauvola(grey: &GrayImage, k: f64) -> GrayImage {
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    if w == 0 || h == 0 {
        return grey.clone();
    }
    // Integral images of the values and their squares, one extra row and column of zeros.
    let stride = w + 1;
    let mut sum = vec![0f64; stride * (h + 1)];
    let mut squares = vec![0f64; stride * (h + 1)];
    for y in 0..h {
        let (mut row, mut row_sq) = (0f64, 0f64);
        for x in 0..w {
            let v = f64::from(grey.get_pixel(x as u32, y as u32).0[0]);
            row += v;
            row_sq += v * v;
            sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1] + row;
            squares[(y + 1) * stride + x + 1] = squares[y * stride + x + 1] + row_sq;
        }
    }
    let half = ((w.min(h) / 20).max(15) | 1) / 2;
    GrayImage::from_fn(grey.width(), grey.height(), |x, y| {
        let (x, y) = (x as usize, y as usize);
        let (x0, y0) = (x.saturating_sub(half), y.saturating_sub(half));
        let (x1, y1) = ((x + half + 1).min(w), (y + half + 1).min(h));
        let n = ((x1 - x0) * (y1 - y0)) as f64;
        let area = |t: &[f64]| {
            t[y1 * stride + x1] - t[y0 * stride + x1] - t[y1 * stride + x0] + t[y0 * stride + x0]
        };
        let mean = area(&sum) / n;
        let variance = (area(&squares) / n - mean * mean).max(0.0);
        let threshold = mean * (1.0 + k * (variance.sqrt() / 128.0 - 1.0));
        let v = f64::from(grey.get_pixel(x as u32, y as u32).0[0]);
        Luma([if v > threshold { 255 } else { 0 }])
    })
}

/// Whether the light on the page is uneven: the paper's brightness (the 90th percentile of each of
/// 4 × 4 tiles) varies by more than 8 % between the brightest and the dimmest tile. A scan or a
/// rendered page is even; a phone photo's light falls off across the frame.
pub fn uneven_light(grey: &GrayImage) -> bool {
    let (w, h) = grey.dimensions();
    if w < 8 || h < 8 {
        return false;
    }
    let mut papers = Vec::with_capacity(16);
    for ty in 0..4 {
        for tx in 0..4 {
            let mut histogram = [0u32; 256];
            let (x0, x1) = (tx * w / 4, (tx + 1) * w / 4);
            let (y0, y1) = (ty * h / 4, (ty + 1) * h / 4);
            for y in (y0..y1).step_by(2) {
                for x in (x0..x1).step_by(2) {
                    histogram[usize::from(grey.get_pixel(x, y).0[0])] += 1;
                }
            }
            let total: u32 = histogram.iter().sum();
            let mut seen = 0;
            let level = histogram
                .iter()
                .position(|n| {
                    seen += n;
                    seen * 10 >= total * 9
                })
                .unwrap_or(255);
            papers.push(level.max(1) as f64);
        }
    }
    let brightest = papers.iter().copied().fold(0.0, f64::max);
    let dimmest = papers.iter().copied().fold(f64::MAX, f64::min);
    brightest / dimmest > 1.08
}

/// Otsu's threshold: the grey level that best separates ink from paper (maximal between-class
/// variance of the histogram).
pub fn otsu(image: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for p in image.pixels() {
        histogram[usize::from(p.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(level, n)| level as f64 * *n as f64)
        .sum();
    let (mut weight_below, mut sum_below) = (0u64, 0f64);
    let (mut best, mut best_variance) = (127u8, -1f64);
    for (level, n) in histogram.iter().enumerate() {
        weight_below += n;
        if weight_below == 0 || weight_below == total {
            continue;
        }
        sum_below += level as f64 * *n as f64;
        let (wb, wf) = (weight_below as f64, (total - weight_below) as f64);
        let mean_below = sum_below / wb;
        let mean_above = (sum_all - sum_below) / wf;
        let variance = wb * wf * (mean_below - mean_above).powi(2);
        if variance > best_variance {
            best_variance = variance;
            best = u8::try_from(level).unwrap_or(u8::MAX);
        }
    }
    best
}

/// The page cut out of the photo when it can be found, turned level, and at a size Tesseract reads
/// well (greyscale; thresholding is the caller's choice).
pub fn straighten(grey: GrayImage) -> GrayImage {
    let page = match find_paper(&grey).and_then(|quad| cut_out(&grey, quad)) {
        Some(page) => page,
        None => bounded(grey, MAX_SIDE),
    };
    let skew = skew_degrees(&page, 8.0);
    // Below a third of a degree Tesseract reads as well, and resampling would only blur the print.
    if skew.abs() < MIN_TURN_DEGREES {
        return page;
    }
    rotated(&page, skew)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grey table with a white sheet whose corners are given, and dark bars for lines of text.
    fn photo(corners: [Point; 4]) -> GrayImage {
        let (w, h) = (400u32, 500u32);
        let sheet = [(0.0, 0.0), (199.0, 0.0), (199.0, 299.0), (0.0, 299.0)];
        let to_sheet = Homography::between(corners, sheet);
        GrayImage::from_fn(w, h, |x, y| {
            let Some((sx, sy)) = to_sheet.map(|m| m.apply((f64::from(x), f64::from(y)))) else {
                return Luma([100]);
            };
            if (0.0..200.0).contains(&sx) && (0.0..300.0).contains(&sy) {
                let text_row = (sy as u32) % 30 < 12 && (20.0..180.0).contains(&sx) && sy > 20.0;
                Luma([if text_row { 30 } else { 230 }])
            } else {
                Luma([100])
            }
        })
    }

    #[test]
    fn the_sheet_is_found_by_its_corners() {
        let corners = [(100.0, 80.0), (295.0, 95.0), (290.0, 400.0), (90.0, 390.0)];
        let found = find_paper(&photo(corners));
        assert!(found.is_some());
        for (got, want) in found.unwrap_or_default().iter().zip(corners.iter()) {
            assert!(distance(*got, *want) < 6.0, "{got:?} vs {want:?}");
        }
        // A page that fills the frame (a scan, a rendered receipt) is left as it is.
        let page = GrayImage::from_pixel(300, 400, Luma([240]));
        assert_eq!(find_paper(&page), None);
    }

    #[test]
    fn the_tilt_of_text_lines_is_measured() {
        let level = [(60.0, 60.0), (340.0, 60.0), (340.0, 440.0), (60.0, 440.0)];
        let page = photo(level);
        for degrees in [-5.0, -2.0, 3.5] {
            let tilted = rotated(&page, -degrees);
            let measured = skew_degrees(&tilted, 8.0);
            assert!(
                (measured - degrees).abs() < 0.4,
                "turned {degrees}°, measured {measured}°"
            );
        }
    }

    #[test]
    fn light_that_falls_off_is_uneven() {
        let even = GrayImage::from_fn(200, 200, |x, y| {
            Luma([if (x + y) % 9 == 0 { 30 } else { 240 }])
        });
        assert!(!uneven_light(&even));
        let falling = GrayImage::from_fn(200, 200, |x, y| {
            let v = if (x + y) % 9 == 0 { 30.0 } else { 240.0 };
            Luma([(v * (1.0 - f64::from(x) / 200.0 * 0.4)) as u8])
        });
        assert!(uneven_light(&falling));
    }

    #[test]
    fn sauvola_follows_light_that_falls_off() {
        // Text bars on paper going from bright (left) to dim (right): a global threshold loses
        // one side, Sauvola keeps the bars and the paper on both.
        let page = GrayImage::from_fn(400, 200, |x, y| {
            let light = 1.0 - f64::from(x) / 400.0 * 0.6;
            let ink = y % 20 < 6 && x % 50 < 40;
            Luma([((if ink { 60.0 } else { 235.0 }) * light) as u8])
        });
        let binary = sauvola(&page, 0.2);
        for x in [20u32, 380] {
            assert_eq!(binary.get_pixel(x, 2).0[0], 0, "ink at x={x}");
            assert_eq!(binary.get_pixel(x, 12).0[0], 255, "paper at x={x}");
        }
    }
}
