//! `POST /api/ocr/extract?kind=fuel_receipt|maintenance_receipt|vin|document` (multipart `file`).

use std::time::Duration;

use axum::Json;
use axum::extract::{Multipart, Query, State};
use mvp_core::extract::multipart_error;
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use serde::Deserialize;
use serde_json::Value;

const KINDS: &[&str] = &["fuel_receipt", "maintenance_receipt", "vin", "document"];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExtractQuery {
    /// fuel_receipt, maintenance_receipt, vin or document.
    pub kind: Option<String>,
}

async fn read_file(mut multipart: Multipart) -> AppResult<(Vec<u8>, String)> {
    let too_large = || AppError::PayloadTooLarge("the file is larger than 25 MiB".to_owned());
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|e| multipart_error(&e, too_large))?;
        let Some(field) = field else {
            return Err(AppError::validation(
                "file",
                "send the file in a multipart field named \"file\"",
            ));
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| multipart_error(&e, too_large))?;
        return Ok((bytes.to_vec(), name));
    }
}

/// Reads text and fields from a receipt, VIN plate or document (nothing is stored).
#[utoipa::path(post, path = "/api/ocr/extract", tag = "documents", security(("bearer" = [])),
    params(ExtractQuery),
    request_body(content_type = "multipart/form-data", description = "field `file`: PDF, JPEG, PNG or WebP"),
    responses((status = 200, description = "`{text, confidence, fields, spans}`", body = Object),
              (status = 400, body = mvp_types::ErrorBody), (status = 413, body = mvp_types::ErrorBody),
              (status = 415, body = mvp_types::ErrorBody), (status = 502, body = mvp_types::ErrorBody),
              (status = 503, description = "The OCR service is down or busy", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn extract(
    State(state): State<AppState>,
    _user: AuthUser,
    Query(query): Query<ExtractQuery>,
    multipart: Multipart,
) -> AppResult<Json<Value>> {
    let kind = query.kind.unwrap_or_else(|| "document".to_owned());
    if !KINDS.contains(&kind.as_str()) {
        return Err(AppError::validation(
            "kind",
            format!("must be one of {}", KINDS.join(", ")),
        ));
    }
    let (bytes, name) = read_file(multipart).await?;
    let url = format!("{}/extract", state.config.ocr.url.trim_end_matches('/'));
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name),
    );
    let response = state
        .http
        .post(&url)
        .query(&[("kind", kind.as_str())])
        .multipart(form)
        .timeout(Duration::from_secs(state.config.ocr.timeout_secs))
        .send()
        .await
        .map_err(|err| AppError::Unavailable {
            message: "the text-extraction service is not answering; try again shortly".to_owned(),
            source: Some(anyhow::Error::new(err).context("OCR request failed")),
        })?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or("the file could not be read")
        .to_owned();
    match status.as_u16() {
        200 => Ok(Json(body)),
        413 => Err(AppError::PayloadTooLarge(message)),
        415 => Err(AppError::UnsupportedMediaType(message)),
        400 => Err(AppError::BadRequest(message)),
        503 => Err(AppError::unavailable(
            "the text-extraction service is busy; try again shortly",
        )),
        _ => Err(AppError::BadGateway(
            "the text-extraction service failed".to_owned(),
        )),
    }
}
