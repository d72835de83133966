//! Diagnostic routes merged into the app only by tests (and the `mvp-test-server` binary): a slow
//! handler, a panicking one, a JSON echo, and authenticated routes that touch the database and cache.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use mvp_core::{AdminUser, AppJson, AppResult, AppState, AuthUser};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn test_routes() -> Router<AppState> {
    Router::new()
        .route("/api/_test/slow", get(slow))
        .route("/api/_test/panic", get(panics))
        .route("/api/_test/echo", post(echo))
        .route("/api/_test/me", get(me))
        .route("/api/_test/data", get(data))
        .route("/api/_test/admin", get(admin))
}

#[derive(Deserialize)]
struct SlowQuery {
    ms: u64,
}

async fn slow(Query(q): Query<SlowQuery>) -> Json<Value> {
    tokio::time::sleep(Duration::from_millis(q.ms)).await;
    Json(json!({"slept": q.ms}))
}

async fn panics() -> Json<Value> {
    panic!("internal detail that must not leak: password=hunter2 at db.internal:5432");
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Echo {
    name: String,
    odometer_reading: u32,
}

async fn echo(AppJson(body): AppJson<Echo>) -> AppJson<Echo> {
    AppJson(body)
}

async fn me(user: AuthUser) -> Json<Value> {
    Json(json!({"userId": &user.user_id, "email": user.email}))
}

/// Cache-aside over a real query, like a feature's read path.
async fn data(State(state): State<AppState>, user: AuthUser) -> AppResult<Json<Value>> {
    let key = format!("test:data:{}", user.user_id);
    let pool = state.db.clone();
    let admins: i64 = state
        .cache
        .get_or_load(&key, Duration::from_secs(60), || async move {
            sqlx::query_scalar::<_, i64>("select count(*) from admin_users")
                .fetch_one(&pool)
                .await
        })
        .await?;
    Ok(Json(json!({"userId": &user.user_id, "admins": admins})))
}

async fn admin(AdminUser(user): AdminUser) -> Json<Value> {
    Json(json!({"admin": &user.user_id}))
}
