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

const VIN: &str = "1HGCM82633A004352";

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fixtures <dir>");
        return ExitCode::FAILURE;
    };
    let (receipt, _) = photo::photographed_pump_receipt();
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
