//! Parameters, multipart parts, file responses and cross-field rules.

use mvp_types::limits as l;
use serde_json::{Value, json};

use super::rule::{LINE, LINE_NOT_BLANK, TEXT, VIN};

/// Query and path parameters, by name (each name means the same thing wherever it appears).
pub(super) fn parameter_rules() -> Vec<(&'static str, Value)> {
    let date_or_time = json!({"anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"}
    ]});
    vec![
        (
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": l::PAGE_MAX_LIMIT,
                   "default": l::PAGE_DEFAULT_LIMIT}),
        ),
        (
            "offset",
            json!({"type": "integer", "minimum": 0, "maximum": i64::MAX, "default": 0}),
        ),
        (
            "expiringWithinDays",
            json!({"type": "integer", "minimum": 0, "maximum": l::EXPIRING_WITHIN_DAYS_MAX}),
        ),
        ("vehicleId", json!({"type": "string", "format": "uuid"})),
        (
            "year",
            json!({"type": "integer", "minimum": 1, "maximum": i16::MAX}),
        ),
        (
            "/api/admin/catalog/:kind",
            json!({"type": "string", "enum": mvp_types::admin::CatalogKind::ALL
                .iter().map(|k| k.plural()).collect::<Vec<_>>()}),
        ),
        (
            "kind",
            json!({"type": "string", "enum": mvp_documents::ocr::KINDS, "default": "document"}),
        ),
        (
            "userId",
            json!({"type": "string", "minLength": 1, "maxLength": l::ADMIN_USER_ID_MAX,
                   "pattern": LINE_NOT_BLANK}),
        ),
        (
            "/api/admin/users:query",
            json!({"type": "string", "maxLength": l::ADMIN_QUERY_MAX, "pattern": LINE}),
        ),
        (
            "/api/admin/catalog/options:make",
            json!({"type": "string", "maxLength": l::CATALOG_NAME_MAX, "pattern": LINE}),
        ),
        (
            "/api/admin/catalog/options:model",
            json!({"type": "string", "maxLength": l::CATALOG_NAME_MAX, "pattern": LINE}),
        ),
        (
            "action",
            json!({"type": "string", "maxLength": l::AUDIT_FILTER_MAX, "pattern": LINE}),
        ),
        (
            "actor",
            json!({"type": "string", "maxLength": l::AUDIT_FILTER_MAX, "pattern": LINE}),
        ),
        (
            "targetType",
            json!({"type": "string", "maxLength": l::AUDIT_FILTER_MAX, "pattern": LINE}),
        ),
        ("since", json!({"type": "string", "format": "date-time"})),
        ("until", json!({"type": "string", "format": "date-time"})),
        (
            "dryRun",
            json!({"type": "string", "enum": ["true", "false"]}),
        ),
        (
            "/api/admin/stations/community:status",
            json!({"type": "string", "enum": ["pending"]}),
        ),
        ("size", json!({"type": "string", "enum": ["thumb"]})),
        ("vin", json!({"type": "string", "pattern": VIN})),
        (
            "unread",
            json!({"type": "string", "enum": ["true", "false"]}),
        ),
        (
            "/api/maintenance/:key",
            json!({"type": "string", "enum": mvp_maintenance::domain::TEMPLATES
                .iter().map(|t| t.key).collect::<Vec<_>>()}),
        ),
        (
            "latitude",
            json!({"type": "number", "minimum": -90, "maximum": 90}),
        ),
        (
            "longitude",
            json!({"type": "number", "minimum": -180, "maximum": 180}),
        ),
        (
            "radius",
            json!({"type": "number", "exclusiveMinimum": 0, "maximum": l::STATION_RADIUS_MAX,
                   "default": l::STATION_RADIUS_DEFAULT}),
        ),
        (
            "query",
            json!({"type": "string", "maxLength": l::STATION_QUERY_MAX, "pattern": LINE}),
        ),
        (
            "placeId",
            json!({"type": "string", "minLength": 1, "maxLength": l::STATION_ID_MAX, "pattern": LINE}),
        ),
        ("from", date_or_time.clone()),
        ("to", date_or_time),
    ]
}

/// Multipart bodies, by `(method, path)`: their parts, as the upload parsers read them.
pub(super) fn multipart_rules() -> Vec<(&'static str, &'static str, Value)> {
    let photo = json!({"type": "string", "format": "binary",
        "description": "JPEG, PNG or WebP, judged by its bytes; at most `storage.image_max_bytes`."});
    let file = json!({"type": "string", "format": "binary",
        "description": "PDF, JPEG, PNG, WebP or HEIC, judged by its bytes; at most `documents.max_bytes`."});
    let date = json!({"type": "string", "format": "date"});
    vec![
        (
            "put",
            "/api/vehicles/{id}/image",
            json!({"type": "object", "required": ["image"], "properties": {"image": photo}}),
        ),
        (
            "post",
            "/api/documents",
            json!({"type": "object", "additionalProperties": false,
            "required": ["file", "vehicleId", "documentType"],
            "properties": {
                "file": file,
                "vehicleId": {"type": "string", "format": "uuid"},
                "documentType": {"type": "string", "enum": mvp_types::document::DOCUMENT_TYPES},
                "title": {"type": "string", "maxLength": l::DOCUMENT_TITLE_MAX, "pattern": LINE},
                "notes": {"type": "string", "maxLength": l::NOTES_MAX, "pattern": TEXT},
                "issuedDate": date,
                "expirationDate": date
            }}),
        ),
        (
            "post",
            "/api/admin/backups/upload",
            json!({"type": "object", "additionalProperties": false, "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                "description": "A MotoVaultPro backup archive (.tar.gz); at most `backup.max_upload_bytes`."}}}),
        ),
        (
            "post",
            "/api/ocr/extract",
            json!({"type": "object", "required": ["file"], "properties": {"file": {
                "type": "string", "format": "binary",
                "description": "A photo (JPEG, PNG, WebP) or a PDF, judged by its bytes; at most 25 MiB."}}}),
        ),
    ]
}

/// Query parameters an operation needs (the catalog cascade: each level needs the ones above).
pub(super) fn required_parameters() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("/api/admin/catalog/options", &["year"]),
        ("/api/platform/makes", &["year"]),
        ("/api/platform/models", &["year", "make"]),
        ("/api/platform/trims", &["year", "make", "model"]),
        ("/api/platform/engines", &["year", "make", "model"]),
        ("/api/platform/transmissions", &["year", "make", "model"]),
    ]
}

/// Responses whose body is a stored file, by `(path, status)`: the types they can be.
pub(super) fn file_responses() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    const DOCUMENT: &[&str] = &[
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
    ];
    const PHOTO: &[&str] = &["image/jpeg", "image/png", "image/webp"];
    vec![
        ("/api/documents/{id}/download", "200", DOCUMENT),
        ("/api/documents/{id}/download", "206", DOCUMENT),
        ("/api/vehicles/{id}/image", "200", PHOTO),
    ]
}

/// Cross-field rules: "at least one of", and the subtypes each maintenance category allows.
pub(super) fn object_rules() -> Vec<(&'static str, Value)> {
    let at_least_one = |fields: &[&str]| {
        json!({"anyOf": fields.iter().map(|f| json!({
            "required": [f], "properties": {*f: {"not": {"type": "null"}}}
        })).collect::<Vec<_>>()})
    };
    let categories: Vec<Value> = mvp_maintenance::domain::CATEGORIES
        .iter()
        .map(|(category, subtypes)| {
            json!({"properties": {
                "category": {"const": category},
                "subtypes": {"type": "array", "minItems": 1, "uniqueItems": true,
                             "items": {"type": "string", "enum": subtypes}}
            }})
        })
        .collect();
    let by_category = json!({"anyOf": categories});
    vec![
        (
            "FuelLogInput",
            json!({"allOf": [
                at_least_one(&["odometerReading", "tripDistance"]),
                at_least_one(&["costPerUnit", "totalCost"])
            ]}),
        ),
        ("RecordInput", by_category.clone()),
        (
            "ScheduleInput",
            json!({"allOf": [by_category, at_least_one(&["intervalMonths", "intervalDistance"])]}),
        ),
    ]
}
