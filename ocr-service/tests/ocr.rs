//! The OCR service end to end with Tesseract: images rendered here with a known font (DejaVu Sans,
//! Debian's fonts-dejavu-core), sent over HTTP, read back into fields.

use std::net::SocketAddr;

use mvp_ocr::service::{Settings, router};
use serde_json::Value;

#[path = "support/render.rs"]
mod render;

use render::render;

async fn serve(settings: Settings) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(settings)).await;
    });
    addr
}

async fn post(addr: SocketAddr, kind: &str, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    reqwest::Client::new()
        .post(format!("http://{addr}/extract?kind={kind}"))
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_rendered_fuel_receipt_is_read_into_fields() {
    let addr = serve(Settings::default()).await;
    let receipt = render(
        &[
            "SHELL STATION 1234",
            "DATE 03/14/2026",
            "GALLONS 10.123",
            "PRICE/GAL $3.459",
            "TOTAL $35.02",
        ],
        40.0,
    );
    let response = post(addr, "fuel_receipt", receipt, "receipt.png").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap_or_default();
    let fields = &body["fields"];
    assert_eq!(fields["date"], "2026-03-14", "{body}");
    assert_eq!(fields["fuelUnits"].to_string(), "10.123", "{body}");
    assert_eq!(fields["costPerUnit"].to_string(), "3.459", "{body}");
    assert_eq!(fields["totalCost"].to_string(), "35.02", "{body}");
    assert!(body["confidence"].as_f64().unwrap_or(0.0) > 50.0, "{body}");
}

#[tokio::test]
async fn a_rendered_vin_plate_gives_the_vin() {
    let addr = serve(Settings::default()).await;
    let plate = render(&["VIN 1HGCM82633A004352"], 48.0);
    let body: Value = post(addr, "vin", plate, "plate.png")
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(body["fields"]["vin"], "1HGCM82633A004352", "{body}");
}

/// A 20,000 × 20,000 PNG header: refused from its dimensions, never decoded.
#[tokio::test]
async fn a_huge_image_is_refused_without_decoding_it() {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // A token IDAT (a decoder reads the header up to the first IDAT); no pixel data follows.
    let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
    png.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    png.extend_from_slice(idat);
    png.extend_from_slice(&crc32(idat).to_be_bytes());
    png.extend_from_slice(&0u32.to_be_bytes());
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&crc32(b"IEND").to_be_bytes());
    let addr = serve(Settings::default()).await;
    let response = post(addr, "document", png, "huge.png").await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn files_that_are_not_images_or_pdfs_are_415() {
    let addr = serve(Settings::default()).await;
    for (bytes, name) in [
        (b"<!doctype html><p>hi".to_vec(), "receipt.pdf"),
        (b"\x7fELF\x02\x01\x01\x00".to_vec(), "receipt.pdf"),
        (b"PK\x03\x04\x14\x00".to_vec(), "receipt.pdf"),
    ] {
        assert_eq!(post(addr, "document", bytes, name).await.status(), 415);
    }
}
