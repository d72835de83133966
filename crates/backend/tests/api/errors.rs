//! Error bodies: malformed JSON, wrong types, unknown fields, wrong content type, oversize bodies,
//! panics, unknown routes and methods — all in API.md's error body, none with internal text.

use mvp_test_support::{TestAppBuilder, spawn_app};

use crate::{assert_error, json};

#[tokio::test]
async fn malformed_json_is_a_400_in_the_error_body() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/_test/echo"))
        .header("content-type", "application/json")
        .body(r#"{"name": "Civic", "odometerReading": "#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = assert_error(response, 400, "bad_request").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("malformed JSON")
    );
}

#[tokio::test]
async fn a_wrong_type_names_the_field() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/_test/echo",
            &serde_json::json!({"name": "Civic", "odometerReading": -5}),
        )
        .await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert_eq!(
        body["error"]["details"][0]["field"], "odometerReading",
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_field_is_a_400() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/_test/echo",
            &serde_json::json!({"name": "Civic", "odometerReading": 5, "colour": "red"}),
        )
        .await;
    let body = assert_error(response, 400, "validation_failed").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("colour"),
        "{body}"
    );
}

#[tokio::test]
async fn a_valid_body_round_trips() {
    let app = spawn_app().await;
    let sent = serde_json::json!({"name": "Civic", "odometerReading": 120500});
    let response = app.post_json("/api/_test/echo", &sent).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, sent);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/_test/echo"))
        .header("content-type", "text/plain")
        .body("name=Civic")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let app = TestAppBuilder::new()
        .var("MVP_SERVER__BODY_LIMIT_BYTES", "2048")
        .spawn()
        .await;
    let name = "x".repeat(4096);
    let response = app
        .post_json(
            "/api/_test/echo",
            &serde_json::json!({"name": name, "odometerReading": 1}),
        )
        .await;
    assert_error(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn a_panic_is_a_500_without_internal_text() {
    let app = spawn_app().await;
    let response = app.get("/api/_test/panic").await;
    assert_eq!(response.status(), 500);
    let text = response.text().await.unwrap_or_default();
    assert!(
        !text.contains("hunter2") && !text.contains("db.internal"),
        "{text}"
    );
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(body["error"]["code"], "internal");
    assert_eq!(body["error"]["message"], "internal server error");
    // The server keeps serving.
    assert_eq!(app.get("/api/health").await.status(), 200);
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_in_json() {
    let app = spawn_app().await;
    assert_error(app.get("/api/no-such-thing").await, 404, "not_found").await;
    assert_error(app.get("/api").await, 404, "not_found").await;
    let response = app
        .client
        .delete(app.url("/api/health"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_request_over_the_timeout_is_a_503() {
    let app = TestAppBuilder::new()
        .var("MVP_SERVER__REQUEST_TIMEOUT_SECS", "1")
        .spawn()
        .await;
    let response = app.get("/api/_test/slow?ms=1500").await;
    assert_error(response, 503, "unavailable").await;
}
