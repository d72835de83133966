//! The admin routes: back up now (202, then ready), the list, the archive's download byte for
//! byte, a restore through the API (202, followed to its end; every replica refuses writes while it
//! runs), deletion, the upload; each audited; others get 403.

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, spawn_app};
use serde_json::Value;

/// Waits for the newest restore to end (`done` or `failed`) and returns it.
async fn restore_ended(app: &TestApp, admin: &str) -> Value {
    for _ in 0..300 {
        let status = json(app.get_as(admin, "/api/admin/backups/restore").await).await;
        if status["status"] != "running" {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the restore did not end");
}

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
    assert_eq!(restored.status(), 202);
    let started = json(restored).await;
    assert_eq!(started["status"], "running");
    assert_eq!(started["backupId"], id.as_str());
    let ended = restore_ended(&app, &admin).await;
    assert_eq!(ended["status"], "done", "{ended}");
    assert_eq!(ended["id"], started["id"]);
    assert!(ended["report"]["rows"].as_u64().unwrap_or(0) > 0, "{ended}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_a_restore_runs_every_replica_refuses_writes_and_reads_are_answered() {
    let app = spawn_app().await;
    let replica = app.replica().await;
    mvp_core::admin::grant(&app.state.db, "auth0|keeper", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = app.token("auth0|keeper").await;
    let user = app.token("auth0|writer").await;
    app.create_vehicle(&user, 1_000, Value::Null).await;
    let backup = mvp_backup::create(&app.state.db, &app.state.storage, mvp_backup::Kind::Manual)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let body = serde_json::json!({"year": 2020, "make": "Kia", "model": "Niro"});

    // A reader holding a table keeps the restore at its TRUNCATE, inside its transaction.
    let mut reader = app.state.db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("lock table public.vehicles in access share mode")
        .execute(&mut *reader)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let started = app
        .post_json_as(
            &admin,
            &format!("/api/admin/backups/{}/restore", backup.id),
            &Value::Null,
        )
        .await;
    assert_eq!(started.status(), 202);
    // Seen from the database (an admin's request may itself wait for the tables being refilled).
    let mut stage = String::new();
    for _ in 0..300 {
        stage = sqlx::query_scalar("select stage from backup_restores")
            .fetch_optional(&app.state.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_default();
        if stage == "database" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(stage, "database");
    tokio::time::sleep(mvp_core::maintenance::SHARED_TTL).await;
    for (name, node) in [("this process", &app), ("the replica", &replica)] {
        let refused = node.post_json_as(&user, "/api/vehicles", &body).await;
        assert_eq!(refused.status(), 503, "{name}");
        assert_eq!(json(refused).await["error"]["code"], "unavailable");
    }
    // A read is not refused: one of a table being refilled waits for the transaction's end.
    let read = {
        let (client, url, token) = (
            replica.client.clone(),
            replica.url("/api/vehicles"),
            user.clone(),
        );
        tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
    };
    let again = app
        .post_json_as(
            &admin,
            &format!("/api/admin/backups/{}/restore", backup.id),
            &Value::Null,
        )
        .await;
    assert_eq!(again.status(), 503, "a second restore is a write too");

    reader.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restore_ended(&app, &admin).await["status"], "done");
    assert_eq!(read.await.unwrap_or(0), 200);
    tokio::time::sleep(mvp_core::maintenance::SHARED_TTL).await;
    for node in [&app, &replica] {
        assert_eq!(
            node.post_json_as(&user, "/api/vehicles", &body)
                .await
                .status(),
            201
        );
    }
    replica.shutdown().await;
    app.shutdown().await;
}

/// `file` as the multipart field of an upload.
fn archive_form(bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("backup.tar.gz"),
    )
}

#[tokio::test]
async fn an_uploaded_archive_is_verified_first_and_restores_into_another_instance() {
    let (origin, other) = tokio::join!(spawn_app(), spawn_app());
    for app in [&origin, &other] {
        mvp_core::admin::grant(&app.state.db, "auth0|keeper", "test")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let owner = origin.token("auth0|owner").await;
    let vehicle = origin
        .create_vehicle(
            &owner,
            0,
            serde_json::json!({"year": 2016, "make": "Honda", "model": "Jazz",
                "odometerReading": 42_000, "nickname": "Travelled"}),
        )
        .await;
    let backup = mvp_backup::create(
        &origin.state.db,
        &origin.state.storage,
        mvp_backup::Kind::Manual,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let admin = origin.token("auth0|keeper").await;
    let bytes = origin
        .get_as(
            &admin,
            &format!("/api/admin/backups/{}/download", backup.id),
        )
        .await
        .bytes()
        .await
        .unwrap_or_default()
        .to_vec();

    let admin = other.token("auth0|keeper").await;
    let user = other.token("auth0|owner").await;
    let upload = |bytes: Vec<u8>, token: String| {
        let other = &other;
        async move {
            other
                .send_multipart(
                    reqwest::Method::POST,
                    &token,
                    "/api/admin/backups/upload",
                    archive_form(bytes),
                )
                .await
        }
    };
    assert_eq!(upload(bytes.clone(), user.clone()).await.status(), 403);

    // A flipped byte anywhere (the gzip header's time, the compressed data, the manifest, the
    // seal, the last byte), one byte more or less: 400 naming the file, nothing kept.
    let len = bytes.len();
    let mut broken: Vec<Vec<u8>> = [4, 9, 10, 100, len / 3, len / 2, len - 60, len - 9, len - 1]
        .into_iter()
        .map(|at| {
            let mut b = bytes.clone();
            b[at] ^= 0x01;
            b
        })
        .collect();
    broken.push(bytes[..len - 1].to_vec());
    broken.push([bytes.as_slice(), b"\0"].concat());
    broken.push(b"not an archive at all".to_vec());
    for (n, b) in broken.into_iter().enumerate() {
        let refused = upload(b, admin.clone()).await;
        assert_eq!(refused.status(), 400, "case {n}");
        let body = json(refused).await;
        assert_eq!(body["error"]["code"], "validation_failed", "case {n}");
        assert_eq!(
            body["error"]["details"][0]["field"], "file",
            "case {n}: {body}"
        );
    }
    assert!(
        mvp_backup::list(&other.state.db)
            .await
            .unwrap_or_default()
            .is_empty()
    );
    assert!(
        other
            .state
            .storage
            .list("backups")
            .await
            .unwrap_or_default()
            .is_empty(),
        "a refused upload leaves nothing stored"
    );
    assert!(
        std::fs::read_dir(other.state.storage.staging_dir())
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "nor anything staged"
    );

    let accepted = upload(bytes.clone(), admin.clone()).await;
    assert_eq!(accepted.status(), 201);
    let accepted = json(accepted).await;
    assert_eq!(
        (accepted["kind"].as_str(), accepted["status"].as_str()),
        (Some("uploaded"), Some("ready"))
    );
    assert_eq!(accepted["sizeBytes"], len);
    assert_eq!(
        accepted["sha256"],
        backup.sha256.clone().unwrap_or_default()
    );
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();

    // Restored into the other instance: the owner's vehicle is there, as it was.
    assert!(
        json(other.get_as(&user, "/api/vehicles").await)
            .await
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    // First with a byte of the stored archive flipped: 400 naming the backup, nothing changed.
    let key = mvp_backup::storage_key(id.parse().unwrap_or_default());
    let mut damaged = bytes.clone();
    damaged[len / 2] ^= 0x01;
    other
        .state
        .storage
        .put(&key, damaged)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let refused = other
        .post_json_as(
            &admin,
            &format!("/api/admin/backups/{id}/restore"),
            &Value::Null,
        )
        .await;
    assert_eq!(refused.status(), 400);
    assert_eq!(json(refused).await["error"]["details"][0]["field"], "id");
    assert!(
        json(other.get_as(&user, "/api/vehicles").await)
            .await
            .as_array()
            .is_some_and(Vec::is_empty),
        "nothing changed"
    );
    other
        .state
        .storage
        .put(&key, bytes.clone())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let restored = other
        .post_json_as(
            &admin,
            &format!("/api/admin/backups/{id}/restore"),
            &Value::Null,
        )
        .await;
    assert_eq!(restored.status(), 202);
    assert_eq!(restore_ended(&other, &admin).await["status"], "done");
    let admin = other.token("auth0|keeper").await;
    let user = other.token("auth0|owner").await;
    let got = json(
        other
            .get_as(&user, &format!("/api/vehicles/{vehicle}"))
            .await,
    )
    .await;
    assert_eq!(got["nickname"], "Travelled");
    assert_eq!(got["odometerReading"], 42_000);
    let audit = json(
        other
            .get_as(&admin, "/api/admin/audit-logs?action=backup")
            .await,
    )
    .await;
    assert_eq!(audit[0]["action"], "backup.restore");
    origin.shutdown().await;
    other.shutdown().await;
}

#[tokio::test]
async fn an_upload_past_the_limit_is_413() {
    let app = mvp_test_support::TestAppBuilder::new()
        .var("MVP_BACKUP__MAX_UPLOAD_BYTES", "4096")
        .spawn()
        .await;
    mvp_core::admin::grant(&app.state.db, "auth0|keeper", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = app.token("auth0|keeper").await;
    let refused = app
        .send_multipart(
            reqwest::Method::POST,
            &admin,
            "/api/admin/backups/upload",
            archive_form(vec![7u8; 200_000]),
        )
        .await;
    assert_eq!(refused.status(), 413);
    assert_eq!(json(refused).await["error"]["code"], "payload_too_large");
    assert!(
        mvp_backup::list(&app.state.db)
            .await
            .unwrap_or_default()
            .is_empty()
    );
    app.shutdown().await;
}
