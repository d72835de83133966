//! The admin routes: back up now (202, then ready), the list, the archive's download byte for
//! byte, a restore through the API, deletion; each audited; others get 403.

use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn an_admin_backs_up_downloads_restores_and_deletes() {
    let app = spawn_app().await;
    mvp_core::admin::grant(&app.state.db, "auth0|keeper", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = app.token("auth0|keeper").await;
    let user = app.token("auth0|someone").await;
    let vehicle = app.create_vehicle(&user, 1_000, Value::Null).await;

    assert_eq!(app.get_as(&user, "/api/admin/backups").await.status(), 403);
    assert_eq!(
        app.post_json_as(&user, "/api/admin/backups", &Value::Null)
            .await
            .status(),
        403
    );

    let started = app
        .post_json_as(&admin, "/api/admin/backups", &Value::Null)
        .await;
    assert_eq!(started.status(), 202);
    let started = json(started).await;
    assert_eq!(
        (started["kind"].as_str(), started["status"].as_str()),
        (Some("manual"), Some("running"))
    );
    let id = started["id"].as_str().unwrap_or_default().to_owned();

    // Ready once the archive is stored (built in the background).
    let mut ready = Value::Null;
    for _ in 0..100 {
        let list = json(app.get_as(&admin, "/api/admin/backups").await).await;
        if list[0]["status"] == "ready" {
            ready = list[0].clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        ready["id"],
        id.as_str(),
        "the backup did not become ready: {ready}"
    );

    let download = app
        .get_as(&admin, &format!("/api/admin/backups/{id}/download"))
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(
        download
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/gzip")
    );
    let bytes = download.bytes().await.unwrap_or_default();
    let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    digest.update(&bytes);
    assert_eq!(ready["sizeBytes"], bytes.len());
    assert_eq!(
        ready["sha256"],
        mvp_backup::archive::hex(digest.finish().as_ref())
    );

    // A vehicle deleted after the backup is back after the restore.
    assert_eq!(
        app.delete_as(&user, &format!("/api/vehicles/{vehicle}"))
            .await
            .status(),
        204
    );
    let restored = app
        .post_json_as(
            &admin,
            &format!("/api/admin/backups/{id}/restore"),
            &Value::Null,
        )
        .await;
    assert_eq!(restored.status(), 200);
    let report = json(restored).await;
    assert!(report["rows"].as_u64().unwrap_or(0) > 0, "{report}");
    assert_eq!(
        app.get_as(&user, &format!("/api/vehicles/{vehicle}"))
            .await
            .status(),
        200
    );

    let unknown = uuid::Uuid::new_v4();
    assert_eq!(
        app.post_json_as(
            &admin,
            &format!("/api/admin/backups/{unknown}/restore"),
            &Value::Null
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        app.delete_as(&admin, &format!("/api/admin/backups/{id}"))
            .await
            .status(),
        204
    );
    assert!(
        !app.state
            .storage
            .exists(&mvp_backup::storage_key(id.parse().unwrap_or_default()))
            .await
    );
    assert_eq!(
        app.delete_as(&admin, &format!("/api/admin/backups/{id}"))
            .await
            .status(),
        404
    );

    // The audit log (restored with the rest) ends with the restore, then the deletion.
    let audit = json(
        app.get_as(&admin, "/api/admin/audit-logs?action=backup")
            .await,
    )
    .await;
    let actions: Vec<&str> = audit
        .as_array()
        .map(|rows| rows.iter().filter_map(|r| r["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        ["backup.delete", "backup.restore", "backup.create"]
    );
    app.shutdown().await;
}

#[tokio::test]
async fn while_a_restore_runs_other_writes_are_503_and_reads_go_on() {
    let app = spawn_app().await;
    let user = app.token("auth0|writer").await;
    app.create_vehicle(&user, 1_000, Value::Null).await;
    let body = serde_json::json!({"year": 2020, "make": "Kia", "model": "Niro"});

    let guard = app.state.maintenance.enter();
    let refused = app.post_json_as(&user, "/api/vehicles", &body).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(json(refused).await["error"]["code"], "unavailable");
    let listed = app.get_as(&user, "/api/vehicles").await;
    assert_eq!(listed.status(), 200, "reads go on");
    drop(guard);

    assert_eq!(
        app.post_json_as(&user, "/api/vehicles", &body)
            .await
            .status(),
        201
    );
    app.shutdown().await;
}
