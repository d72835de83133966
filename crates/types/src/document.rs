//! Bodies of `/api/documents*` (API.md "Documents and OCR").

use crate::ids::{DocumentId, VehicleId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of document, as sent and stored.
pub const DOCUMENT_TYPES: &[&str] = &[
    "insurance",
    "registration",
    "receipt",
    "title",
    "inspection",
    "manual",
    "other",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub id: DocumentId,
    pub vehicle_id: VehicleId,
    /// insurance, registration, receipt, title, inspection, manual or other.
    pub document_type: String,
    pub title: String,
    /// The name the file was uploaded with, cleaned (no path, no control characters).
    pub file_name: String,
    /// Judged from the bytes at upload.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub issued_date: Option<NaiveDate>,
    pub expiration_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::input_struct! {
    /// `PUT /api/documents/{id}`: the representation `GET` returns. The file's own facts (name, type,
    /// size, hash) and the timestamps are read-only and ignored; a missing `vehicleId` keeps the vehicle.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct DocumentInput {
        echo: [id, file_name, content_type, size_bytes, sha256, created_at, updated_at],
        #[serde(default)]
        pub vehicle_id: Option<VehicleId>,
        pub document_type: Option<String>,
        pub title: Option<String>,
        #[serde(default)]
        pub issued_date: Option<NaiveDate>,
        #[serde(default)]
        pub expiration_date: Option<NaiveDate>,
        #[serde(default)]
        pub notes: Option<String>,
    }
}
