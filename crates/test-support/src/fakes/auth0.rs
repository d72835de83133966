//! A fake Auth0 Management API: `POST /oauth/token` (client credentials), `POST /api/v2/users`,
//! `GET /api/v2/users-by-email`, `POST /api/v2/jobs/verification-email`. It checks what the real API
//! checks (credentials, audience, bearer token, connection, required fields), answers with Auth0's
//! status codes and error bodies, and records every request for assertions.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub const CLIENT_ID: &str = "fake-m2m-client";
pub const CLIENT_SECRET: &str = "fake-m2m-secret-value";
pub const CONNECTION: &str = "Username-Password-Authentication";
const ACCESS_TOKEN: &str = "fake-management-token";

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    users: Mutex<Vec<Value>>,
    base: Mutex<String>,
}

pub struct FakeAuth0 {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for FakeAuth0 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeAuth0")
            .field("addr", &self.addr)
            .finish()
    }
}

impl FakeAuth0 {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("fake auth0 bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("fake auth0 addr: {e}"));
        if let Ok(mut base) = shared.base.lock() {
            *base = format!("http://{addr}");
        }
        let router = Router::new()
            .route("/oauth/token", post(token))
            .route("/api/v2/users", post(create_user))
            .route("/api/v2/users-by-email", get(users_by_email))
            .route("/api/v2/jobs/verification-email", post(verification_job))
            .with_state(shared.clone());
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            shared,
            addr,
            server: Mutex::new(Some(handle)),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The settings that point an app at this fake.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("MVP_AUTH__AUTH0__MANAGEMENT_URL", self.url()),
            ("MVP_AUTH__AUTH0__CLIENT_ID", CLIENT_ID.to_owned()),
            ("MVP_AUTH__AUTH0__CLIENT_SECRET", CLIENT_SECRET.to_owned()),
            ("MVP_AUTH__AUTH0__CONNECTION", CONNECTION.to_owned()),
        ]
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Makes the service unreachable (connections refused).
    pub fn stop(&self) {
        if let Some(handle) = self.server.lock().ok().and_then(|mut s| s.take()) {
            handle.abort();
        }
    }
}

impl Drop for FakeAuth0 {
    fn drop(&mut self) {
        self.stop();
    }
}

fn record(shared: &Shared, method: &str, path: &str, headers: &HeaderMap, body: &Value) {
    if let Ok(mut requests) = shared.requests.lock() {
        requests.push(Recorded {
            method: method.to_owned(),
            path: path.to_owned(),
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: body.clone(),
        });
    }
}

fn error(status: StatusCode, error: &str, message: &str, code: &str) -> (StatusCode, Json<Value>) {
    (
        status,
        Json(
            json!({"statusCode": status.as_u16(), "error": error, "message": message, "errorCode": code}),
        ),
    )
}

fn bearer_ok(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {ACCESS_TOKEN}")[..])
}

async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    record(&shared, "POST", "/oauth/token", &headers, &body);
    let audience = format!(
        "{}/api/v2/",
        shared.base.lock().map(|b| b.clone()).unwrap_or_default()
    );
    if body["grant_type"] != "client_credentials"
        || body["client_id"] != CLIENT_ID
        || body["client_secret"] != CLIENT_SECRET
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "access_denied", "error_description": "Unauthorized"})),
        );
    }
    if body["audience"] != audience.as_str() {
        return (
            StatusCode::FORBIDDEN,
            Json(
                json!({"error": "access_denied", "error_description": "Service not enabled within domain"}),
            ),
        );
    }
    (
        StatusCode::OK,
        Json(
            json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 86400,
            "scope": "create:users read:users update:users"}),
        ),
    )
}

async fn create_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    record(&shared, "POST", "/api/v2/users", &headers, &body);
    if !bearer_ok(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Invalid token",
            "invalid_token",
        );
    }
    let (Some(email), Some(password), Some(connection)) = (
        body["email"].as_str(),
        body["password"].as_str(),
        body["connection"].as_str(),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "Payload validation error: 'Missing required property: connection'",
            "invalid_body",
        );
    };
    if connection != CONNECTION {
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "The connection does not exist.",
            "inexistent_connection",
        );
    }
    if password.len() < 12 || password.chars().all(char::is_alphabetic) {
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "PasswordStrengthError: Password is too weak",
            "invalid_password",
        );
    }
    let Ok(mut users) = shared.users.lock() else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal",
            "lock",
            "internal",
        );
    };
    if users.iter().any(|u| {
        u["email"]
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case(email))
    }) {
        return error(
            StatusCode::CONFLICT,
            "Conflict",
            "The user already exists.",
            "auth0_idp_error",
        );
    }
    let user = json!({
        "user_id": format!("auth0|{}", uuid::Uuid::new_v4().simple()),
        "email": email.to_lowercase(),
        "email_verified": false,
        "identities": [{"connection": CONNECTION, "provider": "auth0", "isSocial": false}],
        "created_at": chrono::Utc::now().to_rfc3339(),
    });
    users.push(user.clone());
    (StatusCode::CREATED, Json(user))
}

#[derive(Deserialize)]
struct ByEmail {
    email: String,
}

async fn users_by_email(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<ByEmail>,
) -> (StatusCode, Json<Value>) {
    record(
        &shared,
        "GET",
        "/api/v2/users-by-email",
        &headers,
        &json!({"email": query.email}),
    );
    if !bearer_ok(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Invalid token",
            "invalid_token",
        );
    }
    let users: Vec<Value> = shared
        .users
        .lock()
        .map(|u| {
            u.iter()
                .filter(|u| {
                    u["email"]
                        .as_str()
                        .is_some_and(|e| e.eq_ignore_ascii_case(&query.email))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    (StatusCode::OK, Json(Value::Array(users)))
}

async fn verification_job(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    record(
        &shared,
        "POST",
        "/api/v2/jobs/verification-email",
        &headers,
        &body,
    );
    if !bearer_ok(&headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Invalid token",
            "invalid_token",
        );
    }
    if !body["user_id"].is_string() {
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "Payload validation error",
            "invalid_body",
        );
    }
    (
        StatusCode::CREATED,
        Json(json!({"type": "verification_email", "status": "pending",
            "created_at": chrono::Utc::now().to_rfc3339(), "id": format!("job_{}", uuid::Uuid::new_v4().simple())})),
    )
}
