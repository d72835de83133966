//! The OpenAPI document is generated from the code; this snapshot makes every contract change a
//! visible diff. Update with `UPDATE_SNAPSHOTS=1 cargo test -p mvp-backend openapi`.

use mvp_test_support::spawn_app;

#[tokio::test]
async fn the_openapi_document_matches_the_committed_snapshot() {
    let generated = mvp_backend::openapi::document();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, format!("{generated}\n")).unwrap_or_else(|e| panic!("{e}"));
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "docs/openapi.json is out of date: run UPDATE_SNAPSHOTS=1 cargo test -p mvp-backend openapi \
         and review the diff"
    );
}

#[tokio::test]
async fn the_served_document_is_the_generated_one_and_lists_the_public_routes() {
    let app = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.unwrap_or_default();
    let generated: serde_json::Value =
        serde_json::from_str(&mvp_backend::openapi::document()).unwrap_or_default();
    assert_eq!(served, generated);
    for path in [
        "/health",
        "/api/health",
        "/api/config",
        "/api/auth/jwks.json",
    ] {
        assert!(
            served["paths"].get(path).is_some(),
            "{path} missing from the document"
        );
    }
}

#[tokio::test]
async fn runtime_config_tells_the_spa_how_to_sign_in() {
    let app = spawn_app().await;
    let body: serde_json::Value = app
        .get("/api/config")
        .await
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(body["authProvider"], "oidc");
    assert_eq!(body["issuer"], app.issuer.url());
    assert_eq!(body["audience"], app.issuer.audience());
}
