//! The photographed images the browser tests scan (e2e/run.mjs), written to a directory: a pump
//! receipt and a VIN door-jamb label with a Code 39 barcode, each "photographed" by
//! tests/support/photo.rs with a fixed seed (tilted, on a table, uneven light, JPEG).
//!
//! `cargo run -p mvp-ocr --example fixtures -- <dir>` → `<dir>/receipt-photo.jpg`,
//! `<dir>/vin-label.jpg`.

#[path = "../tests/support/photo.rs"]
mod photo;
#[path = "../tests/support/render.rs"]
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

/// The receipt's lines; e2e/run.mjs checks the fields against them.
const RECEIPT: &[&str] = &[
    "BP #4521",
    "1200 W MAIN ST",
    "SPRINGFIELD IL 62701",
    "DATE 02/19/2026  TIME 14:32",
    "PUMP# 4   TRAN# 0877",
    "UNLEADED",
    "GALLONS      17.255",
    "PRICE/GAL    $3.529",
    "FUEL TOTAL   $60.89",
    "TOTAL        $60.89",
    "VISA ****1234",
    "THANK YOU",
];
const VIN: &str = "1HGCM82633A004352";

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fixtures <dir>");
        return ExitCode::FAILURE;
    };
    let mut rng = photo::Rng(0x1234_5678_9ABC_DEF1);
    let (receipt, _) = photo::photograph(&photo::thermal_receipt(RECEIPT, 32.0), &mut rng);
    let mut rng = photo::Rng(0xC0DE_39C0_DE12_8DA7);
    let label = photo::vin_label(VIN, &format!("I{VIN}"), &rxing::BarcodeFormat::CODE_39);
    let (label, _) = photo::photograph(&label, &mut rng);
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("receipt-photo.jpg"), receipt))
        .and_then(|()| std::fs::write(dir.join("vin-label.jpg"), label));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
