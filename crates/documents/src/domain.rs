//! The rules of a document: its metadata (type, title, dates, notes, vehicle), the user's file name
//! cleaned into harmless metadata, the `Content-Disposition` it is downloaded with, and `Range`.

pub use mvp_types::file_name::{MAX_FILE_NAME, clean_file_name, content_disposition};
use std::collections::HashMap;
use std::ops::Range;

use chrono::NaiveDate;
use mvp_core::validate::{optional_text, single_line_text};
use mvp_types::FieldError;
use mvp_types::Invalid;
use mvp_types::document::{DOCUMENT_TYPES, DocumentInput};
use mvp_types::ids::VehicleId;
use mvp_types::limits::{DOCUMENT_TITLE_MAX, NOTES_MAX};
use uuid::Uuid;

/// Validated metadata of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFields {
    pub vehicle_id: VehicleId,
    pub document_type: String,
    pub title: String,
    pub issued_date: Option<NaiveDate>,
    pub expiration_date: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// Metadata before validation, whatever it came from (multipart text fields or a JSON body).
#[derive(Debug, Default)]
struct Draft {
    vehicle_id: Option<VehicleId>,
    document_type: Option<String>,
    title: Option<String>,
    issued_date: Option<NaiveDate>,
    expiration_date: Option<NaiveDate>,
    notes: Option<String>,
}

/// The multipart text fields an upload may carry beside `file`.
pub const UPLOAD_FIELDS: &[&str] = &[
    "vehicleId",
    "documentType",
    "title",
    "notes",
    "issuedDate",
    "expirationDate",
];

/// Metadata of an upload from its text fields; the title defaults to the file name without its
/// extension.
pub fn upload_fields(
    mut text: HashMap<String, String>,
    file_name: &str,
) -> Result<DocumentFields, Invalid> {
    let mut details = Vec::new();
    let mut take = |name: &str| {
        text.remove(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let vehicle_id = take("vehicleId");
    let document_type = take("documentType");
    let title = take("title");
    let notes = take("notes");
    let issued = take("issuedDate");
    let expiration = take("expirationDate");
    let mut draft = Draft {
        vehicle_id: vehicle_id.and_then(|raw| match Uuid::parse_str(&raw) {
            Ok(id) => Some(VehicleId(id)),
            Err(_) => {
                details.push(FieldError::new(
                    "vehicleId",
                    "must be a vehicle id (a UUID)",
                ));
                None
            }
        }),
        document_type,
        title,
        issued_date: date(&mut details, "issuedDate", issued),
        expiration_date: date(&mut details, "expirationDate", expiration),
        notes,
    };
    if draft.title.is_none() {
        let stem = match file_name.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => file_name,
        };
        draft.title = Some(stem.chars().take(DOCUMENT_TITLE_MAX).collect());
    }
    validate(details, draft)
}

/// Metadata of a `PUT`; a missing `vehicleId` keeps `current_vehicle`.
pub fn update_fields(
    input: DocumentInput,
    current_vehicle: VehicleId,
) -> Result<DocumentFields, Invalid> {
    let draft = Draft {
        vehicle_id: Some(input.vehicle_id.unwrap_or(current_vehicle)),
        document_type: input.document_type,
        title: input.title,
        issued_date: input.issued_date,
        expiration_date: input.expiration_date,
        notes: input.notes,
    };
    validate(Vec::new(), draft)
}

fn date(details: &mut Vec<FieldError>, field: &str, raw: Option<String>) -> Option<NaiveDate> {
    let raw = raw?;
    match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            details.push(FieldError::new(field, "must be a date like 2026-03-01"));
            None
        }
    }
}

fn validate(mut details: Vec<FieldError>, draft: Draft) -> Result<DocumentFields, Invalid> {
    if draft.vehicle_id.is_none() && !details.iter().any(|d| d.field == "vehicleId") {
        details.push(FieldError::new("vehicleId", "vehicleId is required"));
    }
    let document_type = draft.document_type.map(|t| t.trim().to_owned());
    match document_type.as_deref() {
        None | Some("") => details.push(FieldError::new(
            "documentType",
            format!("documentType is required: {}", DOCUMENT_TYPES.join(", ")),
        )),
        Some(t) if !DOCUMENT_TYPES.contains(&t) => details.push(FieldError::new(
            "documentType",
            format!("must be one of {}", DOCUMENT_TYPES.join(", ")),
        )),
        Some(_) => {}
    }
    let title = single_line_text(&mut details, "title", draft.title, DOCUMENT_TITLE_MAX);
    if title.is_none() {
        details.push(FieldError::new("title", "title is required"));
    }
    let notes = optional_text(&mut details, "notes", draft.notes, NOTES_MAX);
    if let (Some(issued), Some(expires)) = (draft.issued_date, draft.expiration_date)
        && expires < issued
    {
        details.push(FieldError::new(
            "expirationDate",
            "must not be before issuedDate",
        ));
    }
    match (draft.vehicle_id, document_type, title) {
        (Some(vehicle_id), Some(document_type), Some(title)) if details.is_empty() => {
            Ok(DocumentFields {
                vehicle_id,
                document_type,
                title,
                issued_date: draft.issued_date,
                expiration_date: draft.expiration_date,
                notes,
            })
        }
        _ => Err(Invalid(details)),
    }
}

/// What a `Range` header asks of an object of `size` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeRequest {
    /// No usable range (absent, malformed or several ranges): send everything.
    Full,
    Partial(Range<u64>),
    /// 416 with `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// One `bytes=` range (RFC 9110 §14.1.2). Several ranges are answered with the whole object, which the
/// RFC allows.
pub fn parse_range(header: &str, size: u64) -> RangeRequest {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeRequest::Full;
    };
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((start, end)) = spec.trim().split_once('-') else {
        return RangeRequest::Full;
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    match (start.trim().is_empty(), end.trim().is_empty()) {
        (true, false) => match number(end) {
            Some(0) => RangeRequest::Unsatisfiable,
            Some(_) if size == 0 => RangeRequest::Unsatisfiable,
            Some(n) => RangeRequest::Partial(size.saturating_sub(n)..size),
            None => RangeRequest::Full,
        },
        (false, true) => match number(start) {
            Some(a) if a < size => RangeRequest::Partial(a..size),
            Some(_) => RangeRequest::Unsatisfiable,
            None => RangeRequest::Full,
        },
        (false, false) => match (number(start), number(end)) {
            (Some(a), Some(b)) if a > b => RangeRequest::Full,
            (Some(a), Some(_)) if a >= size => RangeRequest::Unsatisfiable,
            (Some(a), Some(b)) => RangeRequest::Partial(a..(b + 1).min(size)),
            _ => RangeRequest::Full,
        },
        (true, true) => RangeRequest::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        use RangeRequest::*;
        assert_eq!(parse_range("bytes=0-99", 1000), Partial(0..100));
        assert_eq!(parse_range("bytes=900-", 1000), Partial(900..1000));
        assert_eq!(parse_range("bytes=-100", 1000), Partial(900..1000));
        assert_eq!(parse_range("bytes=-5000", 1000), Partial(0..1000));
        assert_eq!(parse_range("bytes=990-2000", 1000), Partial(990..1000));
        assert_eq!(parse_range("bytes=1000-", 1000), Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 1000), Unsatisfiable);
        assert_eq!(parse_range("bytes=5-1", 1000), Full);
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), Full);
        assert_eq!(parse_range("items=0-1", 1000), Full);
        assert_eq!(parse_range("bytes=x-1", 1000), Full);
    }

    #[test]
    fn metadata_is_checked_field_by_field() {
        let vehicle = Uuid::now_v7().to_string();
        let text = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<HashMap<_, _>>()
        };
        let ok = upload_fields(
            text(&[("vehicleId", &vehicle), ("documentType", "insurance")]),
            "policy 2026.pdf",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.title, "policy 2026");

        let Err(Invalid(details)) = upload_fields(
            text(&[
                ("vehicleId", "nope"),
                ("documentType", "passport"),
                ("issuedDate", "2026-05-01"),
                ("expirationDate", "2026-04-01"),
            ]),
            "x.pdf",
        ) else {
            panic!("expected a validation error")
        };
        let fields: Vec<&str> = details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["vehicleId", "documentType", "expirationDate"]);
    }
}
