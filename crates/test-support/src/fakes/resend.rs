//! A fake Resend API: `POST /emails` with `Authorization: Bearer <key>` and Resend's JSON body
//! (`from`, `to` [list], `subject`, `text`/`html`). It checks the key and the body as Resend does
//! (401 `missing_api_key`/`invalid_api_key`, 422 `validation_error`), answers with scripted statuses
//! first (429, 500 … — what a test wants to see), then 200 `{"id"}`, and records what it accepted.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

pub const API_KEY: &str = "re_test_fake_key_123";

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<u16>>,
    accepted: Mutex<Vec<(Option<String>, Value)>>,
    attempts: Mutex<usize>,
}

pub struct FakeResend {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
}

impl std::fmt::Debug for FakeResend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeResend")
            .field("addr", &self.addr)
            .finish()
    }
}

impl FakeResend {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/emails", post(send))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("fake resend bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("fake resend addr: {e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { shared, addr }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next answers, in order, before the fake accepts again (e.g. `[429]`).
    pub fn fail_next(&self, statuses: &[u16]) {
        if let Ok(mut script) = self.shared.script.lock() {
            script.extend(statuses);
        }
    }

    /// `(Idempotency-Key, body)` of every accepted message.
    pub fn accepted(&self) -> Vec<(Option<String>, Value)> {
        self.shared
            .accepted
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default()
    }

    /// Requests received, accepted or not.
    pub fn attempts(&self) -> usize {
        self.shared.attempts.lock().map(|a| *a).unwrap_or_default()
    }
}

fn error(status: StatusCode, name: &str, message: &str) -> (StatusCode, Json<Value>) {
    (
        status,
        Json(json!({"statusCode": status.as_u16(), "name": name, "message": message})),
    )
}

async fn send(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, Json<Value>) {
    if let Ok(mut n) = shared.attempts.lock() {
        *n += 1;
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(key) = auth.strip_prefix("Bearer ") else {
        return error(
            StatusCode::UNAUTHORIZED,
            "missing_api_key",
            "Missing API key in the authorization header.",
        );
    };
    if key != API_KEY {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "API key is invalid",
        );
    }
    let scripted = shared.script.lock().ok().and_then(|mut s| s.pop_front());
    if let Some(status) = scripted {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let name = if status == StatusCode::TOO_MANY_REQUESTS {
            "rate_limit_exceeded"
        } else {
            "application_error"
        };
        return error(status, name, "scripted failure");
    }
    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            "Invalid JSON",
        );
    };
    let to_ok = value["to"].as_array().is_some_and(|a| {
        !a.is_empty()
            && a.iter()
                .all(|t| t.as_str().is_some_and(|t| t.contains('@')))
    });
    let has_body = value["text"].is_string() || value["html"].is_string();
    if !(value["from"].as_str().is_some_and(|f| f.contains('@'))
        && to_ok
        && value["subject"].as_str().is_some_and(|s| !s.is_empty())
        && has_body)
    {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error",
            "from, to, subject and text or html are required",
        );
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Ok(mut accepted) = shared.accepted.lock() {
        accepted.push((key, value));
    }
    (StatusCode::OK, Json(json!({"id": uuid::Uuid::new_v4()})))
}
