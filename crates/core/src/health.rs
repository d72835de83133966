//! Health: `/health/live` (the process answers), `/health` and `/api/health` (database and Redis).
//! Database down → 503 within ~2 s; Redis down → 200 `degraded`; no Redis configured → 200 `ok`.
//! Features add their own parts through [`Components`] (e-mail delivery: `mail`); one that is not
//! `ok` makes the whole `degraded`.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mvp_types::{ComponentHealth, HealthResponse, HealthStatus};

use crate::state::AppState;

/// The database check gives up after this, so the whole endpoint answers within 3 s.
const DB_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Health of parts a feature owns (e-mail delivery), set by that feature as it learns it.
#[derive(Debug, Clone, Default)]
pub struct Components(Arc<RwLock<BTreeMap<String, ComponentHealth>>>);

impl Components {
    /// Sets a part's health; returns the status it had before (`None` the first time).
    pub fn set(&self, name: &str, health: ComponentHealth) -> Option<HealthStatus> {
        let mut map = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.insert(name.to_owned(), health).map(|h| h.status)
    }

    pub fn get(&self, name: &str) -> Option<ComponentHealth> {
        let map = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(name).cloned()
    }

    fn snapshot(&self) -> BTreeMap<String, ComponentHealth> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

pub async fn check(state: &AppState) -> (StatusCode, HealthResponse) {
    let (database, redis) = tokio::join!(database_health(state), state.cache.health());
    let extra = state.components.snapshot();
    let extra_ok = extra
        .values()
        .all(|c| matches!(c.status, HealthStatus::Ok | HealthStatus::Disabled));
    let status = match (database.status, redis.status) {
        (HealthStatus::Ok, HealthStatus::Ok | HealthStatus::Disabled) if extra_ok => {
            HealthStatus::Ok
        }
        (HealthStatus::Ok, _) => HealthStatus::Degraded,
        _ => HealthStatus::Unavailable,
    };
    let mut components = extra;
    components.insert("database".to_owned(), database);
    components.insert("redis".to_owned(), redis);
    let code = if status == HealthStatus::Unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (
        code,
        HealthResponse {
            status,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            components,
        },
    )
}

async fn database_health(state: &AppState) -> ComponentHealth {
    let started = Instant::now();
    let result = tokio::time::timeout(
        DB_CHECK_TIMEOUT,
        sqlx::query_scalar!("select 1",).fetch_one(&state.db),
    )
    .await;
    match result {
        Ok(Ok(_)) => ComponentHealth {
            status: HealthStatus::Ok,
            latency_ms: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
            message: None,
        },
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "database health check failed");
            unavailable("database is not reachable")
        }
        Err(_) => {
            tracing::warn!("database health check timed out");
            unavailable("database did not answer in time")
        }
    }
}

fn unavailable(message: &str) -> ComponentHealth {
    ComponentHealth {
        status: HealthStatus::Unavailable,
        latency_ms: None,
        message: Some(message.to_owned()),
    }
}

/// Service health: database and Redis.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Up (possibly degraded)", body = HealthResponse),
              (status = 503, description = "Database unavailable", body = HealthResponse)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<HealthResponse>) {
    let (code, body) = check(&state).await;
    (code, Json(body))
}

/// Liveness: the process answers; no dependency is checked.
pub async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}
