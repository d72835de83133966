//! Must-show: an export imported into a new account gives the same fill-ups, records, schedules,
//! documents (the same bytes, by SHA-256), photo and economy; a second import adds nothing; a
//! damaged archive is refused before anything is written.

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn export(app: &TestApp, token: &str) -> Vec<u8> {
    let response = app.get_as(token, "/api/user/export").await;
    assert_eq!(response.status(), 200);
    response
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .to_vec()
}

async fn import(app: &TestApp, token: &str, archive: &[u8]) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(archive.to_vec()).file_name("export.tar.gz"),
    );
    app.send_multipart(
        reqwest::Method::POST,
        token,
        "/api/user/import?format=motovaultpro",
        form,
    )
    .await
}

/// What must survive the trip, without ids and times of writing.
async fn snapshot(app: &TestApp, token: &str) -> Value {
    let strip = |mut v: Value, keys: &[&str]| {
        if let Some(items) = v.as_array_mut() {
            for item in items {
                if let Some(o) = item.as_object_mut() {
                    for k in keys {
                        o.remove(*k);
                    }
                }
            }
        }
        v
    };
    let vehicles = json(app.get_as(token, "/api/vehicles").await).await;
    let logs = json(app.get_as(token, "/api/fuel-logs?limit=500").await).await;
    let records = json(app.get_as(token, "/api/maintenance/records").await).await;
    let schedules = json(app.get_as(token, "/api/maintenance/schedules").await).await;
    let documents = json(app.get_as(token, "/api/documents").await).await;
    let common = ["id", "vehicleId", "createdAt", "updatedAt"];
    json!({
        "vehicles": strip(vehicles, &common),
        "logs": strip(logs, &common),
        "records": strip(records, &["id", "vehicleId", "createdAt", "updatedAt", "documentIds"]),
        "schedules": strip(schedules, &common),
        "documents": strip(documents, &common),
    })
}

#[tokio::test]
async fn an_export_imported_into_a_new_account_is_the_same_and_imports_once() {
    let app = spawn_app().await;
    let token = app.token("auth0|before").await;
    let vehicle = app
        .create_vehicle(
            &token,
            1_000,
            json!({"year": 2017, "make": "Mazda", "model": "3", "nickname": "Blue",
                   "vin": "1HGCM82633A004352", "odometerReading": 1000, "purchasePrice": 18999.99}),
        )
        .await;
    app.set_vehicle_photo(&token, vehicle).await;
    for (date, odometer, gallons, full) in [
        ("2024-01-05", 1100, "10.125", true),
        ("2024-01-19", 1400, "9.870", true),
        ("2024-02-02", 1650, "4.500", false),
        ("2024-02-16", 1900, "8.333", true),
    ] {
        let body: Value = serde_json::from_str(&format!(
            r#"{{"vehicleId": "{vehicle}", "dateTime": "{date}T17:30:00Z", "odometerReading": {odometer},
                "fuelType": "gasoline", "fuelUnits": {gallons}, "costPerUnit": 3.459, "fullFill": {full}}}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            app.post_json_as(&token, "/api/fuel-logs", &body)
                .await
                .status(),
            201
        );
    }
    let document = app
        .create_document(&token, vehicle, Some("2030-01-01"))
        .await;
    let record = app
        .post_json_as(
            &token,
            "/api/maintenance/records",
            &json!({"vehicleId": vehicle, "date": "2024-01-20", "odometerReading": 1450,
                    "category": "routine_maintenance", "subtypes": ["Engine Oil", "Oil Filter"],
                    "cost": 79.95, "shopName": "Corner Garage", "documentIds": [document]}),
        )
        .await;
    assert_eq!(record.status(), 201);
    app.create_schedule(
        &token,
        vehicle,
        json!({"subtypes": ["Engine Oil"], "intervalMonths": 6, "intervalDistance": 5000}),
    )
    .await;
    let before = snapshot(&app, &token).await;
    let archive = export(&app, &token).await;

    let fresh = app.token("auth0|after").await;
    let first = import(&app, &fresh, &archive).await;
    assert_eq!(first.status(), 200);
    let report = json(first).await;
    // 1 vehicle + 1 document + 4 fill-ups + 1 record + 1 schedule.
    assert_eq!(report["imported"], 8, "{report}");
    assert_eq!(report["skipped"], json!([]), "{report}");
    let after = snapshot(&app, &fresh).await;
    assert_eq!(after, before);
    // The same economy, the same bytes, the record pointing at the new copy of its document.
    let logs = json(app.get_as(&fresh, "/api/fuel-logs").await).await;
    // By hand: (1900 − 1400) mi / (4.500 + 8.333) gal = 38.96 mpg.
    assert_eq!(logs[0]["efficiency"].to_string(), "38.96", "{logs}");
    let docs = json(app.get_as(&fresh, "/api/documents").await).await;
    let new_doc = docs[0]["id"].as_str().unwrap_or_default().to_owned();
    let bytes = app
        .get_as(&fresh, &format!("/api/documents/{new_doc}/download"))
        .await
        .bytes()
        .await
        .unwrap_or_default();
    assert_eq!(&bytes[..], b"%PDF-1.4\n%\xe2\xe3 card");
    let records = json(app.get_as(&fresh, "/api/maintenance/records").await).await;
    assert_eq!(records[0]["documentIds"], json!([new_doc]));
    let vehicles = json(app.get_as(&fresh, "/api/vehicles").await).await;
    assert_eq!(vehicles[0]["hasImage"], true);
    // The first account still has its own.
    assert_eq!(snapshot(&app, &token).await, before);

    let again = json(import(&app, &fresh, &archive).await).await;
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(snapshot(&app, &fresh).await, before);

    // One byte changed in the compressed archive, or a member altered and re-packed: refused whole.
    let mut damaged = archive.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    let third = app.token("auth0|third").await;
    let refused = import(&app, &third, &damaged).await;
    assert_eq!(refused.status(), 400);
    let repacked = repack(&archive, "fuel-logs.json", |text| {
        text.replace("10.125", "99.125")
    });
    let refused = import(&app, &third, &repacked).await;
    assert_eq!(refused.status(), 400);
    let body = json(refused).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("fuel-logs.json")),
        "{body}"
    );
    let list = json(app.get_as(&third, "/api/vehicles").await).await;
    assert_eq!(list, json!([]), "nothing written");
}

/// The archive with one member's text changed (the manifest left as it was).
fn repack(archive: &[u8], member: &str, change: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::Read as _;
    let mut input = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut output = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for entry in input.entries().unwrap_or_else(|e| panic!("{e}")) {
        let mut entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let path = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .unwrap_or_else(|e| panic!("{e}"));
        if path == member {
            data = change(&String::from_utf8_lossy(&data)).into_bytes();
        }
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        output
            .append_data(&mut header, &path, &data[..])
            .unwrap_or_else(|e| panic!("{e}"));
    }
    output
        .into_inner()
        .and_then(|gz| gz.finish())
        .unwrap_or_else(|e| panic!("{e}"))
}
