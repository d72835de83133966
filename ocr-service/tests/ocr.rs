//! The OCR service end to end with Tesseract: images rendered here with a known font (DejaVu Sans,
//! Debian's fonts-dejavu-core), sent over HTTP, read back into fields.

use std::net::SocketAddr;

use mvp_ocr::service::Settings;
use serde_json::Value;

#[path = "support/photo.rs"]
mod photo;
#[path = "support/render.rs"]
mod render;
#[path = "support/serve.rs"]
mod serve;

use render::render;
use serve::serve;

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

async fn post_today(
    addr: SocketAddr,
    kind: &str,
    bytes: Vec<u8>,
    today: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("receipt.jpg"),
    );
    reqwest::Client::new()
        .post(format!("http://{addr}/extract?kind={kind}&today={today}"))
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

/// A pump receipt as a phone photographs it (tilted, on a table, uneven light, JPEG): every field,
/// a confidence per field, and the amounts checked against one another.
#[tokio::test]
async fn a_photographed_pump_receipt_is_read_into_fields() {
    let addr = serve(Settings::default()).await;
    let (jpeg, conditions) = photo::photographed_pump_receipt();
    let response = post_today(addr, "fuel_receipt", jpeg, "2026-12-01").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap_or_default();
    let fields = &body["fields"];
    assert_eq!(fields["stationName"], "BP #4521", "{conditions:?} {body}");
    assert_eq!(fields["date"], "2026-02-19", "{body}");
    assert_eq!(fields["fuelUnits"].to_string(), "17.255", "{body}");
    assert_eq!(fields["costPerUnit"].to_string(), "3.529", "{body}");
    assert_eq!(fields["totalCost"].to_string(), "60.89", "{body}");
    assert_eq!(fields["consistent"], true, "{body}");
    for field in [
        "stationName",
        "date",
        "fuelUnits",
        "costPerUnit",
        "totalCost",
    ] {
        let c = body["fieldConfidence"][field].as_f64().unwrap_or(-1.0);
        assert!((0.0..=100.0).contains(&c), "{field}: {body}");
    }
}

/// VIN labels carry the VIN as a barcode: each of the four formats, photographed, gives the VIN
/// exactly (confidence 100), whatever Tesseract would have made of the printed line.
#[tokio::test]
async fn a_photographed_vin_barcode_gives_the_vin() {
    let addr = serve(Settings::default()).await;
    let vin = "1HGCM82633A004352";
    let mut rng = photo::Rng(0xC0DE_39C0_DE12_8DA7);
    for (name, format) in photo::FORMATS {
        let payload = if *name == "Code 39" {
            format!("I{vin}")
        } else {
            vin.to_owned()
        };
        let (jpeg, conditions) =
            photo::photograph(&photo::vin_label(vin, &payload, format), &mut rng);
        let body: Value = post(addr, "vin", jpeg, "label.jpg")
            .await
            .json()
            .await
            .unwrap_or_default();
        assert_eq!(body["fields"]["vin"], vin, "{name} {conditions:?}: {body}");
        assert_eq!(body["fieldConfidence"]["vin"], 100.0, "{name}: {body}");
        assert!(
            body["barcodes"][0]["text"]
                .as_str()
                .is_some_and(|t| t.contains(vin)),
            "{body}"
        );
    }
}

/// The user's date bounds the receipt's: it must be a date.
#[tokio::test]
async fn today_must_be_a_date() {
    let addr = serve(Settings::default()).await;
    let receipt = render(&["TOTAL $1.00"], 30.0);
    let response = post_today(addr, "fuel_receipt", receipt, "yesterday").await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "validation_failed");
}

/// Decompression bombs are refused from their header, never decoded: 20,000 × 20,000 (over the
/// side and pixel caps), and 6,000 × 6,000 16-bit RGBA (36 MP, under the pixel cap, but 288 MB of
/// pixels — before `mvp_imaging` this one was decoded).
#[tokio::test]
async fn decompression_bombs_are_refused_without_decoding_them() {
    let addr = serve(Settings::default()).await;
    for (width, height) in [(20_000, 20_000), (6_000, 6_000)] {
        let bomb = mvp_test_support::bomb::png_rgba16(width, height);
        let response = post(addr, "document", bomb, "huge.png").await;
        assert_eq!(response.status(), 413, "{width}×{height}");
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "payload_too_large");
    }
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
