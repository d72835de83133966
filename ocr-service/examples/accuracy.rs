//! OCR accuracy on generated images, per preprocessing choice, read by the real Tesseract through
//! `engine::image_text_with` and answered by `service::answer` (what the service returns):
//!
//! * clean: 20 VIN plates and 15 fuel receipts (DejaVu Sans), three text sizes each, as rendered and
//!   damaged (faded, blurred, speckled) — 210 images;
//! * photo: 22 thermal fuel receipts (DejaVu Sans Mono, the lines a pump prints) at three sizes, each
//!   photographed differently (tests/support/photo.rs: tilt up to ±6°, perspective, a grey table,
//!   light falling off, blur, noise, JPEG 60–85) — 66 images;
//! * barcode: 10 VIN labels per format (Code 39, Code 128, Data Matrix, QR), photographed — 40.
//!
//! `cargo run --release -p mvp-ocr --example accuracy` (`ACCURACY_VARIANT=n` for one variant,
//! `ACCURACY_CORPUS=photo` for one corpus, `ACCURACY_SHOW=1` to print what was misread).

#[path = "../tests/support/photo.rs"]
mod photo;
#[path = "../tests/support/render.rs"]
mod render;

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use mvp_ocr::engine::{Binarise, Limits, Preprocess, image_text_with, psm_for};
use mvp_ocr::service::answer;
use photo::Rng;
use serde_json::Value;
use tokio::sync::Semaphore;

const VIN_CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
const STATIONS: &[&str] = &[
    "SHELL", "CHEVRON", "EXXON", "SPEEDWAY", "MOBIL", "ARCO", "VALERO",
];
const BRANDS: &[&str] = &[
    "BP",
    "SHELL",
    "EXXON",
    "MOBIL",
    "CHEVRON",
    "TEXACO",
    "SUNOCO",
    "SPEEDWAY",
    "CIRCLE K",
    "VALERO",
    "MARATHON",
    "CITGO",
    "PHILLIPS 66",
    "COSTCO",
    "ARCO",
];
const STREETS: &[&str] = &[
    "MAIN ST",
    "OAK AVE",
    "ELM ST",
    "PARK RD",
    "LAKE BLVD",
    "HILL DR",
];
const CITIES: &[&str] = &[
    "SPRINGFIELD IL",
    "AUSTIN TX",
    "DENVER CO",
    "TOLEDO OH",
    "FRESNO CA",
    "TAMPA FL",
];

/// The day the corpus is read on: every receipt is dated on or before it (the clean corpus's dates
/// run through 2026).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default()
}

fn vin(rng: &mut Rng) -> String {
    let mut chars = ['0'; 17];
    for (i, c) in chars.iter_mut().enumerate() {
        if i != 8 {
            *c = char::from(*rng.pick(VIN_CHARS));
        }
    }
    chars[8] = mvp_types::vin::check_digit(&chars);
    chars.iter().collect()
}

#[derive(Debug, Clone)]
struct Receipt {
    station: String,
    date: NaiveDate,
    gallons: String,
    price: String,
    total: String,
}

fn amounts(rng: &mut Rng) -> (String, String, String) {
    let milli_gallons = 4_000 + rng.below(16_000);
    let milli_price = 2_899 + rng.below(2_000);
    let total_cents = (milli_gallons * milli_price + 5_000) / 10_000;
    (
        format!("{}.{:03}", milli_gallons / 1000, milli_gallons % 1000),
        format!("{}.{:03}", milli_price / 1000, milli_price % 1000),
        format!("{}.{:02}", total_cents / 100, total_cents % 100),
    )
}

/// A receipt of the first corpus (five lines, DejaVu Sans).
fn clean_receipt(rng: &mut Rng) -> (Receipt, Vec<String>) {
    // In the order the first version drew them, so the clean corpus stays the same images.
    let (gallons, price, total) = amounts(rng);
    let station = format!("{} STATION {}", rng.pick(STATIONS), 100 + rng.below(9000));
    let date = NaiveDate::from_ymd_opt(2026, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
        .unwrap_or_default();
    let lines = vec![
        station.clone(),
        format!("DATE {}", date.format("%m/%d/%Y")),
        format!("GALLONS {gallons}"),
        format!("PRICE/GAL ${price}"),
        format!("TOTAL ${total}"),
    ];
    (
        Receipt {
            station,
            date,
            gallons,
            price,
            total,
        },
        lines,
    )
}

/// A pump's receipt as printed: station, street, city and ZIP, date and time, pump and
/// transaction, grade, gallons, price, fuel total, total, card, thanks.
fn pump_receipt(rng: &mut Rng) -> (Receipt, Vec<String>) {
    let brand = *rng.pick(BRANDS);
    let station = match rng.below(3) {
        0 => brand.to_owned(),
        1 => format!("{brand} #{}", 1000 + rng.below(9000)),
        _ => format!("{brand} {:04}", rng.below(10_000)),
    };
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let date = first + chrono::Days::new(rng.below(699));
    let (gallons, price, total) = amounts(rng);
    let (hour, minute, second) = (6 + rng.below(16), rng.below(60), rng.below(60));
    let when = match rng.below(3) {
        0 => format!(
            "DATE {}  TIME {hour:02}:{minute:02}",
            date.format("%m/%d/%Y")
        ),
        1 => format!(
            "DATE: {}  {hour:02}:{minute:02}:{second:02}",
            date.format("%Y-%m-%d")
        ),
        _ => format!("DATE {}  {hour:02}:{minute:02}", date.format("%m/%d/%y")),
    };
    let lines = vec![
        station.clone(),
        format!("{} {}", 100 + rng.below(9900), rng.pick(STREETS)),
        format!("{} {:05}", rng.pick(CITIES), 10_000 + rng.below(89_999)),
        when,
        format!(
            "PUMP# {}   TRAN# {:04}",
            1 + rng.below(12),
            rng.below(10_000)
        ),
        (*rng.pick(&["UNLEADED", "REGULAR UNL", "PREMIUM"])).to_owned(),
        format!("GALLONS      {gallons}"),
        format!("PRICE/GAL    ${price}"),
        format!("FUEL TOTAL   ${total}"),
        format!("TOTAL        ${total}"),
        format!("VISA ****{:04}", rng.below(10_000)),
        "THANK YOU".to_owned(),
    ];
    (
        Receipt {
            station,
            date,
            gallons,
            price,
            total,
        },
        lines,
    )
}

/// One image and what should be read from it.
enum Truth {
    Vin(String),
    Receipt(Receipt),
}

struct Image {
    corpus: &'static str,
    bytes: Vec<u8>,
    truth: Truth,
}

fn corpus(only: Option<&str>) -> Vec<Image> {
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    let mut images = Vec::new();
    let mut rng = Rng(0x5EED_1234_ABCD_0042);
    let mut vins = Vec::new();
    for _ in 0..20 {
        vins.push(vin(&mut rng));
    }
    let mut clean = Vec::new();
    for _ in 0..15 {
        clean.push(clean_receipt(&mut rng));
    }
    if wanted("clean") {
        for (n, v) in vins.iter().enumerate() {
            for px in [20.0, 24.0, 36.0] {
                let page = render::draw(&[&format!("VIN {v}")], px);
                for page in [page.clone(), render::damage(&page, n as u64 + 1, 3)] {
                    images.push(Image {
                        corpus: "clean",
                        bytes: render::png(&page),
                        truth: Truth::Vin(v.clone()),
                    });
                }
            }
        }
        for (n, (r, lines)) in clean.iter().enumerate() {
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            for px in [18.0, 22.0, 32.0] {
                let page = render::draw(&lines, px);
                for page in [page.clone(), render::damage(&page, 100 + n as u64, 3)] {
                    images.push(Image {
                        corpus: "clean",
                        bytes: render::png(&page),
                        truth: Truth::Receipt(r.clone()),
                    });
                }
            }
        }
    }
    let mut rng = Rng(0x0000_F070_2026_1203);
    if wanted("photo") {
        for _ in 0..22 {
            let (r, lines) = pump_receipt(&mut rng);
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            for px in [26.0, 30.0, 36.0] {
                let (bytes, _) = photo::photograph(&photo::thermal_receipt(&lines, px), &mut rng);
                images.push(Image {
                    corpus: "photo",
                    bytes,
                    truth: Truth::Receipt(r.clone()),
                });
            }
        }
    }
    let mut rng = Rng(0x0BAD_C0DE_0017_0039);
    if wanted("barcode") {
        for (name, format) in photo::FORMATS {
            for n in 0..10 {
                let v = vin(&mut rng);
                // Door-jamb Code 39 labels often lead with "I" (imported); QR codes on cards hold
                // other fields around the VIN.
                let payload = match (*name, n % 2) {
                    ("Code 39", 1) => format!("I{v}"),
                    ("QR", 1) => format!("REG:{};VIN:{v};EXP:2027-03-31", 1000 + n),
                    _ => v.clone(),
                };
                let (bytes, _) =
                    photo::photograph(&photo::vin_label(&v, &payload, format), &mut rng);
                images.push(Image {
                    corpus: "barcode",
                    bytes,
                    truth: Truth::Vin(v),
                });
            }
        }
    }
    images
}

async fn read(png: Vec<u8>, prep: Preprocess, psm: u8) -> (Value, f64) {
    let work = std::env::temp_dir().join(format!("mvp-ocr-acc-{}", unique()));
    let _ = std::fs::create_dir_all(&work);
    let limits = Limits {
        max_pixels: 40_000_000,
        max_pages: 1,
    };
    let started = Instant::now();
    let body = match image_text_with(&png, limits, psm, &work, prep).await {
        Ok(reading) => answer(&reading, today()),
        Err(_) => Value::Null,
    };
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&work);
    (body, seconds)
}

fn unique() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    (u128::from(std::process::id()) << 64) | u128::from(N.fetch_add(1, Ordering::Relaxed))
}

#[derive(Debug, Default, Clone)]
struct Score {
    vins: u32,
    vin_raw: u32,
    vin_right: u32,
    receipts: u32,
    /// date, gallons, price/gal, total, station
    fields: [u32; 5],
    all_five: u32,
    /// Values returned that no receipt can have: a date after tomorrow or before 1990, or a total
    /// that disagrees with gallons × price while `consistent` is not false.
    implausible: u32,
    flagged: u32,
    corrected: u32,
    seconds: Vec<f64>,
}

fn pct(n: u32, of: u32) -> String {
    format!(
        "{:.0} % ({n}/{of})",
        f64::from(n) * 100.0 / f64::from(of.max(1))
    )
}

/// A field as text: amounts come as JSON numbers (exact decimals), the rest as strings.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn decimal(v: &Value) -> Option<rust_decimal::Decimal> {
    text(v).and_then(|s| s.parse().ok())
}

fn score_receipt(score: &mut Score, body: &Value, r: &Receipt, show: bool, i: usize) {
    let f = &body["fields"];
    let same = |v: &Value, want: &str| text(v).as_deref() == Some(want);
    let right = [
        same(&f["date"], &r.date.to_string()),
        same(&f["fuelUnits"], &r.gallons),
        same(&f["costPerUnit"], &r.price),
        same(&f["totalCost"], &r.total),
        same(&f["stationName"], &r.station),
    ];
    score.receipts += 1;
    for (n, ok) in right.iter().enumerate() {
        score.fields[n] += u32::from(*ok);
    }
    score.all_five += u32::from(right.iter().all(|ok| *ok));
    score.flagged += u32::from(f["consistent"] == Value::Bool(false));
    score.corrected += u32::from(body["corrected"].as_array().is_some_and(|c| !c.is_empty()));
    let date = f["date"].as_str().and_then(|d| d.parse::<NaiveDate>().ok());
    let bad_date = date.is_some_and(|d| {
        d > today() + chrono::Days::new(1) || d < NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(d)
    });
    let disagree = match (
        decimal(&f["fuelUnits"]),
        decimal(&f["costPerUnit"]),
        decimal(&f["totalCost"]),
    ) {
        (Some(g), Some(p), Some(t)) => {
            ((g * p)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                - t)
                .abs()
                > rust_decimal::Decimal::new(1, 2)
                && f["consistent"] != Value::Bool(false)
        }
        _ => false,
    };
    score.implausible += u32::from(bad_date || disagree);
    if show && !right.iter().all(|ok| *ok) {
        println!(
            "receipt {i}: want {} {} {} {} {:?}; got {f}\n  text: {:?}",
            r.date, r.gallons, r.price, r.total, r.station, body["text"]
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let only_corpus = std::env::var("ACCURACY_CORPUS").ok();
    let images = Arc::new(corpus(only_corpus.as_deref()));
    let only: Option<usize> = std::env::var("ACCURACY_VARIANT")
        .ok()
        .and_then(|v| v.parse().ok());
    let show = std::env::var_os("ACCURACY_SHOW").is_some();
    let receipt = |straighten: bool, binarise: Binarise| Preprocess {
        straighten,
        binarise,
        ..Preprocess::for_kind("fuel_receipt")
    };
    let doubled = Preprocess {
        upscale_below: 1200,
        ..receipt(true, Binarise::Sauvola(0.2))
    };
    let variants: [(&str, Option<Preprocess>); 8] = [
        (
            "as read, Otsu (the service before)",
            Some(receipt(false, Binarise::Otsu)),
        ),
        (
            "as read, Sauvola k=0.2",
            Some(receipt(false, Binarise::Sauvola(0.2))),
        ),
        ("straightened, Otsu", Some(receipt(true, Binarise::Otsu))),
        (
            "straightened, Sauvola k=0.2",
            Some(receipt(true, Binarise::Sauvola(0.2))),
        ),
        (
            "straightened, Sauvola k=0.34",
            Some(receipt(true, Binarise::Sauvola(0.34))),
        ),
        (
            "straightened, doubled below 1,200 px, Sauvola k=0.2",
            Some(doubled),
        ),
        (
            "straightened, Otsu where the light is even, else Sauvola k=0.2",
            Some(receipt(true, Binarise::ByLight(0.2))),
        ),
        ("the service: per kind", None),
    ];
    // Tesseract's page segmentation for receipts (6, a block, unless ACCURACY_PSM says otherwise).
    let receipt_psm: Option<u8> = std::env::var("ACCURACY_PSM")
        .ok()
        .and_then(|v| v.parse().ok());
    println!("{} images\n", images.len());
    println!(
        "| preprocessing | corpus | VIN read exactly | VIN returned right | date | gallons | price/gal | total | station | all five | flagged / corrected | implausible | s/image mean (max) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (n, (name, prep)) in variants.into_iter().enumerate() {
        if only.is_some_and(|o| o != n) {
            continue;
        }
        let gate = Arc::new(Semaphore::new(2));
        let mut tasks = Vec::new();
        for i in 0..images.len() {
            let images = images.clone();
            let gate = gate.clone();
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire().await;
                let image = &images[i];
                let kind = if matches!(image.truth, Truth::Vin(_)) {
                    "vin"
                } else {
                    "fuel_receipt"
                };
                // VIN plates are always read the service's way: the variants are about receipts.
                let prep = match prep {
                    Some(p) if kind != "vin" => p,
                    _ => Preprocess::for_kind(kind),
                };
                let psm = match receipt_psm {
                    Some(psm) if kind != "vin" => psm,
                    _ => psm_for(kind),
                };
                read(image.bytes.clone(), prep, psm).await
            }));
        }
        let mut scores: Vec<(&str, Score)> = Vec::new();
        for (i, task) in tasks.into_iter().enumerate() {
            let (body, seconds) = task.await.unwrap_or((Value::Null, 0.0));
            let image = &images[i];
            let at = match scores.iter().position(|(c, _)| *c == image.corpus) {
                Some(at) => at,
                None => {
                    scores.push((image.corpus, Score::default()));
                    scores.len() - 1
                }
            };
            let score = &mut scores[at].1;
            score.seconds.push(seconds);
            match &image.truth {
                Truth::Vin(v) => {
                    let got = body["fields"]["vin"].as_str();
                    if show && got != Some(v.as_str()) {
                        println!(
                            "VIN {v} (image {i}, {}) read as {:?}",
                            image.corpus, body["text"]
                        );
                    }
                    score.vins += 1;
                    score.vin_raw += u32::from(
                        body["text"]
                            .as_str()
                            .is_some_and(|t| t.contains(v.as_str())),
                    );
                    score.vin_right += u32::from(got == Some(v.as_str()));
                }
                Truth::Receipt(r) => score_receipt(score, &body, r, show, i),
            }
        }
        for (corpus, s) in &scores {
            let mean = s.seconds.iter().sum::<f64>() / s.seconds.len().max(1) as f64;
            let max = s.seconds.iter().copied().fold(0.0, f64::max);
            let receipts = |v: u32| {
                if s.receipts == 0 {
                    "—".to_owned()
                } else {
                    pct(v, s.receipts)
                }
            };
            let vins = |v: u32| {
                if s.vins == 0 {
                    "—".to_owned()
                } else {
                    pct(v, s.vins)
                }
            };
            println!(
                "| {name} | {corpus} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} | {mean:.2} ({max:.2}) |",
                vins(s.vin_raw),
                vins(s.vin_right),
                receipts(s.fields[0]),
                receipts(s.fields[1]),
                receipts(s.fields[2]),
                receipts(s.fields[3]),
                receipts(s.fields[4]),
                receipts(s.all_five),
                s.flagged,
                s.corrected,
                s.implausible,
            );
        }
    }
}
