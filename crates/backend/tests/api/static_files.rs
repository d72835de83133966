//! Single-binary mode: with `MVP_SERVER__STATIC_DIR`, non-`/api` paths serve the SPA with an
//! `index.html` fallback, while `/api` keeps its JSON 404.

use mvp_test_support::TestAppBuilder;

use crate::assert_error;

#[tokio::test]
async fn the_spa_is_served_beside_the_api() {
    let dir = mvp_test_support::temp_dir("mvp-spa");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>spa-index</title>",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("app-1a2b.js"), "console.log('app')").unwrap_or_else(|e| panic!("{e}"));
    let app = TestAppBuilder::new()
        .var("MVP_SERVER__STATIC_DIR", dir.to_string_lossy())
        .spawn()
        .await;

    let index = app.get("/").await;
    assert_eq!(index.status(), 200);
    assert!(index.text().await.unwrap_or_default().contains("spa-index"));

    let asset = app.get("/app-1a2b.js").await;
    assert_eq!(asset.status(), 200);
    assert!(
        asset
            .text()
            .await
            .unwrap_or_default()
            .contains("console.log")
    );

    // A client-side route falls back to index.html.
    let deep = app.get("/vehicles/0b9c/fuel").await;
    assert_eq!(deep.status(), 200);
    assert!(deep.text().await.unwrap_or_default().contains("spa-index"));

    assert_error(app.get("/api/vehicles-nope").await, 404, "not_found").await;
    assert_eq!(app.get("/api/health").await.status(), 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn without_a_static_dir_only_the_api_answers() {
    let app = TestAppBuilder::new().spawn().await;
    assert_eq!(app.get("/").await.status(), 404);
    assert_eq!(app.get("/api/health").await.status(), 200);
}

#[tokio::test]
async fn a_precompressed_asset_is_sent_to_clients_that_accept_gzip() {
    // The SPA build writes `x.gz` beside each asset; the bytes here only have to be recognisable.
    let dir = mvp_test_support::temp_dir("mvp-spa-gz");
    std::fs::write(dir.join("index.html"), "<title>spa</title>").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("app.wasm"), b"plain-bytes").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("app.wasm.gz"), b"gzip-bytes").unwrap_or_else(|e| panic!("{e}"));
    let app = TestAppBuilder::new()
        .var("MVP_SERVER__STATIC_DIR", dir.to_string_lossy())
        .spawn()
        .await;

    let gz = app
        .client
        .get(app.url("/app.wasm"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gz.status(), 200);
    assert_eq!(
        gz.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert_eq!(gz.bytes().await.unwrap_or_default().as_ref(), b"gzip-bytes");

    let plain = app.get("/app.wasm").await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(
        plain.bytes().await.unwrap_or_default().as_ref(),
        b"plain-bytes"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
