//! A backup of a real instance: the archive is stored and recorded, verifies against its manifest,
//! holds every table with its row count and every stored file byte for byte.

use mvp_backup::{Kind, archive};
use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::Value;
use sqlx::Row;

#[tokio::test]
async fn a_backup_holds_every_table_and_file_and_verifies() {
    let app = spawn_app().await;
    let token = app.token("auth0|backed-up").await;
    let vehicle = app.create_vehicle(&token, 1_000, Value::Null).await;
    app.create_vehicle(&token, 2_000, Value::Null).await;
    let document = app.create_document(&token, vehicle, None).await;

    let row = mvp_backup::create(&app.state.db, &app.state.storage, Kind::Manual)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        (row.kind.as_str(), row.status.as_str()),
        ("manual", "ready")
    );
    assert!(row.finished_at.is_some() && row.error.is_none());
    assert_eq!(row.storage_key, format!("backups/{}.tar.gz", row.id));
    assert_eq!(
        mvp_backup::list(&app.state.db).await.map(|l| l.len()).ok(),
        Some(1)
    );

    let bytes = app
        .state
        .storage
        .get(&row.storage_key)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(Some(bytes.len() as i64), row.size_bytes);
    let path = std::env::temp_dir().join(format!("mvp-backup-test-{}.tar.gz", row.id));
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let verified = archive::verify(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        Some(verified.sha256.clone()),
        row.sha256,
        "the recorded digest"
    );
    let manifest = verified.manifest;
    assert_eq!(manifest.schema_version, row.schema_version);

    let table = |name: &str| {
        manifest
            .tables
            .iter()
            .find(|t| format!("{}.{}", t.schema, t.name) == name)
            .unwrap_or_else(|| panic!("{name} is not in the archive"))
            .clone()
    };
    assert_eq!(table("public.vehicles").rows, 2);
    assert_eq!(table("public.documents").rows, 1);
    assert!(table("vehicles.makes").rows > 10, "the catalog too");
    assert!(
        table("public.vehicles")
            .columns
            .contains(&"odometer_km".to_owned())
    );
    assert!(
        !manifest.tables.iter().any(|t| t.name == "_sqlx_migrations"),
        "the migration history is the schema's, not data"
    );
    assert!(
        !manifest.tables.iter().any(|t| t.name == "backups"),
        "the list of archives is not in an archive"
    );

    // The stored document, byte for byte (its SHA-256 as the documents table records it).
    let stored = sqlx::query("select storage_key, sha256 from documents where id = $1")
        .bind(document.0)
        .fetch_one(&app.state.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let key: String = stored.get(0);
    let sha: String = stored.get(1);
    let member = manifest
        .members
        .iter()
        .find(|m| m.name == format!("files/{key}"))
        .unwrap_or_else(|| panic!("files/{key} is not in the archive"));
    assert_eq!(member.sha256, sha);
    assert!(
        !manifest
            .members
            .iter()
            .any(|m| m.name.starts_with("files/backups/")),
        "backups are not backed up"
    );

    // A flipped byte in the middle of the stored archive is refused.
    let mut broken = bytes.to_vec();
    let middle = broken.len() / 2;
    broken[middle] ^= 0x01;
    std::fs::write(&path, &broken).unwrap_or_else(|e| panic!("{e}"));
    assert!(archive::verify(&path).is_err());
    let _ = std::fs::remove_file(&path);
    app.shutdown().await;
}

/// Every table of the app, as one digest per table of all its rows in a fixed order.
async fn canonical(pool: &sqlx::PgPool) -> std::collections::BTreeMap<String, (i64, String)> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "select table_schema::text, table_name::text from information_schema.tables
          where table_type = 'BASE TABLE' and table_schema in ('public', 'vehicles')
            and table_name not in ('_sqlx_migrations', 'backups') order by 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let mut out = std::collections::BTreeMap::new();
    for (schema, table) in tables {
        let sql = format!(
            "select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), ''))
               from \"{schema}\".\"{table}\" t"
        );
        let row: (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        out.insert(format!("{schema}.{table}"), row);
    }
    out
}

/// Every stored user file with its SHA-256.
async fn files(app: &mvp_test_support::TestApp) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for prefix in ["documents", "vehicle-images"] {
        for (key, _) in app.state.storage.list(prefix).await.unwrap_or_default() {
            let bytes = app.state.storage.get(&key).await.unwrap_or_default();
            let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
            digest.update(&bytes);
            out.insert(key, archive::hex(digest.finish().as_ref()));
        }
    }
    out
}

#[tokio::test]
async fn a_restore_brings_back_every_row_and_file_and_nothing_else() {
    let app = spawn_app().await;
    let pool = app.state.db.clone();
    let mut vehicles = Vec::new();
    for user in ["auth0|ann", "auth0|ben", "auth0|cy"] {
        let token = app.token(user).await;
        let vehicle = app.create_vehicle(&token, 10_000, Value::Null).await;
        let photo = reqwest::multipart::Form::new().part(
            "image",
            reqwest::multipart::Part::bytes(mvp_test_support::bomb::png_rgba16(48, 32))
                .file_name("car.png"),
        );
        let put = app
            .send_multipart(
                reqwest::Method::PUT,
                &token,
                &format!("/api/vehicles/{vehicle}/image"),
                photo,
            )
            .await;
        assert!(put.status().is_success(), "photo: {}", put.status());
        for (i, day) in ["2026-01-05", "2026-02-05", "2026-03-05"]
            .iter()
            .enumerate()
        {
            let log = app
                .post_json_as(
                    &token,
                    "/api/fuel-logs",
                    &serde_json::json!({
                    "vehicleId": vehicle, "dateTime": format!("{day}T08:00:00Z"),
                    "odometerReading": 10_100 + 300 * i64::try_from(i).unwrap_or(0),
                    "fuelUnits": "10.123", "costPerUnit": "3.459", "fuelType": "gasoline"}),
                )
                .await;
            assert_eq!(log.status(), 201);
        }
        // 164 more a day apart: 501 fill-ups in all, each through the API (economy chain).
        for i in 0..164_i64 {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 6).unwrap_or_default()
                + chrono::Duration::days(i);
            let log = app
                .post_json_as(
                    &token,
                    "/api/fuel-logs",
                    &serde_json::json!({
                    "vehicleId": vehicle, "dateTime": format!("{day}T08:00:00Z"),
                    "odometerReading": 10_800 + 100 * i,
                    "fuelUnits": "7.5", "costPerUnit": "3.399", "fuelType": "gasoline"}),
                )
                .await;
            assert_eq!(
                log.status(),
                201,
                "{}",
                log.text().await.unwrap_or_default()
            );
        }
        app.create_schedule(
            &token,
            vehicle,
            serde_json::json!({
            "subtypes": ["Engine Oil"], "intervalMonths": 6, "intervalDistance": 5000}),
        )
        .await;
        let document = app
            .create_document(&token, vehicle, Some("2027-01-01"))
            .await;
        let record = app
            .post_json_as(
                &token,
                "/api/maintenance/records",
                &serde_json::json!({
                "vehicleId": vehicle, "date": "2026-03-01", "odometerReading": 10_500,
                "category": "routine_maintenance", "subtypes": ["Engine Oil"], "cost": "49.90",
                "documentIds": [document]}),
            )
            .await;
        assert_eq!(record.status(), 201);
        vehicles.push((token, vehicle, document));
    }
    sqlx::query(
        "insert into admin_audit_logs (id, actor_id, action, target_type) values (gen_random_uuid(), 'auth0|ann', 'admin.grant', 'user')",
    )
    .execute(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let before = canonical(&pool).await;
    let files_before = files(&app).await;
    assert_eq!(before["public.fuel_logs"].0, 501);
    assert_eq!(
        files_before.len(),
        9,
        "3 documents, 3 photos and their thumbnails"
    );

    let backup = mvp_backup::create(&pool, &app.state.storage, Kind::Manual)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    // Changes after the backup: a vehicle deleted, a fill-up added, a document deleted and its
    // bytes purged, a new document, another audit row.
    let (token, vehicle, document) = &vehicles[0];
    assert_eq!(
        app.delete_as(token, &format!("/api/vehicles/{vehicle}"))
            .await
            .status(),
        204
    );
    let (token_b, vehicle_b, document_b) = &vehicles[1];
    let log = app
        .post_json_as(
            token_b,
            "/api/fuel-logs",
            &serde_json::json!({
            "vehicleId": vehicle_b, "dateTime": "2026-11-05T08:00:00Z", "odometerReading": 40_000,
            "fuelUnits": "9", "costPerUnit": "3.5", "fuelType": "gasoline"}),
        )
        .await;
    assert_eq!(log.status(), 201);
    assert_eq!(
        app.delete_as(token_b, &format!("/api/documents/{document_b}"))
            .await
            .status(),
        204
    );
    let gone: String = sqlx::query_scalar("select storage_key from documents where id = $1")
        .bind(document_b.0)
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.state
        .storage
        .delete(&gone)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    app.create_document(token_b, *vehicle_b, None).await;
    sqlx::query(
        "insert into admin_audit_logs (id, actor_id, action, target_type) values (gen_random_uuid(), 'auth0|ben', 'admin.grant', 'user')",
    )
    .execute(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(canonical(&pool).await, before);
    let _ = (vehicle, document);

    let done = mvp_backup::restore(&pool, &app.state.storage, backup.id)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(done.files, 9);
    assert_eq!(
        done.files_removed, 1,
        "the document uploaded after the backup"
    );
    assert_eq!(canonical(&pool).await, before, "every table as it was");
    assert_eq!(files(&app).await, files_before, "every file as it was");

    // The audit log is append-only again, and the app works on the restored data.
    assert!(
        sqlx::query("delete from admin_audit_logs")
            .execute(&pool)
            .await
            .is_err()
    );
    let listed = app.get_as(token, "/api/vehicles").await;
    assert_eq!(
        mvp_test_support::app::json(listed)
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let more = app
        .post_json_as(
            token,
            "/api/fuel-logs",
            &serde_json::json!({
            "vehicleId": vehicle, "dateTime": "2026-11-05T08:00:00Z", "odometerReading": 40_000,
            "fuelUnits": "9", "costPerUnit": "3.5", "fuelType": "gasoline"}),
        )
        .await;
    assert_eq!(more.status(), 201);
    app.shutdown().await;
}

#[tokio::test]
async fn a_damaged_archive_is_refused_and_nothing_changes() {
    let app = spawn_app().await;
    let token = app.token("auth0|dee").await;
    app.create_vehicle(&token, 5_000, Value::Null).await;
    let backup = mvp_backup::create(&app.state.db, &app.state.storage, Kind::Manual)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    app.create_vehicle(&token, 6_000, Value::Null).await;
    let before = canonical(&app.state.db).await;

    let mut bytes = app
        .state
        .storage
        .get(&backup.storage_key)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
        .to_vec();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x20;
    app.state
        .storage
        .put(&backup.storage_key, bytes)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let refused = mvp_backup::restore(&app.state.db, &app.state.storage, backup.id).await;
    assert!(
        matches!(refused, Err(mvp_backup::RestoreError::Refused(_))),
        "{refused:?}"
    );
    assert_eq!(canonical(&app.state.db).await, before, "nothing changed");
    app.shutdown().await;
}

/// The rows of `table` in an archive, split into columns by name.
fn archived_rows(
    bytes: &[u8],
    manifest: &archive::Manifest,
    table: &str,
) -> Vec<std::collections::HashMap<String, String>> {
    use std::io::Read as _;
    let dump = manifest
        .tables
        .iter()
        .find(|t| format!("{}.{}", t.schema, t.name) == table)
        .unwrap_or_else(|| panic!("{table}"));
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for entry in tar.entries().unwrap_or_else(|e| panic!("{e}")) {
        let mut entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == dump.member {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .unwrap_or_else(|e| panic!("{e}"));
            return text
                .lines()
                .map(|line| {
                    dump.columns
                        .iter()
                        .cloned()
                        .zip(line.split('\t').map(str::to_owned))
                        .collect()
                })
                .collect();
        }
    }
    panic!("{table} has no member");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_eight_clients_write_is_one_consistent_snapshot() {
    let app = std::sync::Arc::new(spawn_app().await);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for n in 0..8 {
        let (app, stop) = (app.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let token = app.token(&format!("auth0|writer{n}")).await;
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // A new vehicle and straight away a fill-up of it.
                let vehicle = app.create_vehicle(&token, 1_000, Value::Null).await;
                let log = app
                    .post_json_as(
                        &token,
                        "/api/fuel-logs",
                        &serde_json::json!({
                        "vehicleId": vehicle, "dateTime": "2026-02-01T08:00:00Z",
                        "odometerReading": 1_100, "fuelUnits": "8", "costPerUnit": "3",
                        "fuelType": "gasoline"}),
                    )
                    .await;
                assert_eq!(log.status(), 201);
                written += 1;
            }
            written
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let backup = mvp_backup::create(&app.state.db, &app.state.storage, Kind::Manual)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for w in writers {
        total += w.await.unwrap_or_else(|e| panic!("{e}"));
    }

    let bytes = app
        .state
        .storage
        .get(&backup.storage_key)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let path = std::env::temp_dir().join(format!("mvp-backup-live-{}.tar.gz", backup.id));
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let manifest = archive::verify(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .manifest;
    let _ = std::fs::remove_file(&path);
    let vehicles = archived_rows(&bytes, &manifest, "public.vehicles");
    let logs = archived_rows(&bytes, &manifest, "public.fuel_logs");
    let ids: std::collections::HashSet<&str> = vehicles.iter().map(|v| v["id"].as_str()).collect();
    let table = |name: &str| {
        manifest
            .tables
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.rows)
    };
    assert_eq!(table("vehicles"), Some(vehicles.len() as u64));
    assert_eq!(table("fuel_logs"), Some(logs.len() as u64));
    assert!(
        logs.iter().all(|l| ids.contains(l["vehicle_id"].as_str())),
        "a fill-up without its vehicle"
    );
    // Each client makes a vehicle, then its fill-up: the snapshot holds at most one vehicle per
    // client without its fill-up yet, and more was written after it than it holds.
    assert!(vehicles.len() >= logs.len() && vehicles.len() <= logs.len() + 8);
    assert!(
        !logs.is_empty() && logs.len() < total,
        "{} of {total}",
        logs.len()
    );
    eprintln!(
        "the snapshot holds {} of {total} fill-ups written",
        logs.len()
    );
}

/// A backup taken by an older version (schema 20260112000003: before odometers kept their units)
/// is brought forward in a scratch database with this version's migrations, their data changes
/// included, then restored: the vehicle typed as 10,000 (miles, the default then) is 16,093.44 km.
#[tokio::test]
async fn an_archive_of_an_older_schema_is_migrated_forward_and_restored() {
    const OLD_SCHEMA: i64 = 20260112000003;
    let app = spawn_app().await;
    let admin = mvp_test_support::db::admin_url();
    let old_name = mvp_test_support::db::create_empty_database(&admin)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let old = sqlx::PgPool::connect(&mvp_test_support::db::with_database(&admin, &old_name))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    mvp_core::db::MIGRATOR
        .run_to(OLD_SCHEMA, &old)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let vehicle = uuid::Uuid::now_v7();
    sqlx::query(
        "insert into vehicles (id, user_id, year, make, model, nickname, odometer_reading)
         values ($1, 'auth0|old-timer', 2012, 'Mazda', '3', 'Old faithful', 10000)",
    )
    .bind(vehicle)
    .execute(&old)
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    // The old version's archive: its tables (one snapshot) and a document.
    let dir = std::env::temp_dir().join(format!("mvp-old-backup-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let (version, tables, mut staged) = mvp_backup::snapshot::database(&old, &dir)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(version, OLD_SCHEMA);
    let pdf = b"%PDF-1.4 an old receipt".to_vec();
    let path = dir.join("receipt");
    std::fs::write(&path, &pdf).unwrap_or_else(|e| panic!("{e}"));
    staged.push(archive::Staged {
        member: archive::Member {
            name: "files/documents/old/receipt.pdf".to_owned(),
            size: pdf.len() as u64,
            sha256: archive::hex(
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &pdf).as_ref(),
            ),
        },
        path,
    });
    let manifest = archive::Manifest {
        format_version: archive::FORMAT_VERSION,
        app_version: "0.0.9".to_owned(),
        schema_version: version,
        created_at: chrono::Utc::now(),
        tables,
        members: staged.iter().map(|s| s.member.clone()).collect(),
    };
    let out = dir.join("old.tar.gz");
    archive::write(&manifest, &staged, &out).unwrap_or_else(|e| panic!("{e}"));
    old.close().await;
    mvp_test_support::db::drop_database_blocking(admin.clone(), old_name);

    let uploaded = mvp_backup::upload(&app.state.db, &app.state.storage, &out)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(uploaded.schema_version, OLD_SCHEMA);
    let done = mvp_backup::restore(&app.state.db, &app.state.storage, uploaded.id)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(done.files, 1);

    let (entered, units, km_right): (i64, String, bool) = sqlx::query_as(
        "select odometer_entered, entered_units, odometer_km = 16093.44 from vehicles where id = $1",
    )
    .bind(vehicle)
    .fetch_one(&app.state.db)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (entered, units.as_str(), km_right),
        (10_000, "imperial", true)
    );
    let token = app.token("auth0|old-timer").await;
    let shown = json(
        app.get_as(&token, &format!("/api/vehicles/{vehicle}"))
            .await,
    )
    .await;
    assert_eq!(
        (&shown["nickname"], &shown["odometerReading"]),
        (&Value::from("Old faithful"), &Value::from(10_000))
    );
    assert_eq!(
        app.state
            .storage
            .get("documents/old/receipt.pdf")
            .await
            .unwrap_or_default()
            .to_vec(),
        pdf
    );
    // No scratch database is left behind.
    let left: i64 =
        sqlx::query_scalar("select count(*) from pg_database where datname like 'mvp_restore_%'")
            .fetch_one(&app.state.db)
            .await
            .unwrap_or(-1);
    assert_eq!(left, 0);
    let _ = std::fs::remove_dir_all(&dir);
    app.shutdown().await;
}
