//! `/api/platform/*`: the cascade (cache-aside, keys by catalog version and year, the cached JSON
//! served as is, so a cold and a warm read give the same bytes) and VIN decoding.

use std::future::Future;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use mvp_types::platform::{CatalogItem, VinDecode};
use mvp_types::{FieldError, Vin};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::catalog::CACHE_PREFIX;
use crate::repo;

const TTL: Duration = Duration::from_secs(24 * 3600);
/// How long this process serves a catalog read without asking Redis. A change anywhere shows at
/// once: keys carry the catalog version, and a change drops the near copies (`catalog::listen`).
const NEAR_TTL: Duration = Duration::from_secs(60);

/// Filters of the cascade. Each level needs the levels above it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CascadeQuery {
    /// Model year, e.g. 2024.
    pub year: Option<String>,
    /// Make name, e.g. Honda (any letter case).
    pub make: Option<String>,
    pub model: Option<String>,
    pub trim: Option<String>,
    pub engine: Option<String>,
}

struct Filters {
    year: i16,
    make: Option<String>,
    model: Option<String>,
    trim: Option<String>,
    engine: Option<String>,
}

fn text(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(100).collect())
}

impl CascadeQuery {
    /// Checks the parameters this level needs (`needs`: make, model) and the year's form.
    fn parse(self, needs: &[&str]) -> Result<Filters, AppError> {
        let mut details = Vec::new();
        let year = match self.year.as_deref().map(str::trim) {
            None | Some("") => {
                details.push(FieldError::new("year", "year is required"));
                0
            }
            Some(raw) => match raw.parse::<i16>() {
                Ok(y) if y > 0 => y,
                _ => {
                    details.push(FieldError::new(
                        "year",
                        format!("{raw:?} is not a model year"),
                    ));
                    0
                }
            },
        };
        let filters = Filters {
            year,
            make: text(self.make),
            model: text(self.model),
            trim: text(self.trim),
            engine: text(self.engine),
        };
        for (name, value) in [("make", &filters.make), ("model", &filters.model)] {
            if needs.contains(&name) && value.is_none() {
                details.push(FieldError::new(name, format!("{name} is required")));
            }
        }
        if details.is_empty() {
            Ok(filters)
        } else {
            Err(AppError::validation_many(details))
        }
    }
}

fn key_part(value: &Option<String>) -> String {
    value
        .as_deref()
        .unwrap_or("*")
        .to_lowercase()
        .replace(':', "_")
}

fn json_bytes(bytes: bytes::Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// Cache-aside: the cached bytes, or the query's result serialised, stored and returned.
async fn cached<T, F, Fut>(state: &AppState, key: String, load: F) -> AppResult<Response>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = sqlx::Result<T>>,
{
    let version = crate::catalog::version(&state.db, &state.cache).await?;
    let key = format!("{CACHE_PREFIX}v{version}:{key}");
    if let Some(bytes) = state.cache.get_bytes_near(&key, NEAR_TTL).await {
        return Ok(json_bytes(bytes));
    }
    let value = load().await?;
    let bytes = bytes::Bytes::from(serde_json::to_vec(&value).map_err(anyhow::Error::from)?);
    state
        .cache
        .set_bytes_near(&key, bytes.clone(), TTL, NEAR_TTL)
        .await;
    Ok(json_bytes(bytes))
}

/// Model years in the catalog, newest first.
#[utoipa::path(get, path = "/api/platform/years", tag = "platform", security(("bearer" = [])),
    responses((status = 200, body = [i32])))]
#[tracing::instrument(skip_all)]
pub async fn years(State(state): State<AppState>, _user: AuthUser) -> AppResult<Response> {
    let pool = state.db.clone();
    cached(&state, "years".to_owned(), || async move {
        repo::years(&pool).await
    })
    .await
}

/// A level of the cascade: what it lists, the filters it needs, and the filters its answer (and so
/// its cache entry) depends on. One table instead of five copies of the same handler.
#[derive(Debug, Clone, Copy)]
enum Level {
    Makes,
    Models,
    Trims,
    Engines,
    Transmissions,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Self::Makes => "makes",
            Self::Models => "models",
            Self::Trims => "trims",
            Self::Engines => "engines",
            Self::Transmissions => "transmissions",
        }
    }

    /// The filters this level cannot do without (each level needs the ones above it).
    fn needs(self) -> &'static [&'static str] {
        match self {
            Self::Makes => &[],
            Self::Models => &["make"],
            Self::Trims | Self::Engines | Self::Transmissions => &["make", "model"],
        }
    }

    /// The cache key: the level, the year and every filter the level's query reads.
    fn key(self, f: &Filters) -> String {
        let parts: &[&Option<String>] = match self {
            Self::Makes => &[],
            Self::Models => &[&f.make],
            Self::Trims => &[&f.make, &f.model],
            Self::Engines => &[&f.make, &f.model, &f.trim],
            Self::Transmissions => &[&f.make, &f.model, &f.trim, &f.engine],
        };
        let mut key = format!("{}:{}", self.name(), f.year);
        for part in parts {
            key.push(':');
            key.push_str(&key_part(part));
        }
        key
    }

    async fn load(self, pool: &PgPool, f: &Filters) -> sqlx::Result<Vec<CatalogItem>> {
        let make = f.make.as_deref().unwrap_or_default();
        let model = f.model.as_deref().unwrap_or_default();
        match self {
            Self::Makes => repo::makes(pool, f.year).await,
            Self::Models => repo::models(pool, f.year, make).await,
            Self::Trims => repo::trims(pool, f.year, make, model).await,
            Self::Engines => repo::engines(pool, f.year, make, model, f.trim.as_deref()).await,
            Self::Transmissions => {
                let (trim, engine) = (f.trim.as_deref(), f.engine.as_deref());
                repo::transmissions(pool, f.year, make, model, trim, engine).await
            }
        }
    }
}

/// One level of the cascade, cache-aside.
async fn cascade(state: &AppState, query: CascadeQuery, level: Level) -> AppResult<Response> {
    let f = query.parse(level.needs())?;
    let key = level.key(&f);
    let pool = state.db.clone();
    cached(state, key, || async move { level.load(&pool, &f).await }).await
}

/// Makes sold in a model year.
#[utoipa::path(get, path = "/api/platform/makes", tag = "platform", security(("bearer" = [])),
    params(CascadeQuery),
    responses((status = 200, body = [CatalogItem]), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn makes(
    State(state): State<AppState>,
    _user: AuthUser,
    Query(query): Query<CascadeQuery>,
) -> AppResult<Response> {
    cascade(&state, query, Level::Makes).await
}

/// Models of a make in a model year.
#[utoipa::path(get, path = "/api/platform/models", tag = "platform", security(("bearer" = [])),
    params(CascadeQuery),
    responses((status = 200, body = [CatalogItem]), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn models(
    State(state): State<AppState>,
    _user: AuthUser,
    Query(query): Query<CascadeQuery>,
) -> AppResult<Response> {
    cascade(&state, query, Level::Models).await
}

/// Trims of a model in a model year.
#[utoipa::path(get, path = "/api/platform/trims", tag = "platform", security(("bearer" = [])),
    params(CascadeQuery),
    responses((status = 200, body = [CatalogItem]), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn trims(
    State(state): State<AppState>,
    _user: AuthUser,
    Query(query): Query<CascadeQuery>,
) -> AppResult<Response> {
    cascade(&state, query, Level::Trims).await
}

/// Engines of a model (and trim, when given) in a model year.
#[utoipa::path(get, path = "/api/platform/engines", tag = "platform", security(("bearer" = [])),
    params(CascadeQuery),
    responses((status = 200, body = [CatalogItem]), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn engines(
    State(state): State<AppState>,
    _user: AuthUser,
    Query(query): Query<CascadeQuery>,
) -> AppResult<Response> {
    cascade(&state, query, Level::Engines).await
}

/// Transmissions of a model (and trim, engine, when given) in a model year.
#[utoipa::path(get, path = "/api/platform/transmissions", tag = "platform", security(("bearer" = [])),
    params(CascadeQuery),
    responses((status = 200, body = [CatalogItem]), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn transmissions(
    State(state): State<AppState>,
    _user: AuthUser,
    Query(query): Query<CascadeQuery>,
) -> AppResult<Response> {
    cascade(&state, query, Level::Transmissions).await
}

/// Decodes a VIN offline: structure and check digit (400 with the reason when wrong), model year,
/// manufacturer and country, and make/model/trim/engine where the data knows them.
#[utoipa::path(get, path = "/api/platform/vin/{vin}", tag = "platform", security(("bearer" = [])),
    params(("vin" = String, Path, description = "17-character VIN")),
    responses((status = 200, body = VinDecode),
              (status = 400, description = "Not a valid VIN; details say why", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn vin(
    State(state): State<AppState>,
    _user: AuthUser,
    Path(raw): Path<String>,
) -> AppResult<Json<VinDecode>> {
    let vin = Vin::parse(&raw).map_err(|e| AppError::validation("vin", e.to_string()))?;
    Ok(Json(crate::decode_vin(&state.db, &vin).await?))
}
