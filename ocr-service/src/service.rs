//! The HTTP side: `POST /extract?kind=fuel_receipt|maintenance_receipt|vin|document` (multipart
//! `file`) → `{text, confidence, fields, spans}`; `GET /health`. At most `concurrency` files are read
//! at once — beyond that a 503 with `Retry-After` — and each within `timeout`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::engine::{self, EngineError, Kind, Limits};
use crate::extract::extract;

#[derive(Debug, Clone)]
pub struct Settings {
    pub concurrency: usize,
    pub timeout: Duration,
    pub max_bytes: usize,
    pub limits: Limits,
    pub work_dir: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: 2,
            timeout: Duration::from_secs(30),
            max_bytes: 25 * 1024 * 1024,
            limits: Limits {
                max_pixels: 40_000_000,
                max_pages: 10,
            },
            work_dir: std::env::temp_dir().join("mvp-ocr"),
        }
    }
}

/// A request's scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Shared {
    settings: Settings,
    permits: Semaphore,
}

pub fn router(settings: Settings) -> Router {
    let max_bytes = settings.max_bytes;
    let shared = Arc::new(Shared {
        permits: Semaphore::new(settings.concurrency),
        settings,
    });
    Router::new()
        .route("/extract", post(extract_file))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(max_bytes + 64 * 1024))
        .with_state(shared)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

async fn health() -> Response {
    let ok = tokio::process::Command::new("tesseract")
        .arg("--version")
        .output()
        .await
        .is_ok_and(|o| o.status.success());
    if ok {
        Json(json!({"status": "ok"})).into_response()
    } else {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "tesseract is not installed",
        )
    }
}

#[derive(Debug, Deserialize)]
struct ExtractQuery {
    kind: Option<String>,
}

async fn extract_file(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<ExtractQuery>,
    mut multipart: Multipart,
) -> Response {
    let kind = query.kind.unwrap_or_else(|| "document".to_owned());
    if !matches!(
        kind.as_str(),
        "fuel_receipt" | "maintenance_receipt" | "vin" | "document"
    ) {
        return error(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "kind must be fuel_receipt, maintenance_receipt, vin or document",
        );
    }
    let Ok(permit) = shared.permits.try_acquire() else {
        let mut busy = error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "busy; try again shortly",
        );
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        return busy;
    };
    let mut bytes = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                match field.bytes().await {
                    Ok(b) => bytes = Some(b),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return error(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "payload_too_large",
                            "the file is too large",
                        );
                    }
                    Err(_) => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            "bad_request",
                            "the upload was interrupted",
                        );
                    }
                }
                break;
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the file is too large",
                );
            }
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "malformed multipart body",
                );
            }
        }
    }
    let Some(bytes) = bytes else {
        return error(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "send the file in a multipart field named \"file\"",
        );
    };
    let Some(file_kind) = engine::sniff(&bytes) else {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send a PDF, JPEG, PNG or WebP",
        );
    };
    let work = shared
        .settings
        .work_dir
        .join(uuid::Uuid::new_v4().simple().to_string());
    // Removed however the request ends: an answer, a time-out, or the client hanging up (which drops
    // this future, and with it every child process — `engine::run`).
    let _scratch = Scratch(work.clone());
    if tokio::fs::create_dir_all(&work).await.is_err() {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        );
    }
    let limits = shared.settings.limits;
    let job = async {
        match file_kind {
            Kind::Image => {
                let (psm, prep) = (engine::psm_for(&kind), engine::Preprocess::for_kind(&kind));
                engine::image_text_with(&bytes, limits, psm, &work, prep).await
            }
            Kind::Pdf => engine::pdf_text(&bytes, limits, &work).await,
        }
    };
    let result = tokio::time::timeout(shared.settings.timeout, job).await;
    drop(permit);
    match result {
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "reading the file took too long",
        ),
        Ok(Err(EngineError::TooLarge(message))) => {
            error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", &message)
        }
        Ok(Err(EngineError::Unreadable)) => error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the file could not be read",
        ),
        Ok(Err(EngineError::Engine(detail))) => {
            eprintln!("ocr engine failure: {detail}");
            error(
                StatusCode::BAD_GATEWAY,
                "bad_gateway",
                "the OCR engine failed",
            )
        }
        Ok(Ok(recognised)) => {
            let found = extract(&recognised.text);
            let value = |v: Option<Value>| v.unwrap_or(Value::Null);
            let fields = json!({
                "vin": value(found.vin.as_ref().map(|f| json!(f.value))),
                "date": value(found.date.as_ref().map(|f| json!(f.value.to_string()))),
                "totalCost": value(found.total_cost.as_ref().map(|f| json!(f.value))),
                "fuelUnits": value(found.fuel_units.as_ref().map(|f| json!(f.value))),
                "costPerUnit": value(found.cost_per_unit.as_ref().map(|f| json!(f.value))),
                "odometerReading": value(found.odometer_reading.as_ref().map(|f| json!(f.value))),
                "stationName": value(found.station_name.as_ref().map(|f| json!(f.value))),
            });
            Json(json!({
                "text": recognised.text,
                "confidence": (recognised.confidence * 10.0).round() / 10.0,
                "fields": fields,
                "spans": found,
            }))
            .into_response()
        }
    }
}
