//! The same document flow with `storage.backend: s3` against a local S3-compatible server (moto), so
//! several replicas can share documents: a multipart upload, ranged download, purge and sweep.

use chrono::Utc;
use mvp_documents::job;
use mvp_test_support::app::json;
use mvp_test_support::{TempS3, TestAppBuilder};

use crate::support::*;

#[tokio::test]
async fn documents_round_trip_through_an_s3_bucket() {
    let s3 = TempS3::start().await.unwrap_or_else(|e| panic!("{e:#}"));
    let mut builder = TestAppBuilder::new();
    for (key, value) in s3.config_vars() {
        builder = builder.var(key, value);
    }
    let app = builder.spawn().await;
    let token = app.token("auth0|replicas").await;
    let vehicle_id = vehicle(&app, &token).await;

    // Over one 8 MiB part, so the commit is a real multipart upload.
    let bytes = pdf(9 * 1024 * 1024 + 123);
    let created = upload(&app, &token, &vehicle_id, "scan.pdf", &bytes).await;
    assert_eq!(created.status(), 201);
    let doc = json(created).await;
    let keys = s3.keys().await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("documents/"), "{keys:?}");
    // Nothing on the local disk but the (now empty) staging directory.
    assert_eq!(stored(&app), (0, 0));

    let path = format!("/api/documents/{}/download", id(&doc));
    let download = app.get_as(&token, &path).await;
    assert_eq!(download.status(), 200);
    assert_eq!(
        sha256_hex(&download.bytes().await.unwrap_or_default()),
        sha256_hex(&bytes)
    );
    let part = app
        .client
        .get(app.url(&path))
        .bearer_auth(&token)
        .header("range", "bytes=8388600-8388615")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.bytes().await.unwrap_or_default(),
        &bytes[8_388_600..8_388_616]
    );

    // A leftover from a crash is swept, the live document is not; a deleted one is purged.
    app.state
        .storage
        .put("documents/zz/orphan.pdf", pdf(10))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let pool = app.pool().await;
    let later = Utc::now() + chrono::Duration::hours(2);
    let swept = job::sweep(&pool, &app.state.storage, later, job::SWEEP_MIN_AGE)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(swept.orphan_objects, 1);
    assert_eq!(s3.keys().await.unwrap_or_default(), keys);

    assert_eq!(
        app.delete_as(&token, &format!("/api/documents/{}", id(&doc)))
            .await
            .status(),
        204
    );
    let purge_time = Utc::now() + chrono::Duration::days(31);
    let purged = job::purge(&pool, &app.state.storage, purge_time, 30)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(purged.purged, 1);
    assert!(s3.keys().await.unwrap_or_default().is_empty());
}
