//! Vehicles against the real app: CRUD, VIN rules and VIN-assisted entry, the odometer rule, photos,
//! and a second user who gets 404 on every route with the first user's ids.

use std::io::Cursor;

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, TestAppBuilder, spawn_app};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const ACCORD_VIN: &str = "1HGCM82633A004352";

async fn create(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json_as(token, "/api/vehicles", &body).await
}

/// Parsed from text so the price keeps the digits a user typed (`21500.50`, not `21500.5`).
fn civic() -> Value {
    serde_json::from_str(
        r#"{"year": 2019, "make": "Honda", "model": "Civic", "trimLevel": "EX", "odometerReading": 42000,
            "purchasePrice": 21500.50, "purchaseDate": "2019-05-04", "nickname": "Blue", "fuelType": "gasoline"}"#,
    )
    .unwrap_or_default()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Vec::new();
    let _ = image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

/// A JPEG carrying an EXIF block with a recognisable "GPS" marker.
fn jpeg_with_exif() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, _| image::Rgb([x as u8 * 3, 40, 200]));
    let mut plain = Vec::new();
    let _ = image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg);
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(b"GPS-SECRET-51.5007,-0.1246");
    let len = u16::try_from(payload.len() + 2).unwrap_or(0).to_be_bytes();
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1, len[0], len[1]]);
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

async fn put_image(
    app: &TestApp,
    token: &str,
    id: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let form = Form::new().part("image", Part::bytes(bytes).file_name(name.to_owned()));
    let path = format!("/api/vehicles/{id}/image");
    app.send_multipart(reqwest::Method::PUT, token, &path, form)
        .await
}

#[tokio::test]
async fn create_read_list_update_delete() {
    let app = spawn_app().await;
    let token = app.token("auth0|owner").await;
    let created = create(&app, &token, civic()).await;
    assert_eq!(created.status(), 201);
    let location = created
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_default();
    let vehicle = json(created).await;
    let id = id_of(&vehicle);
    assert_eq!(location, format!("/api/vehicles/{id}"));
    assert_eq!(
        vehicle["purchasePrice"].to_string(),
        "21500.50",
        "money keeps its digits"
    );
    assert_eq!(vehicle["hasImage"], false);
    assert_eq!(vehicle["odometerReading"], 42000);

    let fetched = json(app.get_as(&token, &location).await).await;
    assert_eq!(fetched, vehicle);

    let second = create(
        &app,
        &token,
        json!({"year": 2021, "make": "Toyota", "model": "RAV4"}),
    )
    .await;
    assert_eq!(second.status(), 201);
    let listed = app.get_as(&token, "/api/vehicles").await;
    assert_eq!(
        listed
            .headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    let listed = json(listed).await;
    assert_eq!(listed[0]["model"], "RAV4", "newest first");
    let page = json(app.get_as(&token, "/api/vehicles?limit=1&offset=1").await).await;
    assert_eq!(page.as_array().map(Vec::len), Some(1));
    assert_eq!(page[0]["model"], "Civic");
    assert_eq!(
        app.get_as(&token, "/api/vehicles?limit=0").await.status(),
        400
    );

    // PUT takes what GET returned (read-only fields ignored).
    let mut changed = fetched.clone();
    changed["nickname"] = json!("Daily");
    changed["odometerReading"] = json!(43000);
    let updated = app.put_json_as(&token, &location, &changed).await;
    assert_eq!(updated.status(), 200);
    let updated = json(updated).await;
    assert_eq!(updated["nickname"], "Daily");
    assert_eq!(updated["odometerReading"], 43000);

    let deleted = app.delete_as(&token, &location).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.get_as(&token, &location).await.status(), 404);
    assert_eq!(app.delete_as(&token, &location).await.status(), 404);
    let listed = app.get_as(&token, "/api/vehicles").await;
    assert_eq!(
        listed
            .headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
}

#[tokio::test]
async fn a_vin_is_unique_per_user_among_live_vehicles() {
    let app = spawn_app().await;
    let (a, b) = (app.token("auth0|a").await, app.token("auth0|b").await);
    let body =
        json!({"vin": ACCORD_VIN.to_lowercase(), "year": 2003, "make": "Honda", "model": "Accord"});
    let first = json(create(&app, &a, body.clone()).await).await;
    assert_eq!(first["vin"], ACCORD_VIN, "stored upper-case");
    let duplicate = create(&app, &a, body.clone()).await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(json(duplicate).await["error"]["code"], "conflict");
    assert_eq!(
        create(&app, &b, body.clone()).await.status(),
        201,
        "another user may have it"
    );
    assert_eq!(
        app.delete_as(&a, &format!("/api/vehicles/{}", id_of(&first)))
            .await
            .status(),
        204
    );
    assert_eq!(
        create(&app, &a, body).await.status(),
        201,
        "a deleted vehicle frees its VIN"
    );
}

#[tokio::test]
async fn a_decodable_vin_fills_year_make_and_model() {
    let app = spawn_app().await;
    let token = app.token("auth0|vin").await;
    let created = create(
        &app,
        &token,
        json!({"vin": ACCORD_VIN, "odometerReading": 180000}),
    )
    .await;
    assert_eq!(created.status(), 201);
    let vehicle = json(created).await;
    assert_eq!(vehicle["year"], 2003);
    assert_eq!(vehicle["make"], "Honda");
    assert_eq!(vehicle["model"], "Accord");
    // What the user typed wins over the decode.
    let typed = json(
        create(
            &app,
            &token,
            json!({"vin": "5YJ3E1EA2KF317000", "model": "Model 3 LR"}),
        )
        .await,
    )
    .await;
    assert_eq!(typed["model"], "Model 3 LR");
    assert_eq!(typed["make"], "Tesla");
    assert_eq!(typed["year"], 2019);
}

#[tokio::test]
async fn bad_vehicles_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let token = app.token("auth0|bad").await;
    let next_year_plus_one = chrono::Datelike::year(&chrono::Utc::now()) + 2;
    let cases = [
        (json!({"year": 1899, "make": "Ford", "model": "T"}), "year"),
        (
            json!({"year": next_year_plus_one, "make": "Ford", "model": "T"}),
            "year",
        ),
        (json!({"year": 2020, "make": "  ", "model": "T"}), "make"),
        (json!({"year": 2020, "make": "Ford"}), "model"),
        (
            json!({"year": 2020, "make": "Ford", "model": "x".repeat(51)}),
            "model",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "odometerReading": -5}),
            "odometerReading",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "odometerReading": 1.5}),
            "odometerReading",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "odometerReading": 9_223_372_036_854_775_807_i64}),
            "odometerReading",
        ),
        (
            json!({"year": "2020", "make": "Ford", "model": "F-150"}),
            "year",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "vin": "1HGCM82633A00435"}),
            "vin",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "vin": "1HGCM82643A004352"}),
            "vin",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "purchasePrice": 10.005}),
            "purchasePrice",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "fuelType": "coal"}),
            "fuelType",
        ),
        (
            json!({"year": 2020, "make": "Ford", "model": "F-150", "purchaseDate": "2999-01-01"}),
            "purchaseDate",
        ),
    ];
    for (body, field) in cases {
        let response = create(&app, &token, body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error = json(response).await;
        assert_eq!(
            error["error"]["details"][0]["field"], field,
            "{body}: {error}"
        );
    }
    let unknown = create(
        &app,
        &token,
        json!({"year": 2020, "make": "Ford", "model": "F-150", "wheels": 4}),
    )
    .await;
    assert_eq!(unknown.status(), 400);
    let listed = app.get_as(&token, "/api/vehicles").await;
    assert_eq!(
        listed
            .headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );
}

#[tokio::test]
async fn the_odometer_goes_down_only_as_a_correction() {
    let app = spawn_app().await;
    let token = app.token("auth0|odo").await;
    let vehicle = json(create(&app, &token, civic()).await).await;
    let url = format!("/api/vehicles/{}", id_of(&vehicle));
    let mut lower = vehicle.clone();
    lower["odometerReading"] = json!(41000);
    let refused = app.put_json_as(&token, &url, &lower).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(
        json(refused).await["error"]["details"][0]["field"],
        "odometerReading"
    );
    lower["odometerCorrection"] = json!(true);
    let corrected = app.put_json_as(&token, &url, &lower).await;
    assert_eq!(corrected.status(), 200);
    assert_eq!(json(corrected).await["odometerReading"], 41000);
}

#[tokio::test]
async fn a_second_user_gets_404_on_every_route_with_the_first_users_ids() {
    let app = spawn_app().await;
    let (owner, other) = (
        app.token("auth0|owner").await,
        app.token("auth0|intruder").await,
    );
    let vehicle = json(create(&app, &owner, civic()).await).await;
    let id = id_of(&vehicle);
    assert_eq!(
        put_image(&app, &owner, &id, png(32, 32), "car.png")
            .await
            .status(),
        200
    );

    let base = format!("/api/vehicles/{id}");
    let image = format!("{base}/image");
    let routes: Vec<(&str, String)> = vec![
        ("GET", base.clone()),
        ("PUT", base.clone()),
        ("DELETE", base.clone()),
        ("GET", image.clone()),
        ("GET", format!("{image}?size=thumb")),
        ("PUT", image.clone()),
        ("DELETE", image.clone()),
    ];
    for (method, path) in &routes {
        let response = match *method {
            "GET" => app.get_as(&other, path).await,
            "DELETE" => app.delete_as(&other, path).await,
            _ if path.ends_with("/image") => put_image(&app, &other, &id, png(8, 8), "x.png").await,
            _ => app.put_json_as(&other, path, &civic()).await,
        };
        assert_eq!(response.status(), 404, "{method} {path}");
        assert_eq!(
            json(response).await["error"]["code"],
            "not_found",
            "{method} {path}"
        );
    }
    let listed = json(app.get_as(&other, "/api/vehicles").await).await;
    assert_eq!(listed, json!([]));
    // Nothing the intruder did changed the owner's vehicle.
    let still = json(app.get_as(&owner, &base).await).await;
    assert_eq!(still["hasImage"], true);
    assert_eq!(still["nickname"], "Blue");
    // Malformed and unknown ids look the same.
    assert_eq!(
        app.get_as(&owner, "/api/vehicles/not-a-uuid")
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get_as(&owner, "/api/vehicles/0191d5a0-0000-7000-8000-000000000000")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn photos_are_sniffed_limited_stripped_and_thumbnailed() {
    let app = TestAppBuilder::new()
        .var("MVP_STORAGE__IMAGE_MAX_BYTES", (200 * 1024).to_string())
        .spawn()
        .await;
    let token = app.token("auth0|photo").await;
    let id = id_of(&json(create(&app, &token, civic()).await).await);

    let html = put_image(
        &app,
        &token,
        &id,
        b"<!doctype html><script>alert(1)</script>".to_vec(),
        "car.jpg",
    )
    .await;
    assert_eq!(html.status(), 415);
    assert_eq!(json(html).await["error"]["code"], "unsupported_media_type");

    let mut big = png(16, 16);
    big.resize(200 * 1024 + 1, 0);
    let too_big = put_image(&app, &token, &id, big, "big.png").await;
    assert_eq!(too_big.status(), 413);
    assert_eq!(json(too_big).await["error"]["code"], "payload_too_large");

    let uploaded = put_image(&app, &token, &id, jpeg_with_exif(), "IMG_0001.JPG").await;
    assert_eq!(uploaded.status(), 200);
    assert_eq!(json(uploaded).await["hasImage"], true);
    let stored = app
        .get_as(&token, &format!("/api/vehicles/{id}/image"))
        .await;
    assert_eq!(
        stored
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    let bytes = stored.bytes().await.unwrap_or_default();
    assert!(image::load_from_memory(&bytes).is_ok());
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("GPS-SECRET") && !text.contains("Exif"),
        "EXIF survived"
    );

    let photo = png(1200, 800);
    assert_eq!(
        put_image(&app, &token, &id, photo, "wide.png")
            .await
            .status(),
        200
    );
    let thumb = app
        .get_as(&token, &format!("/api/vehicles/{id}/image?size=thumb"))
        .await;
    assert_eq!(
        thumb
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap_or_default())
        .unwrap_or_else(|e| panic!("thumbnail: {e}"));
    assert_eq!((thumb.width(), thumb.height()), (512, 341));
    // Only the current image's two objects remain on disk.
    let dir = app
        .state
        .config
        .storage
        .data_dir
        .join(format!("vehicle-images/{id}"));
    let files = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(files, 2);

    assert_eq!(
        app.delete_as(&token, &format!("/api/vehicles/{id}/image"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get_as(&token, &format!("/api/vehicles/{id}/image"))
            .await
            .status(),
        404
    );
    assert_eq!(std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0), 0);
    // Removing it again: there is none, which is what was asked.
    assert_eq!(
        app.delete_as(&token, &format!("/api/vehicles/{id}/image"))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn values_the_database_cannot_hold_are_400_not_500() {
    let app = spawn_app().await;
    let token = app.token("auth0|odd-input").await;
    // A NUL character passes JSON and the length rules but Postgres text cannot hold it; a year
    // before 4713 BC parses as a date but is outside Postgres's range.
    for body in [
        r#"{"year": 2020, "make": "Hon\u0000da", "model": "Civic"}"#,
        r#"{"year": 2020, "make": "Honda", "model": "Civic", "purchaseDate": "-5000-01-01"}"#,
    ] {
        let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}"));
        let response = app.post_json_as(&token, "/api/vehicles", &value).await;
        assert_eq!(response.status(), 400, "{body}");
        let code = json(response).await["error"]["code"].clone();
        assert!(
            code == "bad_request" || code == "validation_failed",
            "{body}: {code}"
        );
    }
    let list = app.get_as(&token, "/api/vehicles").await;
    assert_eq!(list.headers()["x-total-count"], "0");
    // The same in a query string reaching SQL.
    let catalog = app
        .get_as(&token, "/api/platform/models?year=2020&make=%00")
        .await;
    assert_eq!(catalog.status(), 400);
}
