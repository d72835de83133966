//! The HTTP middleware every response goes through, outermost first: request id → trace span →
//! panic catcher → JSON error bodies for `/api` → security headers → CORS → compression → timeout →
//! body limit. `apply` wraps a finished router with all of it.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, Response as HttpResponse, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use mvp_types::{ErrorBody, ErrorCode};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{
    DefaultPredicate, NotForContentType, Predicate as _, SizeAbove,
};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::config::{Config, HstsMode};
use crate::error::AppError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub const TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

/// Compression leaves alone a file download that serves byte ranges: its `Content-Length` and
/// `Content-Range` count the stored bytes (the default rule still skips images and tiny bodies).
fn not_ranged(
    _: axum::http::StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    !headers.contains_key(header::ACCEPT_RANGES)
}

/// Wraps `router` with the whole middleware stack, configured from `config`.
pub fn apply(router: Router, config: &Config) -> Router {
    let headers = Arc::new(SecurityHeaders::from_config(config));
    let timeout = config.server.request_timeout();
    let mut router = router
        .layer(DefaultBodyLimit::max(config.server.body_limit_bytes))
        .layer(middleware::from_fn_with_state(timeout, timeout_requests))
        // Inside compression: a body this layer rebuilds is compressed (or not) afterwards, never
        // left labelled gzip over plain bytes.
        .layer(middleware::from_fn(json_error_bodies))
        .layer(
            // The fastest level: JSON still shrinks several-fold for a fraction of the default
            // level's CPU; bodies under 1 KiB are sent as they are.
            CompressionLayer::new()
                .quality(CompressionLevel::Fastest)
                .compress_when(
                    DefaultPredicate::new()
                        .and(SizeAbove::new(1024))
                        .and(not_ranged)
                        // Archives (the user's export, backups) are compressed already.
                        .and(NotForContentType::const_new("application/gzip")),
                ),
        );
    if let Some(cors) = cors_layer(&config.server.cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(middleware::from_fn_with_state(headers, security_headers))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .layer(middleware::from_fn(request_id))
}

fn request_span(req: &Request) -> Span {
    // The route template, never the raw path: paths can carry a VIN or other ids.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = %route,
        user_id = tracing::field::Empty,
    )
}

fn log_response<B>(res: &HttpResponse<B>, latency: Duration, _span: &Span) {
    let status = res.status().as_u16();
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    if status >= 500 {
        tracing::warn!(status, latency_ms, "request completed");
    } else {
        tracing::info!(status, latency_ms, "request completed");
    }
}

/// Accepts a sane incoming `x-request-id` (so a proxy's id follows the request), else makes one;
/// echoes it on the response.
async fn request_id(mut req: Request, next: Next) -> Response {
    let incoming = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        })
        .map(str::to_owned);
    let id = incoming.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let mut response = next.run(req).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown panic payload".to_owned());
    AppError::Internal(anyhow::anyhow!("handler panicked: {detail}")).into_response()
}

/// Routes whose request body is an archive of up to gigabytes, streamed to disk as it arrives and
/// then checked: they are bounded by their size limits and get [`ARCHIVE_TIMEOUT`], not
/// `server.request_timeout_secs` (which would cut a large upload over a slow link).
const ARCHIVE_ROUTES: &[&str] = &["/api/admin/backups/upload", "/api/user/import"];
const ARCHIVE_TIMEOUT: Duration = Duration::from_secs(3600);

async fn timeout_requests(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let limit = if ARCHIVE_ROUTES.contains(&req.uri().path()) {
        ARCHIVE_TIMEOUT.max(limit)
    } else {
        limit
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => AppError::unavailable(format!(
            "the request took longer than {} s",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// Error responses under `/api` that some layer produced without a body (405, 408, 413 …) get the
/// standard error body, so clients parse one shape.
async fn json_error_bodies(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path() == "/api";
    let response = next.run(req).await;
    let status = response.status();
    if !is_api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let code = ErrorCode::for_status(status.as_u16());
    let message = status.canonical_reason().unwrap_or("error").to_lowercase();
    let (mut parts, _) = response.into_parts();
    // The new body is plain JSON: nothing that described the old one may stay.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_ENCODING);
    let mut rebuilt = (status, axum::Json(ErrorBody::new(code, message))).into_response();
    for (name, value) in &parts.headers {
        rebuilt.headers_mut().entry(name).or_insert(value.clone());
    }
    rebuilt
}

struct SecurityHeaders {
    csp: HeaderValue,
    hsts: HstsMode,
}

impl SecurityHeaders {
    fn from_config(config: &Config) -> Self {
        // The SPA talks to its own origin and, for OIDC, to the issuer; nothing else.
        let issuer_origin = config
            .auth
            .issuer
            .as_deref()
            .and_then(origin_of)
            .unwrap_or_default();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: blob:; connect-src 'self' {issuer_origin}; font-src 'self'; \
             object-src 'none'; frame-src 'self' blob:; base-uri 'self'; form-action 'self' {issuer_origin}; \
             frame-ancestors 'none'"
        );
        Self {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            hsts: config.server.hsts,
        }
    }
}

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    Some(format!("{scheme}://{host}"))
}

async fn security_headers(
    State(config): State<Arc<SecurityHeaders>>,
    req: Request,
    next: Next,
) -> Response {
    let behind_tls = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let is_api = req.uri().path().starts_with("/api");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: HeaderValue| {
        headers.entry(name).or_insert(value);
    };
    set(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    set(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    set(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    set(header::CONTENT_SECURITY_POLICY, config.csp.clone());
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    set(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), geolocation=(self), microphone=(), payment=()"),
    );
    if is_api {
        // Responses carry one user's data: never store them in shared caches.
        set(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let hsts = match config.hsts {
        HstsMode::Always => true,
        HstsMode::Auto => behind_tls,
        HstsMode::Never => false,
    };
    if hsts {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, REQUEST_ID])
            .expose_headers([
                TOTAL_COUNT,
                REQUEST_ID,
                header::LOCATION,
                header::RETRY_AFTER,
            ])
            .max_age(Duration::from_secs(600)),
    )
}

/// `201 Created` with the new object as JSON and `Location: <location>` (its URL), as every create
/// answers.
pub fn created<T: serde::Serialize>(location: &str, body: T) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (axum::http::StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(value) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
