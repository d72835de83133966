//! OCR accuracy on generated images, per preprocessing choice: 20 VIN plates and 15 fuel receipts
//! (random but fixed values, DejaVu Sans), each at three text sizes, clean and damaged (faded, blurred,
//! speckled) — 210 images per variant, read by the real Tesseract through `engine::image_text_with`
//! and `extract::extract`. Prints one table; figures go to the README.
//!
//! `cargo run --release -p mvp-ocr --example accuracy`

#[path = "../tests/support/render.rs"]
mod render;

use std::sync::Arc;

use mvp_ocr::engine::{Limits, Preprocess, image_text_with, psm_for};
use mvp_ocr::extract::extract;
use tokio::sync::Semaphore;

/// A small deterministic generator (xorshift), so every run reads the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const VIN_CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
const STATIONS: &[&str] = &[
    "SHELL", "CHEVRON", "EXXON", "SPEEDWAY", "MOBIL", "ARCO", "VALERO",
];

fn vin(rng: &mut Rng) -> String {
    let mut chars = ['0'; 17];
    for (i, c) in chars.iter_mut().enumerate() {
        if i != 8 {
            *c = char::from(VIN_CHARS[rng.below(VIN_CHARS.len() as u64) as usize]);
        }
    }
    chars[8] = mvp_types::vin::check_digit(&chars);
    chars.iter().collect()
}

#[derive(Debug, Clone)]
struct Receipt {
    station: String,
    date: chrono::NaiveDate,
    gallons: String,
    price: String,
    total: String,
}

fn receipt(rng: &mut Rng) -> Receipt {
    let milli_gallons = 4_000 + rng.below(16_000);
    let milli_price = 2_899 + rng.below(2_000);
    let total_cents = (milli_gallons * milli_price + 5_000) / 10_000;
    Receipt {
        station: format!(
            "{} STATION {}",
            STATIONS[rng.below(STATIONS.len() as u64) as usize],
            100 + rng.below(9000)
        ),
        date: chrono::NaiveDate::from_ymd_opt(
            2026,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .unwrap_or_default(),
        gallons: format!("{}.{:03}", milli_gallons / 1000, milli_gallons % 1000),
        price: format!("{}.{:03}", milli_price / 1000, milli_price % 1000),
        total: format!("{}.{:02}", total_cents / 100, total_cents % 100),
    }
}

/// One image and what should be read from it.
enum Truth {
    Vin(String),
    Receipt(Receipt),
}

#[derive(Debug, Default, Clone, Copy)]
struct Score {
    vin_raw: u32,
    vin_resolved: u32,
    vins: u32,
    fields: [u32; 5],
    receipts: u32,
    seconds: f64,
}

async fn read(png: Vec<u8>, prep: Preprocess, psm: u8) -> String {
    let work = std::env::temp_dir().join(format!("mvp-ocr-acc-{}", uuid_like()));
    let _ = std::fs::create_dir_all(&work);
    let limits = Limits {
        max_pixels: 40_000_000,
        max_pages: 1,
    };
    let text = image_text_with(&png, limits, psm, &work, prep)
        .await
        .map(|r| r.text)
        .unwrap_or_default();
    let _ = std::fs::remove_dir_all(&work);
    text
}

fn uuid_like() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    (u128::from(std::process::id()) << 64) | u128::from(N.fetch_add(1, Ordering::Relaxed))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut rng = Rng(0x5EED_1234_ABCD_0042);
    let mut corpus: Vec<(Vec<u8>, Truth)> = Vec::new();
    for n in 0..20u64 {
        let v = vin(&mut rng);
        for px in [20.0, 24.0, 36.0] {
            let page = render::draw(&[&format!("VIN {v}")], px);
            corpus.push((render::png(&page), Truth::Vin(v.clone())));
            let damaged = render::damage(&page, n + 1, 3);
            corpus.push((render::png(&damaged), Truth::Vin(v.clone())));
        }
    }
    for n in 0..15u64 {
        let r = receipt(&mut rng);
        let lines = [
            r.station.clone(),
            format!("DATE {}", r.date.format("%m/%d/%Y")),
            format!("GALLONS {}", r.gallons),
            format!("PRICE/GAL ${}", r.price),
            format!("TOTAL ${}", r.total),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        for px in [18.0, 22.0, 32.0] {
            let page = render::draw(&lines, px);
            corpus.push((render::png(&page), Truth::Receipt(r.clone())));
            let damaged = render::damage(&page, 100 + n, 3);
            corpus.push((render::png(&damaged), Truth::Receipt(r.clone())));
        }
    }
    let corpus = Arc::new(corpus);
    let variants = [
        (
            "as is",
            Some(Preprocess {
                upscale_below: 0,
                threshold: false,
                dpi: None,
            }),
        ),
        (
            "2x below 1200 px",
            Some(Preprocess {
                upscale_below: 1200,
                threshold: false,
                dpi: None,
            }),
        ),
        (
            "Otsu",
            Some(Preprocess {
                upscale_below: 0,
                threshold: true,
                dpi: None,
            }),
        ),
        ("the service: per kind, --dpi 300", None),
    ];
    let only: Option<usize> = std::env::var("ACCURACY_VARIANT")
        .ok()
        .and_then(|v| v.parse().ok());
    let show = std::env::var_os("ACCURACY_SHOW").is_some();
    println!(
        "{} images per variant ({} VIN plates, {} receipts)\n",
        corpus.len(),
        120,
        90
    );
    println!(
        "| preprocessing | VIN read exactly | VIN after check digit | date | gallons | price/gal | total | station | s/image |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (n, (name, prep)) in variants.into_iter().enumerate() {
        if only.is_some_and(|o| o != n) {
            continue;
        }
        let started = std::time::Instant::now();
        let gate = Arc::new(Semaphore::new(2));
        let mut tasks = Vec::new();
        for i in 0..corpus.len() {
            let corpus = corpus.clone();
            let gate = gate.clone();
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire().await;
                let (png, truth) = &corpus[i];
                let kind = if matches!(truth, Truth::Vin(_)) {
                    "vin"
                } else {
                    "fuel_receipt"
                };
                let prep = prep.unwrap_or_else(|| Preprocess::for_kind(kind));
                read(png.clone(), prep, psm_for(kind)).await
            }));
        }
        let mut score = Score::default();
        for (i, task) in tasks.into_iter().enumerate() {
            let text = task.await.unwrap_or_default();
            let found = extract(&text);
            match &corpus[i].1 {
                Truth::Vin(v) => {
                    if show && found.vin.as_ref().is_none_or(|f| f.value != *v) {
                        println!("VIN {v} (image {i}) read as {text:?}");
                    }
                    score.vins += 1;
                    score.vin_raw += u32::from(text.contains(v.as_str()));
                    score.vin_resolved +=
                        u32::from(found.vin.as_ref().is_some_and(|f| f.value == *v));
                }
                Truth::Receipt(r) => {
                    score.receipts += 1;
                    let same = |d: Option<rust_decimal::Decimal>, s: &str| {
                        u32::from(d.map(|d| d.to_string()).as_deref() == Some(s))
                    };
                    score.fields[0] +=
                        u32::from(found.date.as_ref().map(|f| f.value) == Some(r.date));
                    score.fields[1] += same(found.fuel_units.as_ref().map(|f| f.value), &r.gallons);
                    score.fields[2] +=
                        same(found.cost_per_unit.as_ref().map(|f| f.value), &r.price);
                    score.fields[3] += same(found.total_cost.as_ref().map(|f| f.value), &r.total);
                    score.fields[4] += u32::from(
                        found
                            .station_name
                            .as_ref()
                            .is_some_and(|f| f.value == r.station),
                    );
                }
            }
        }
        score.seconds = started.elapsed().as_secs_f64();
        let pct = |n: u32, of: u32| {
            format!(
                "{:.0}% ({n}/{of})",
                f64::from(n) * 100.0 / f64::from(of.max(1))
            )
        };
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            pct(score.vin_raw, score.vins),
            pct(score.vin_resolved, score.vins),
            pct(score.fields[0], score.receipts),
            pct(score.fields[1], score.receipts),
            pct(score.fields[2], score.receipts),
            pct(score.fields[3], score.receipts),
            pct(score.fields[4], score.receipts),
            score.seconds * 2.0 / corpus.len() as f64,
        );
    }
}
