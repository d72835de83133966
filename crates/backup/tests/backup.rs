//! A backup of a real instance: the archive is stored and recorded, verifies against its manifest,
//! holds every table with its row count and every stored file byte for byte.

use mvp_backup::{Kind, archive};
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
