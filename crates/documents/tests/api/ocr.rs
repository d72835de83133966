//! `POST /api/ocr/extract` against the real app and the real OCR service (in process, Tesseract).

use std::net::SocketAddr;

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, TestAppBuilder};
use reqwest::multipart::{Form, Part};

async fn ocr_service() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let handle = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            mvp_ocr::service::router(mvp_ocr::service::Settings::default()),
        )
        .await;
    });
    (addr, handle)
}

fn blank_png() -> Vec<u8> {
    let img = image::GrayImage::from_pixel(300, 120, image::Luma([255]));
    let mut out = Vec::new();
    let _ = image::DynamicImage::ImageLuma8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

async fn send(app: &TestApp, token: Option<&str>, kind: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("scan.png"));
    let mut request = app
        .client
        .post(app.url(&format!("/api/ocr/extract?kind={kind}")))
        .multipart(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn extraction_is_forwarded_and_failures_are_mapped() {
    let (addr, ocr) = ocr_service().await;
    let app = TestAppBuilder::new()
        .var("MVP_OCR__URL", format!("http://{addr}"))
        .spawn()
        .await;
    let token = app.token("auth0|scanner");

    let read = send(&app, Some(&token), "fuel_receipt", blank_png()).await;
    assert_eq!(read.status(), 200);
    let body = json(read).await;
    assert!(
        body["text"].is_string() && body["confidence"].is_number(),
        "{body}"
    );
    for field in [
        "vin",
        "date",
        "totalCost",
        "fuelUnits",
        "costPerUnit",
        "odometerReading",
        "stationName",
    ] {
        assert!(
            body["fields"][field].is_null(),
            "{field} on a blank page: {body}"
        );
    }

    let html = send(
        &app,
        Some(&token),
        "document",
        b"<!doctype html><p>not a receipt".to_vec(),
    )
    .await;
    assert_eq!(html.status(), 415);
    assert_eq!(json(html).await["error"]["code"], "unsupported_media_type");

    let kind = send(&app, Some(&token), "passport", blank_png()).await;
    assert_eq!(kind.status(), 400);
    assert_eq!(json(kind).await["error"]["details"][0]["field"], "kind");

    assert_eq!(send(&app, None, "vin", blank_png()).await.status(), 401);

    // The OCR service goes away: a 503 in the error body, not a 500.
    ocr.abort();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let down = send(&app, Some(&token), "vin", blank_png()).await;
    assert_eq!(down.status(), 503);
    assert_eq!(json(down).await["error"]["code"], "unavailable");
}
