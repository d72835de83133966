//! `AppError`: every failure a handler can return, mapped to API.md's status table and error body.
//! 4xx carry a message meant for the user; 5xx bodies are generic and the cause chain goes to the log,
//! once, inside the request span.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mvp_types::{ErrorBody, ErrorCode, FieldError};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A rule was broken; `details` names the fields.
    #[error("{message}")]
    Validation {
        message: String,
        details: Vec<FieldError>,
    },
    #[error("{0}")]
    BadRequest(String),
    /// The reason is for the log only; the client always sees the same message.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Wrong e-mail or password: one body for both, so accounts cannot be probed.
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// Unknown, deleted or another user's object — all look the same.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// An upstream service (OCR, Auth0, …) failed; the message is ours, not theirs.
    #[error("{0}")]
    BadGateway(String),
    /// A dependency is down (database, OCR service) or the request ran out of time.
    #[error("{message}")]
    Unavailable {
        message: String,
        #[source]
        source: Option<anyhow::Error>,
    },
    /// Too much of one kind of heavy work is queued (`mvp_core::work`): 503 with `Retry-After`.
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A domain's broken rules are a 400 naming each field.
impl From<mvp_types::Invalid> for AppError {
    fn from(invalid: mvp_types::Invalid) -> Self {
        Self::validation_many(invalid.0)
    }
}

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Validation {
            message: message.clone(),
            details: vec![FieldError::new(field, message)],
        }
    }

    pub fn validation_many(details: Vec<FieldError>) -> Self {
        let message = match details.as_slice() {
            [one] => one.message.clone(),
            _ => "the request has invalid fields".to_owned(),
        };
        Self::Validation { message, details }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable {
            message: message.into(),
            source: None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation { .. } => ErrorCode::ValidationFailed,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unauthorized(_) | Self::InvalidCredentials => ErrorCode::Unauthorized,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::BadGateway(_) => ErrorCode::BadGateway,
            Self::Unavailable { .. } | Self::Busy { .. } => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    fn public_body(&self) -> ErrorBody {
        let code = self.code();
        match self {
            Self::Validation { message, details } => {
                ErrorBody::new(code, message.clone()).with_details(details.clone())
            }
            Self::Unauthorized(_) => {
                ErrorBody::new(code, "missing, invalid or expired access token")
            }
            Self::Internal(_) => ErrorBody::new(code, "internal server error"),
            Self::Unavailable { message, .. } => ErrorBody::new(code, message.clone()),
            other => ErrorBody::new(code, other.to_string()),
        }
    }
}

/// The full cause chain, for the log.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let code = self.code();
        match &self {
            Self::Internal(err) => {
                tracing::error!(error = %format!("{err:#}"), "request failed");
            }
            Self::Unavailable { source, .. } => {
                let cause = source
                    .as_ref()
                    .map(|e| format!("{e:#}"))
                    .unwrap_or_default();
                tracing::warn!(error = %self, cause = %cause, "dependency unavailable");
            }
            Self::Unauthorized(reason) => tracing::info!(reason = %reason, "rejected token"),
            Self::BadGateway(message) => tracing::warn!(error = %message, "upstream failed"),
            _ => {}
        }
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self.public_body())).into_response();
        match &self {
            Self::RateLimited { retry_after_secs }
            | Self::Busy {
                retry_after_secs, ..
            } => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs.max(&1).to_owned()),
                );
            }
            Self::Unauthorized(_) => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

/// Postgres error codes that mean "the database is not reachable right now".
fn is_connection_failure(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// Postgres error codes for a transaction rolled back in favour of another: a deadlock, a
/// serialisation failure.
fn is_conflict(code: &str) -> bool {
    matches!(code, "40P01" | "40001")
}

/// Postgres error codes for a value that cannot be stored (out of range, untranslatable character).
fn is_bad_value(code: &str) -> bool {
    matches!(code, "22003" | "22007" | "22008" | "22021" | "22P05")
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => Self::NotFound("resource"),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => Self::Unavailable {
                message: "the database is unavailable; try again shortly".to_owned(),
                source: Some(err.into()),
            },
            sqlx::Error::Database(db) if db.code().is_some_and(|c| is_connection_failure(&c)) => {
                Self::Unavailable {
                    message: "the database is unavailable; try again shortly".to_owned(),
                    source: Some(err.into()),
                }
            }
            // Class 22 "data exception" from a value the client sent that every parser let through:
            // a NUL character in text, a date Postgres cannot hold (before 4713 BC), a number too
            // large for its column. The user's mistake, so a 400, never a 500.
            sqlx::Error::Database(db) if db.code().is_some_and(|c| is_bad_value(&c)) => {
                tracing::warn!(code = ?db.code(), "a value was refused by the database");
                Self::BadRequest(
                    "a value cannot be stored: text with a NUL character, a date out of range \
                     or a number too large"
                        .to_owned(),
                )
            }
            // A deadlock or serialisation failure: Postgres rolled this transaction back so another
            // could finish. Nothing was written; the same request succeeds when sent again.
            sqlx::Error::Database(db) if db.code().is_some_and(|c| is_conflict(&c)) => {
                tracing::warn!(code = ?db.code(), "transaction rolled back by a conflict");
                Self::Busy {
                    message: "another change to the same data was being saved; try again"
                        .to_owned(),
                    retry_after_secs: 1,
                }
            }
            _ => Self::Internal(anyhow::Error::new(err).context("database query failed")),
        }
    }
}

/// Maps a named constraint violation to a user-facing error (`on_constraint("vehicles_user_vin_key", …)`).
pub trait DbResultExt<T> {
    fn on_constraint(self, name: &str, map: impl FnOnce() -> AppError) -> AppResult<T>;
}

impl<T> DbResultExt<T> for Result<T, sqlx::Error> {
    fn on_constraint(self, name: &str, map: impl FnOnce() -> AppError) -> AppResult<T> {
        self.map_err(|err| match &err {
            sqlx::Error::Database(db) if db.constraint() == Some(name) => map(),
            _ => AppError::from(err),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_errors_never_show_their_text() {
        let err = AppError::Internal(anyhow::anyhow!("password=hunter2 at db.internal:5432"));
        let response = err.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("\"code\":\"internal\""), "{text}");
    }

    #[tokio::test]
    async fn rate_limited_sets_retry_after() {
        let response = AppError::RateLimited {
            retry_after_secs: 17,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("17")
        );
    }

    #[test]
    fn a_pool_timeout_is_unavailable_not_internal() {
        assert_eq!(
            AppError::from(sqlx::Error::PoolTimedOut).code(),
            ErrorCode::Unavailable
        );
    }
}
