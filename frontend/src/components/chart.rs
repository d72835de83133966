//! SVG charts drawn by the app (no chart library): economy over time as a line, monthly cost as bars,
//! each with axes, tick labels, the unit on the axis, a value label on every point or bar and a
//! `<title>` tooltip. The geometry is pure and tested natively.

use leptos::prelude::*;

const H: f64 = 260.0;

/// The drawing width in SVG units: narrower on phones, so the text (in the same units) stays legible
/// when the chart is scaled to the screen.
fn width() -> f64 {
    let px = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(1024.0);
    if px < 720.0 {
        380.0
    } else {
        640.0
    }
}
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 44.0;

/// "Nice" tick values covering `[min, max]` with about `count` steps of 1, 2 or 5 × 10ⁿ.
pub fn nice_ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    let (min, max) = if (max - min).abs() < f64::EPSILON {
        (min - 1.0, max + 1.0)
    } else {
        (min, max)
    };
    let raw = (max - min) / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let start = (min / step).floor() * step;
    let mut ticks = Vec::new();
    let mut v = start;
    // Up to the first tick at or above `max`, so the axis always covers the data.
    while ticks.len() < 64 {
        ticks.push((v / step).round() * step);
        if v >= max - step * 1e-9 {
            break;
        }
        v += step;
    }
    ticks
}

/// Maps `[d0, d1]` onto `[r0, r1]`.
pub fn scale(value: f64, d0: f64, d1: f64, r0: f64, r1: f64) -> f64 {
    if (d1 - d0).abs() < f64::EPSILON {
        return (r0 + r1) / 2.0;
    }
    r0 + (value - d0) / (d1 - d0) * (r1 - r0)
}

/// A short label for a tick value.
pub fn tick_label(v: f64) -> String {
    if v.abs() >= 1000.0 || (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v)
    } else {
        format!("{:.1}", v)
    }
}

/// Labels near the edges grow inwards so they are not cut off.
fn anchor(x: f64, w: f64) -> &'static str {
    if x > w - RIGHT - 48.0 {
        "end"
    } else if x < LEFT + 48.0 {
        "start"
    } else {
        "middle"
    }
}

/// One point or bar: the x label, the value and its formatted text.
#[derive(Clone, Debug, PartialEq)]
pub struct Datum {
    pub label: String,
    pub value: f64,
    pub text: String,
}

fn y_axis(w: f64, ticks: &[f64], lo: f64, hi: f64, unit: String) -> impl IntoView {
    let lines = ticks
        .iter()
        .map(|t| {
            let y = scale(*t, lo, hi, H - BOTTOM, TOP);
            view! {
                <g class="tick">
                    <line x1=LEFT x2=w - RIGHT y1=y y2=y class="grid"></line>
                    <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{tick_label(*t)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        {lines}
        <line x1=LEFT x2=LEFT y1=TOP y2=H - BOTTOM class="axis"></line>
        <line x1=LEFT x2=w - RIGHT y1=H - BOTTOM y2=H - BOTTOM class="axis"></line>
        <text class="axis-unit" x=8 y=TOP - 8.0>{unit}</text>
    }
}

fn x_labels(w: f64, data: &[Datum], xs: &[f64]) -> impl IntoView {
    // Thin the labels so they never overlap (about one per 70 px).
    let every = ((data.len() as f64 * 70.0) / (w - LEFT - RIGHT))
        .ceil()
        .max(1.0) as usize;
    data.iter()
        .zip(xs)
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i + 1 == data.len())
        .map(|(_, (d, x))| {
            view! { <text class="x-label" x=*x y=H - BOTTOM + 18.0 text-anchor="middle">{d.label.clone()}</text> }
        })
        .collect_view()
}

/// The y range: the data with a tenth of headroom (so value labels stay inside), from zero for bars.
pub fn bounds(data: &[Datum], from_zero: bool) -> (Vec<f64>, f64, f64) {
    let mut lo = data.iter().map(|d| d.value).fold(f64::INFINITY, f64::min);
    let mut hi = data
        .iter()
        .map(|d| d.value)
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo).abs() * 0.1).max(hi.abs() * 0.02).max(0.5);
    hi += pad;
    if from_zero {
        lo = 0.0;
    } else {
        lo -= pad;
    }
    let ticks = nice_ticks(lo, hi, 4);
    let lo = ticks.first().copied().unwrap_or(lo);
    let hi = ticks.last().copied().unwrap_or(hi);
    (ticks, lo, hi)
}

/// A line chart with a dot and a value label at every point.
#[component]
pub fn LineChart(title: &'static str, unit: String, data: Vec<Datum>) -> impl IntoView {
    let w = width();
    let (ticks, lo, hi) = bounds(&data, false);
    let n = data.len();
    let xs: Vec<f64> = (0..n)
        .map(|i| {
            if n == 1 {
                (LEFT + w - RIGHT) / 2.0
            } else {
                scale(i as f64, 0.0, (n - 1) as f64, LEFT + 16.0, w - RIGHT - 16.0)
            }
        })
        .collect();
    let ys: Vec<f64> = data
        .iter()
        .map(|d| scale(d.value, lo, hi, H - BOTTOM, TOP))
        .collect();
    let path: String = xs
        .iter()
        .zip(&ys)
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" }))
        .collect();
    let points = data
        .iter()
        .zip(xs.iter().zip(&ys))
        .map(|(d, (x, y))| {
            view! {
                <g class="point">
                    <circle cx=*x cy=*y r=4>
                        <title>{format!("{}: {}", d.label, d.text)}</title>
                    </circle>
                    <text class="value" x=*x y=*y - 9.0 text-anchor=anchor(*x, w)>{d.text.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let labels = x_labels(w, &data, &xs);
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {w} {H}") role="img" aria-label=title preserveAspectRatio="xMidYMid meet">
                {y_axis(w, &ticks, lo, hi, unit)}
                <path d=path class="line"></path>
                {points}
                {labels}
            </svg>
        </figure>
    }
}

/// A bar chart from zero with the value above each bar.
#[component]
pub fn BarChart(title: &'static str, unit: String, data: Vec<Datum>) -> impl IntoView {
    let w = width();
    let (ticks, lo, hi) = bounds(&data, true);
    let n = data.len().max(1);
    let band = (w - LEFT - RIGHT) / n as f64;
    let bar = (band * 0.6).min(48.0);
    let xs: Vec<f64> = (0..data.len())
        .map(|i| LEFT + band * (i as f64 + 0.5))
        .collect();
    let bars = data
        .iter()
        .zip(&xs)
        .map(|(d, x)| {
            let y = scale(d.value, lo, hi, H - BOTTOM, TOP);
            view! {
                <g class="bar">
                    <rect x=x - bar / 2.0 y=y width=bar height=(H - BOTTOM - y).max(0.0)>
                        <title>{format!("{}: {}", d.label, d.text)}</title>
                    </rect>
                    <text class="value" x=*x y=y - 6.0 text-anchor="middle">{d.text.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let labels = x_labels(w, &data, &xs);
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {w} {H}") role="img" aria-label=title preserveAspectRatio="xMidYMid meet">
                {y_axis(w, &ticks, lo, hi, unit)}
                {bars}
                {labels}
            </svg>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        assert_eq!(nice_ticks(0.0, 100.0, 4), vec![0.0, 50.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 117.7, 4), vec![0.0, 50.0, 100.0, 150.0]);
        let t = nice_ticks(27.3, 33.9, 4);
        assert_eq!(t, vec![26.0, 28.0, 30.0, 32.0, 34.0]);
        assert!(t.first().copied().unwrap_or(f64::NAN) <= 27.3);
        assert!(t.last().copied().unwrap_or(f64::NAN) >= 33.9);
        let flat = nice_ticks(5.0, 5.0, 4);
        assert!(flat.len() >= 2 && flat[0] <= 5.0 && *flat.last().unwrap_or(&0.0) >= 5.0);
    }

    #[test]
    fn the_range_leaves_room_above_the_highest_value() {
        let data = |v: &[f64]| {
            v.iter()
                .map(|x| Datum {
                    label: String::new(),
                    value: *x,
                    text: String::new(),
                })
                .collect::<Vec<_>>()
        };
        let (_, lo, hi) = bounds(&data(&[107.0]), true);
        assert_eq!(lo, 0.0);
        assert!(hi > 107.0 * 1.05, "{hi}");
        let (_, lo, hi) = bounds(&data(&[30.0, 32.0]), false);
        assert!(lo < 30.0 && hi > 32.0);
    }

    #[test]
    fn scale_maps_ends_to_ends() {
        assert_eq!(scale(0.0, 0.0, 10.0, 200.0, 20.0), 200.0);
        assert_eq!(scale(10.0, 0.0, 10.0, 200.0, 20.0), 20.0);
        assert_eq!(scale(5.0, 5.0, 5.0, 0.0, 10.0), 5.0);
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(40.0), "40");
    }
}
