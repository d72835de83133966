//! Integration tests of the backbone against the real app (spawn_app: real router, real Postgres,
//! Redis when `MVP_TEST_REDIS_URL` is set, a stub OIDC issuer over HTTP). One test binary.

mod admin;
mod auth;
mod errors;
mod faults;
mod health;
mod http;
mod idor;
mod openapi;
mod process;
mod reads;
mod static_files;
mod units;

pub use mvp_test_support::app::json;

/// Asserts the API.md error body with `code` and returns it.
pub async fn assert_error(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let body = json(response).await;
    assert_eq!(body["error"]["code"], code, "error body: {body}");
    assert!(body["error"]["message"].is_string(), "error body: {body}");
    body
}
