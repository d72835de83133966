//! The application router: public endpoints, every feature's routes under `/api`, a JSON 404 for
//! unknown `/api` paths, the SPA's files for everything else, and the middleware stack around it all.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{any, get};
use mvp_core::health;
use mvp_core::{AppError, AppState};
use mvp_types::RuntimeConfig;
use tower_http::services::{ServeDir, ServeFile};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi;

/// Routes documented in the OpenAPI document, with their full paths.
pub fn api_routes(
    image_max_bytes: usize,
    document_max_bytes: u64,
    backup_max_bytes: u64,
    documents_quota_bytes: u64,
) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(health_root))
        .routes(routes!(api_health))
        .routes(routes!(runtime_config))
        .merge(mvp_auth::router())
        .merge(mvp_user_profile::router())
        .merge(mvp_user_export::router(documents_quota_bytes))
        .merge(mvp_user_preferences::router())
        .merge(mvp_onboarding::router())
        .merge(mvp_platform::router())
        .merge(mvp_vehicles::router(image_max_bytes))
        .merge(mvp_fuel_logs::router())
        .merge(mvp_maintenance::router())
        .merge(mvp_documents::router(document_max_bytes))
        .merge(mvp_notifications::router())
        .merge(mvp_stations::router())
        .merge(mvp_admin::router())
        .merge(mvp_backup::router(backup_max_bytes))
}

/// The whole application. `extra` is merged beside the features (tests add diagnostic routes).
pub fn build(state: AppState, extra: Router<AppState>) -> Router {
    let (api, _) = api_routes(
        state.config.storage.image_max_bytes,
        state.config.documents.max_bytes,
        state.config.backup.max_upload_bytes,
        state.config.documents.quota_bytes,
    )
    .split_for_parts();

    let mut router = Router::new()
        .merge(api)
        .merge(extra)
        .route("/health/live", get(health::live))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found));

    if let Some(dir) = &state.config.server.static_dir {
        // Single-binary mode: the SPA's files, with index.html for client-side routes. The build
        // writes a `.gz` beside each text/wasm asset; it is sent to clients that accept gzip (the
        // compression layer leaves ranged file responses alone).
        let index = dir.join("index.html");
        router = router.fallback_service(
            ServeDir::new(dir)
                .precompressed_gzip()
                .fallback(ServeFile::new(index).precompressed_gzip()),
        );
    }
    // Inside the middleware stack, so the profile insert and the terms check are part of the
    // request's span. The profile is made first (outer layer); the terms gate then holds a user who
    // has not accepted the current version at the door of every data route.
    let router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mvp_terms_agreement::require_current_terms,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mvp_core::maintenance::refuse_writes,
        ))
        // Inside the profile layer, which names the user whose kept reads a write retires.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mvp_core::reads::note_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mvp_user_profile::ensure_profile,
        ));
    let config = state.config.clone();
    mvp_core::http::apply(router.with_state(state), &config)
}

/// The OpenAPI document, made on its first request and then kept. Finishing it (the error answers,
/// the links, the input rules) passes ~7 MiB through the heap; done at start, that raised the
/// process's resident memory for good, since the allocator keeps what the live data around it pins.
async fn openapi_json() -> Result<impl axum::response::IntoResponse, AppError> {
    static DOCUMENT: OnceLock<Bytes> = OnceLock::new();
    let document = match DOCUMENT.get() {
        Some(document) => document.clone(),
        None => tokio::task::spawn_blocking(|| {
            DOCUMENT
                .get_or_init(|| Bytes::from(openapi::document()))
                .clone()
        })
        .await
        .map_err(|err| AppError::Internal(anyhow::anyhow!("making the OpenAPI document: {err}")))?,
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document,
    ))
}

async fn api_not_found() -> AppError {
    AppError::NotFound("route")
}

/// Service health (same as `/api/health`).
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Up (possibly degraded)", body = mvp_types::HealthResponse),
              (status = 503, description = "Database unavailable", body = mvp_types::HealthResponse)))]
async fn health_root(
    state: State<AppState>,
) -> (axum::http::StatusCode, Json<mvp_types::HealthResponse>) {
    health::health(state).await
}

/// Service health: database and Redis.
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, description = "Up (possibly degraded)", body = mvp_types::HealthResponse),
              (status = 503, description = "Database unavailable", body = mvp_types::HealthResponse)))]
async fn api_health(
    state: State<AppState>,
) -> (axum::http::StatusCode, Json<mvp_types::HealthResponse>) {
    health::health(state).await
}

/// What the SPA needs at run time: identity provider, issuer, client id, audience, features.
#[utoipa::path(get, path = "/api/config", tag = "config",
    responses((status = 200, description = "Runtime configuration", body = RuntimeConfig)))]
async fn runtime_config(State(state): State<AppState>) -> Json<RuntimeConfig> {
    let auth = &state.config.auth;
    let features = BTreeMap::from([
        ("redis".to_owned(), state.cache.backend_name() == "redis"),
        (
            "googlePlaces".to_owned(),
            state.config.stations.google_key().is_some(),
        ),
    ]);
    Json(RuntimeConfig {
        auth_provider: auth.provider.as_str().to_owned(),
        issuer: auth.issuer.clone(),
        client_id: auth.client_id.clone(),
        audience: Some(auth.audience.clone()),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        features,
        terms_version: auth.terms_version.clone(),
    })
}
