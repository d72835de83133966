//! The export against the real app: a tar.gz whose manifest lists every member with its size and
//! SHA-256, JSON and CSV for each kind, the stored files byte for byte, exact decimals, formulas
//! made inert in the CSV, and only the caller's data.

use std::collections::HashMap;
use std::io::Read as _;

use aws_lc_rs::digest::{SHA256, digest};
use mvp_test_support::{TestApp, spawn_app};
use serde_json::{Value, json};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every member of the archive, in order, with its bytes.
async fn export(app: &TestApp, token: &str) -> Vec<(String, Vec<u8>)> {
    // As a browser asks: the archive must not be compressed again, and must end cleanly through
    // the compression layer (which polls a body once more after its end).
    let response = app
        .client
        .get(app.url("/api/user/export"))
        .bearer_auth(token)
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/gzip")
    );
    let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut members = Vec::new();
    for entry in archive.entries().unwrap_or_else(|e| panic!("{e}")) {
        let mut entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let path = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .unwrap_or_else(|e| panic!("{e}"));
        members.push((path, data));
    }
    members
}

#[tokio::test]
async fn the_archive_holds_every_kind_every_file_and_a_manifest_that_checks() {
    let app = spawn_app().await;
    let token = app.token("auth0|exporter").await;
    let vehicle = app.create_vehicle(&token, 1_000, Value::Null).await;
    app.set_vehicle_photo(&token, vehicle).await;
    for (date, odometer, gallons, notes) in [
        ("2024-01-05", "1100", "10.125", "=cmd|' /C calc'!A0"),
        ("2024-01-19", "1400", "9.870", "plain"),
    ] {
        let body: Value = serde_json::from_str(&format!(
            r#"{{"vehicleId": "{vehicle}", "dateTime": "{date}T12:00:00Z", "odometerReading": {odometer},
                "fuelType": "gasoline", "fuelUnits": {gallons}, "costPerUnit": 3.459, "notes": "{notes}"}}"#
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
    app.create_schedule(
        &token,
        vehicle,
        json!({"subtypes": ["Engine Oil"], "intervalMonths": 6, "intervalDistance": 5000}),
    )
    .await;
    let other = app.token("auth0|someone-else").await;
    app.create_vehicle(&other, 5, Value::Null).await;

    let members = export(&app, &token).await;
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    for kind in [
        "profile",
        "preferences",
        "vehicles",
        "fuel-logs",
        "maintenance-records",
        "maintenance-schedules",
        "documents",
        "saved-stations",
    ] {
        assert!(
            names.contains(&format!("{kind}.json").as_str()),
            "{names:?}"
        );
        assert!(names.contains(&format!("{kind}.csv").as_str()), "{names:?}");
    }
    assert_eq!(names.last(), Some(&"manifest.json"));
    assert!(
        names.contains(&format!("documents/{document}.pdf").as_str()),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with(&format!("images/{vehicle}."))),
        "{names:?}"
    );

    let files: HashMap<&str, &[u8]> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let manifest: Value =
        serde_json::from_slice(files["manifest.json"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(manifest["format"], "motovaultpro-export");
    assert_eq!(manifest["version"], 1);
    assert_eq!(manifest["counts"]["fuel-logs"], 2);
    assert_eq!(
        manifest["counts"]["vehicles"], 1,
        "only the caller's vehicle"
    );
    let listed = manifest["members"].as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), members.len() - 1);
    for member in &listed {
        let path = member["path"].as_str().unwrap_or_default();
        let data = files[path];
        assert_eq!(member["bytes"].as_u64(), Some(data.len() as u64), "{path}");
        assert_eq!(
            member["sha256"],
            hex(digest(&SHA256, data).as_ref()),
            "{path}"
        );
    }
    assert_eq!(
        files[format!("documents/{document}.pdf").as_str()],
        b"%PDF-1.4\n%\xe2\xe3 card"
    );

    // Exact decimals in JSON; the formula made inert in the CSV only.
    let logs: Value =
        serde_json::from_slice(files["fuel-logs.json"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(logs[0]["fuelUnits"].to_string(), "10.125");
    assert_eq!(
        logs[0]["totalCost"].to_string(),
        "35.02",
        "10.125 × 3.459 = 35.022…"
    );
    assert_eq!(logs[0]["notes"], "=cmd|' /C calc'!A0");
    let csv = String::from_utf8(files["fuel-logs.csv"].to_vec()).unwrap_or_default();
    assert!(csv.contains(",'=cmd|' /C calc'!A0,"), "{csv}");
    assert!(csv.contains("10.125") && csv.contains("35.02"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "a header and two fill-ups");
    let profile: Value =
        serde_json::from_slice(files["profile.json"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(profile["id"], "auth0|exporter");

    // Nothing is left behind in the staging directory (removed as the response ends).
    let mut spooled = true;
    for _ in 0..40 {
        let mut entries = tokio::fs::read_dir(app.state.storage.staging_dir())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        spooled = false;
        while let Some(entry) = entries.next_entry().await.unwrap_or_else(|e| panic!("{e}")) {
            spooled |= entry.file_name().to_string_lossy().starts_with("export-");
        }
        if !spooled {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(!spooled, "the export's spool directory is left");
}
