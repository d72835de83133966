//! `POST /api/ocr/extract?kind=fuel_receipt|maintenance_receipt|vin|document` (multipart `file`).
//! The file is streamed to the OCR service as it arrives — never held whole — and at most
//! `limits.ocr_requests` are forwarded at once, counted from before the body is read.

use std::time::Duration;

use axum::Json;
use axum::extract::{Multipart, Query, State};
use bytes::Bytes;
use mvp_core::extract::multipart_error;
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// The largest file forwarded (the OCR service's own limit).
const MAX_BYTES: usize = 25 * 1024 * 1024;

pub const KINDS: &[&str] = &["fuel_receipt", "maintenance_receipt", "vin", "document"];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtractQuery {
    /// fuel_receipt, maintenance_receipt, vin or document.
    pub kind: Option<String>,
}

/// Finds the field `file`, reports its name on `named`, then sends its chunks to `chunks` until it
/// ends or passes [`MAX_BYTES`]. Returns how the reading ended: a too-large or broken body is the
/// client's error and wins over whatever the cut-off upstream request says.
async fn pump(
    mut multipart: Multipart,
    named: oneshot::Sender<AppResult<String>>,
    chunks: mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> AppResult<()> {
    let too_large = || AppError::PayloadTooLarge("the file is larger than 25 MiB".to_owned());
    let mut field = loop {
        let next = multipart
            .next_field()
            .await
            .map_err(|e| multipart_error(&e, too_large));
        match next {
            Ok(Some(field)) if field.name() == Some("file") => break field,
            Ok(Some(_)) => continue,
            Ok(None) => {
                let _ = named.send(Err(AppError::validation(
                    "file",
                    "send the file in a multipart field named \"file\"",
                )));
                return Ok(());
            }
            Err(err) => {
                let _ = named.send(Err(err));
                return Ok(());
            }
        }
    };
    let _ = named.send(Ok(field.file_name().unwrap_or("upload").to_owned()));
    let mut sent = 0usize;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(()),
            Err(err) => {
                let _ = chunks
                    .send(Err(std::io::Error::other("upload broken")))
                    .await;
                return Err(multipart_error(&err, too_large));
            }
        };
        sent += chunk.len();
        if sent > MAX_BYTES {
            let _ = chunks.send(Err(std::io::Error::other("too large"))).await;
            return Err(too_large());
        }
        if chunks.send(Ok(chunk)).await.is_err() {
            // The upstream request ended (the service answered or went away); stop reading.
            return Ok(());
        }
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
    user: AuthUser,
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
    // The user's date bounds the receipt's (none is dated after tomorrow where they live).
    let prefs = mvp_user_preferences::get(&state, &user.user_id).await?;
    let zone: chrono_tz::Tz = prefs.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = chrono::Utc::now()
        .with_timezone(&zone)
        .date_naive()
        .to_string();
    // A turn before a byte of the body is read: past the bound, 503 at once.
    let _turn = state.work.ocr.turn().await?;
    let (named_tx, named) = oneshot::channel();
    let (chunks_tx, chunks) = mpsc::channel(4);
    let reader = tokio::spawn(pump(multipart, named_tx, chunks_tx));
    let name = named
        .await
        .map_err(|_| anyhow::anyhow!("the upload reader ended early"))??;
    let stream = futures_util::stream::unfold(chunks, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (chunk, chunks))
    });
    let body = reqwest::Body::wrap_stream(stream);
    let url = format!("{}/extract", state.config.ocr.url.trim_end_matches('/'));
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::stream(body).file_name(name),
    );
    let sent = state
        .http
        .post(&url)
        .query(&[("kind", kind.as_str()), ("today", today.as_str())])
        .multipart(form)
        .timeout(Duration::from_secs(state.config.ocr.timeout_secs))
        .send()
        .await;
    // How the upload ended decides first: a file over the limit is a 413 whatever the cut-off
    // request to the service said.
    reader.await.map_err(anyhow::Error::from)??;
    let response = sent.map_err(|err| AppError::Unavailable {
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
