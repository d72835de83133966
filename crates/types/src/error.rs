//! The one error body every `/api` response uses (API.md "Conventions"):
//! `{"error": {"code": "validation_failed", "message": "…", "details": [{"field": "vin", "message": "…"}]}}`.

use serde::{Deserialize, Serialize};

/// Machine-readable error codes, one per row of API.md's status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    BadGateway,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is always sent with.
    pub fn status(self) -> u16 {
        match self {
            Self::ValidationFailed | Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::BadGateway => 502,
            Self::Unavailable => 503,
        }
    }

    /// The code used for a bare status when nothing more specific is known.
    pub fn for_status(status: u16) -> Self {
        match status {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            409 => Self::Conflict,
            413 => Self::PayloadTooLarge,
            415 => Self::UnsupportedMediaType,
            429 => Self::RateLimited,
            502 => Self::BadGateway,
            503 | 504 => Self::Unavailable,
            400..=499 => Self::BadRequest,
            _ => Self::Internal,
        }
    }
}

/// One field-level problem inside `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A domain's answer to input that breaks its rules: every broken rule, each naming its field. The
/// capsules' parsers return it without knowing HTTP; `mvp-core` turns it into the 400 (API.md's
/// `validation_failed` with `details`) at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    /// One broken rule.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, message)])
    }

    /// `Ok(value)` when nothing was broken, else every rule that was.
    pub fn or<T>(details: Vec<FieldError>, value: T) -> Result<T, Self> {
        if details.is_empty() {
            Ok(value)
        } else {
            Err(Self(details))
        }
    }

    /// The fields named, in order (for tests and logs).
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|d| d.field.as_str()).collect()
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

/// The top-level error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                details: Vec::new(),
            },
        }
    }

    pub fn with_details(mut self, details: Vec<FieldError>) -> Self {
        self.error.details = details;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_serialises_exactly_as_api_md_shows() {
        let body = ErrorBody::new(ErrorCode::ValidationFailed, "invalid vehicle")
            .with_details(vec![FieldError::new("vin", "check digit does not match")]);
        let json = serde_json::to_value(&body).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "validation_failed", "message": "invalid vehicle",
                "details": [{"field": "vin", "message": "check digit does not match"}]}})
        );
    }

    #[test]
    fn every_code_round_trips_through_its_status() {
        for code in [
            ErrorCode::Unauthorized,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::Conflict,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::RateLimited,
            ErrorCode::Unavailable,
            ErrorCode::Internal,
        ] {
            assert_eq!(ErrorCode::for_status(code.status()), code);
        }
    }
}
