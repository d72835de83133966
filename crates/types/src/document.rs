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

/// `POST /api/ocr/extract`: the text read, its mean word confidence (0–100), the fields found in it
/// (null when not found), each found field's own confidence, and the amount the service worked out
/// from the other two (`corrected`). The SPA reads it into forms; nothing is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OcrExtract {
    pub text: String,
    pub confidence: f64,
    pub fields: OcrFields,
    /// By field name (`totalCost`, `vin`, …): the mean confidence of the words it was read from;
    /// 100 for a VIN from a barcode.
    #[serde(default)]
    pub field_confidence: std::collections::BTreeMap<String, f64>,
    /// Fields put right by the money check (one digit misread; see the OCR service's README).
    #[serde(default)]
    pub corrected: Vec<String>,
}

/// The fields a scan found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OcrFields {
    #[serde(default)]
    pub vin: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub total_cost: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub fuel_units: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub cost_per_unit: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub odometer_reading: Option<i64>,
    #[serde(default)]
    pub station_name: Option<String>,
    /// Volume × price = total within a cent: true; false when they disagree and no single misread
    /// digit explains it (the user should check); null when not all three were read.
    #[serde(default)]
    pub consistent: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_reads_as_the_ocr_service_writes_it() {
        // Decimals come as strings (rust_decimal's serde form), missing fields as null.
        let json = r#"{"text":"SHELL\nTOTAL 35.02","confidence":87.5,"spans":{},
            "fields":{"vin":null,"date":"2026-03-01","totalCost":"35.02","fuelUnits":"9.871",
                      "costPerUnit":"3.548","odometerReading":null,"stationName":"SHELL"}}"#;
        let scan: OcrExtract = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            scan.fields.total_cost.map(|d| d.to_string()),
            Some("35.02".into())
        );
        assert_eq!(
            scan.fields.fuel_units.map(|d| d.to_string()),
            Some("9.871".into())
        );
        assert_eq!(
            scan.fields.date.map(|d| d.to_string()),
            Some("2026-03-01".into())
        );
        assert_eq!(scan.fields.odometer_reading, None);
        assert_eq!(scan.confidence, 87.5);
        // Per-field confidences, corrections and the money check, when the service sends them.
        let json = r#"{"text":"TOTAL 68.89","confidence":80,"fieldConfidence":{"totalCost":71.5},
            "corrected":["totalCost"],"fields":{"totalCost":"60.89","consistent":true}}"#;
        let scan: OcrExtract = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scan.field_confidence.get("totalCost"), Some(&71.5));
        assert_eq!(scan.corrected, ["totalCost"]);
        assert_eq!(scan.fields.consistent, Some(true));
    }
}
