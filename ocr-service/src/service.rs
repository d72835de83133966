//! The HTTP side: `POST /extract?kind=fuel_receipt|maintenance_receipt|vin|document` (multipart
//! `file`, optional `today=YYYY-MM-DD`) → `{text, confidence, fields, fieldConfidence, corrected,
//! barcodes, spans}`; `GET /health`. At most `concurrency` files are read
//! at once — beyond that a 503 with `Retry-After` — and each within `timeout`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;

use crate::barcode;
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
    /// The user's date (YYYY-MM-DD, in their time zone): no receipt is dated after the day after.
    /// Today in UTC when not given.
    today: Option<String>,
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
    let today = match query
        .today
        .as_deref()
        .map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
    {
        None => chrono::Utc::now().date_naive(),
        Some(Ok(date)) => date,
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "validation_failed",
                "today must be a date, YYYY-MM-DD",
            );
        }
    };
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
            Kind::Pdf => engine::pdf_text(&bytes, limits, &work)
                .await
                .map(|recognised| engine::ImageReading {
                    recognised,
                    barcodes: Vec::new(),
                }),
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
        Ok(Ok(reading)) => Json(answer(&reading, today)).into_response(),
    }
}

/// The response body for what was read: the text, its confidence, the fields with a confidence
/// each, what the money check found and corrected, the barcodes, and each field's span in the text.
pub fn answer(reading: &engine::ImageReading, today: NaiveDate) -> Value {
    let recognised = &reading.recognised;
    let mut found = extract(&recognised.text, today);
    let barcode_vin = barcode::vin_in(&reading.barcodes);
    let mut confidence: Map<String, Value> = Map::new();
    let mut rate = |name: &str, span: Option<(usize, usize)>| {
        if let Some((start, end)) = span {
            let c = recognised.confidence_of(start, end);
            confidence.insert(name.to_owned(), json!((c * 10.0).round() / 10.0));
        }
    };
    rate("vin", found.vin.as_ref().map(|f| (f.start, f.end)));
    rate("date", found.date.as_ref().map(|f| (f.start, f.end)));
    rate(
        "totalCost",
        found.total_cost.as_ref().map(|f| (f.start, f.end)),
    );
    rate(
        "fuelUnits",
        found.fuel_units.as_ref().map(|f| (f.start, f.end)),
    );
    rate(
        "costPerUnit",
        found.cost_per_unit.as_ref().map(|f| (f.start, f.end)),
    );
    rate(
        "odometerReading",
        found.odometer_reading.as_ref().map(|f| (f.start, f.end)),
    );
    rate(
        "stationName",
        found.station_name.as_ref().map(|f| (f.start, f.end)),
    );
    // A corrected amount is only as sure as the two it was worked out from.
    if let Some(field) = found.corrected {
        let others: Vec<f64> = ["totalCost", "fuelUnits", "costPerUnit"]
            .iter()
            .filter(|f| **f != field)
            .filter_map(|f| confidence.get(*f).and_then(Value::as_f64))
            .collect();
        if let Some(least) = others.into_iter().reduce(f64::min) {
            confidence.insert(field.to_owned(), json!(least));
        }
    }
    let vin = match barcode_vin {
        // The barcode is exact; the text's span applies only when the text says the same.
        Some(vin) => {
            if found.vin.as_ref().is_none_or(|f| f.value != vin.as_str()) {
                found.vin = None;
            }
            confidence.insert("vin".to_owned(), json!(100.0));
            Some(String::from(vin))
        }
        None => found.vin.as_ref().map(|f| f.value.clone()),
    };
    let value = |v: Option<Value>| v.unwrap_or(Value::Null);
    let fields = json!({
        "vin": value(vin.map(|v| json!(v))),
        "date": value(found.date.as_ref().map(|f| json!(f.value.to_string()))),
        "totalCost": value(found.total_cost.as_ref().map(|f| json!(f.value))),
        "fuelUnits": value(found.fuel_units.as_ref().map(|f| json!(f.value))),
        "costPerUnit": value(found.cost_per_unit.as_ref().map(|f| json!(f.value))),
        "odometerReading": value(found.odometer_reading.as_ref().map(|f| json!(f.value))),
        "stationName": value(found.station_name.as_ref().map(|f| json!(f.value))),
        "consistent": value(found.consistent.map(|c| json!(c))),
    });
    json!({
        "text": recognised.text,
        "confidence": (recognised.confidence * 10.0).round() / 10.0,
        "fields": fields,
        "fieldConfidence": confidence,
        "corrected": found.corrected.map_or_else(Vec::new, |f| vec![f]),
        "barcodes": reading.barcodes,
        "spans": found,
    })
}
