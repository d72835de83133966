//! `AppJson<T>`: JSON in and out with API.md's error body on every rejection — malformed JSON is a
//! 400 `bad_request`, a wrong type or unknown field a 400 `validation_failed` naming the field, a
//! missing `Content-Type` a 415, an oversized body a 413.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(AppError::UnsupportedMediaType(
                "expected a JSON body (Content-Type: application/json)".to_owned(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge("the request body is too large".to_owned())
            } else {
                AppError::BadRequest("could not read the request body".to_owned())
            }
        })?;
        parse_json(&bytes).map(AppJson)
    }
}

/// Parses JSON with the path of the offending field in the error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => {
            de.end().map_err(|e| {
                AppError::BadRequest(format!(
                    "malformed JSON: trailing characters at line {} column {}",
                    e.line(),
                    e.column()
                ))
            })?;
            Ok(value)
        }
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            use serde_json::error::Category;
            match inner.classify() {
                Category::Syntax | Category::Eof | Category::Io => {
                    Err(AppError::BadRequest(format!(
                        "malformed JSON at line {} column {}",
                        inner.line(),
                        inner.column()
                    )))
                }
                Category::Data => {
                    let field = if path == "." { String::new() } else { path };
                    // serde's message without its " at line … column …" suffix.
                    let text = inner.to_string();
                    let message = text
                        .rsplit_once(" at line ")
                        .map_or(text.as_str(), |(m, _)| m)
                        .to_owned();
                    Err(AppError::validation(field, message))
                }
            }
        }
    }
}

/// An id from the path. A malformed one cannot name anything the user owns, so it is the same 404
/// as an unknown id (`what` names the kind of object in the message).
pub fn path_id<T: From<uuid::Uuid>>(raw: &str, what: &'static str) -> Result<T, AppError> {
    uuid::Uuid::parse_str(raw)
        .map(T::from)
        .map_err(|_| AppError::NotFound(what))
}

/// The multipart field `name` read into memory, at most `limit` bytes (past it, or past the route's
/// body limit: `too_large()`); `None` when the body has no such field. For small uploads (a photo,
/// a CSV); large ones are streamed to a staging file instead.
pub async fn field_bytes(
    mut multipart: axum::extract::Multipart,
    name: &str,
    limit: usize,
    too_large: impl Fn() -> AppError,
) -> Result<Option<Vec<u8>>, AppError> {
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, &too_large))?
    {
        if field.name() != Some(name) {
            continue;
        }
        let mut bytes = Vec::new();
        let mut size = 0;
        while let Some(chunk) = next_chunk(&mut field, &mut size, limit as u64, &too_large).await? {
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Some(bytes));
    }
    Ok(None)
}

/// The next chunk of an uploaded multipart field, its length added to `size`: more than `limit`
/// bytes in all (or past the route's body limit) → `too_large()`, a broken body → 400. Every
/// upload loop reads through this, so the limit is checked the same way everywhere.
pub async fn next_chunk(
    field: &mut axum::extract::multipart::Field<'_>,
    size: &mut u64,
    limit: u64,
    too_large: impl Fn() -> AppError,
) -> Result<Option<Bytes>, AppError> {
    let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| multipart_error(&e, &too_large))?
    else {
        return Ok(None);
    };
    *size += chunk.len() as u64;
    if *size > limit {
        return Err(too_large());
    }
    Ok(Some(chunk))
}

/// A failed multipart read, as the client's problem: past the route's body limit → 413 with
/// `too_large`'s message, anything else (a malformed or cut-off body) → 400.
pub fn multipart_error(
    err: &axum::extract::multipart::MultipartError,
    too_large: impl FnOnce() -> AppError,
) -> AppError {
    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        AppError::BadRequest(
            "the upload was interrupted or is not a valid multipart body".to_owned(),
        )
    }
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        odometer_reading: u32,
        make: String,
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        match parse_json::<Body>(br#"{"odometerReading": "lots", "make": "Honda"}"#) {
            Err(AppError::Validation { details, .. }) => {
                assert_eq!(details[0].field, "odometerReading");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_field_is_rejected() {
        match parse_json::<Body>(br#"{"odometerReading": 1, "make": "Honda", "colour": "red"}"#) {
            Err(AppError::Validation { message, .. }) => assert!(message.contains("colour")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Body>(br#"{"odometerReading": 1,"#),
            Err(AppError::BadRequest(_))
        ));
    }
}
