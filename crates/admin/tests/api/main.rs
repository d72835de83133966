//! The admin capsule against the real app, Postgres and Redis: grants and the last admin, the
//! audit log and its append-only table, catalog management seen by the cascade at once (with Redis
//! up, down, and on a second replica), and station moderation.

mod audit;
mod catalog;
mod stations;
mod users;

use mvp_test_support::TestApp;
use mvp_test_support::app::json;
use serde_json::Value;

/// The admin every test starts with.
pub const BOSS: &str = "auth0|boss";

/// Makes `sub` an admin the way the CLI does, and returns their token.
pub async fn admin_token(app: &TestApp, sub: &str) -> String {
    mvp_core::admin::grant(&app.state.db, sub, "test")
        .await
        .unwrap_or_else(|e| panic!("grant {sub}: {e}"));
    app.token(sub).await
}

/// The audit rows, newest first, as the API lists them.
pub async fn audit_rows(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .get_as(token, &format!("/api/admin/audit-logs{query}"))
        .await;
    assert_eq!(response.status(), 200);
    json(response).await.as_array().cloned().unwrap_or_default()
}
