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
    let token = app.token("auth0|scanner").await;

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

/// The file is streamed on, and its size limit holds mid-stream: 25 MiB + 1 byte is a 413 (from our
/// own count, before the OCR service would have to say so), with the service up and answering.
#[tokio::test]
async fn a_file_over_25_mib_is_413_while_streaming() {
    let (addr, _ocr) = ocr_service().await;
    let app = TestAppBuilder::new()
        .var("MVP_OCR__URL", format!("http://{addr}"))
        .spawn()
        .await;
    let token = app.token("auth0|scanner").await;
    let mut big = blank_png();
    big.resize(25 * 1024 * 1024 + 1, 0);
    let response = send(&app, Some(&token), "document", big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(json(response).await["error"]["code"], "payload_too_large");
    // The next request is served as usual (the turn and the reader were released).
    assert_eq!(
        send(&app, Some(&token), "document", blank_png())
            .await
            .status(),
        200
    );
}

/// The bound on OCR forwarding is taken before the body is read: with one allowed and none waiting,
/// a client that trickles its upload holds the turn, and a second request gets 503 + Retry-After at
/// once instead of buffering another file.
#[tokio::test]
async fn ocr_forwarding_is_bounded_before_the_body_is_read() {
    use tokio::io::AsyncWriteExt;

    let (addr, _ocr) = ocr_service().await;
    let app = TestAppBuilder::new()
        .var("MVP_OCR__URL", format!("http://{addr}"))
        .var("MVP_LIMITS__OCR_REQUESTS", "1")
        .var("MVP_LIMITS__QUEUE", "0")
        .spawn()
        .await;
    let token = app.token("auth0|slow").await;
    let server = app.url("").replace("http://", "");
    let server = server.trim_end_matches('/');
    let mut slow = tokio::net::TcpStream::connect(server)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let head = format!(
        "POST /api/ocr/extract?kind=document HTTP/1.1\r\nHost: {server}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=slow\r\nContent-Length: 1000000\r\n\r\n\
         --slow\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG-start"
    );
    slow.write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let busy = send(&app, Some(&token), "document", blank_png()).await;
    assert_eq!(busy.status(), 503);
    assert_eq!(
        busy.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(json(busy).await["error"]["code"], "unavailable");

    // The slow client gives up: its turn is released and the next request is served.
    drop(slow);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        send(&app, Some(&token), "document", blank_png())
            .await
            .status(),
        200
    );
}

/// The user's date goes to the OCR service with the file (it returns no receipt dated after the
/// user's tomorrow): a stand-in service answers with the query it was sent.
#[tokio::test]
async fn the_users_date_in_their_time_zone_goes_with_the_file() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let echo = axum::Router::new().route(
        "/extract",
        axum::routing::post(
            |axum::extract::RawQuery(query): axum::extract::RawQuery| async move {
                axum::Json(serde_json::json!({
                    "text": query.unwrap_or_default(), "confidence": 0, "fields": {}
                }))
            },
        ),
    );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, echo).await;
    });
    let app = TestAppBuilder::new()
        .var("MVP_OCR__URL", format!("http://{addr}"))
        .spawn()
        .await;
    let token = app.token("auth0|far-east").await;
    // UTC+14: most of the time a different date from UTC's.
    let zone = "Pacific/Kiritimati";
    let set = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &serde_json::json!({"timeZone": zone}),
        )
        .await;
    assert_eq!(set.status(), 200);
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let before = chrono::Utc::now().with_timezone(&tz).date_naive();
    let body = json(send(&app, Some(&token), "fuel_receipt", blank_png()).await).await;
    let after = chrono::Utc::now().with_timezone(&tz).date_naive();
    let sent = body["text"].as_str().unwrap_or_default().to_owned();
    assert!(
        [before, after]
            .iter()
            .any(|day| sent == format!("kind=fuel_receipt&today={day}")),
        "{sent}"
    );
    server.abort();
}
