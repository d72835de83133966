//! The input rules the capsules enforce, stated in the OpenAPI document: lengths, ranges, decimal
//! places, patterns, enums and required fields, each taken from the constant the parser checks
//! against (`mvp_types::limits`, the capsules' enum lists), so the document cannot promise what the
//! code refuses. Applied to the generated document as JSON (utoipa's attributes take only literals).
//!
//! Rules no schema can state — a date not after today, the VIN check digit, an odometer between the
//! neighbouring fill-ups, an id that must exist — are listed in docs/SECURITY.md and handled by the
//! API fuzzer's hooks (scripts/api-fuzz-hooks.py).

use mvp_types::limits as l;
use serde_json::{Map, Value, json};

/// Cc control characters, which the text parsers refuse (`mvp_core::validate`).
const LINE: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
/// A one-line value that is not blank (it is required).
const LINE_NOT_BLANK: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";
/// An e-mail address as `mvp_types::Email` takes it, in its plain ASCII form: a local part, one `@`,
/// and at least two dot-separated labels that neither start nor end with `-`.
const EMAIL: &str = r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$";
/// A VIN's 17 characters (the check digit in position 9 is checked too, which no pattern states).
const VIN: &str = r"^[0-9A-HJ-NPR-Za-hj-npr-z]{17}$";
/// Free text: line breaks and tabs allowed.
const TEXT: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

/// What one property must satisfy.
#[derive(Debug, Clone)]
enum Rule {
    /// Sent back from a `GET` and ignored: any value.
    ReadOnly,
    /// Must be present and not null.
    Required,
    /// Optional one-line text of at most n characters.
    Line(usize),
    /// Required one-line text of at most n characters, not blank.
    LineRequired(usize),
    /// Optional free text (line breaks allowed) of at most n characters.
    Text(usize),
    /// A whole number in `min..=max`.
    Int(i64, i64),
    /// A decimal `>= 0` (`> 0` when `positive`), below `below`, with at most `dp` places.
    Decimal { positive: bool, below: i64, dp: u32 },
    /// One of these strings.
    OneOf(Vec<&'static str>),
    /// An e-mail address (stated in its plain ASCII form; the server also takes non-ASCII ones).
    Email,
    /// Exactly `true` (and required).
    True,
    /// `true` or `false`.
    Bool,
    /// A VIN (17 characters without I, O or Q).
    Vin,
    /// Any text of `min..=max` characters.
    Chars(usize, usize),
    /// An array of at most n items (each with its own rule).
    Items(usize, Box<Rule>),
}

fn decimal(below: i64, dp: u32) -> Rule {
    Rule::Decimal {
        positive: false,
        below,
        dp,
    }
}

fn positive(below: i64, dp: u32) -> Rule {
    Rule::Decimal {
        positive: true,
        below,
        dp,
    }
}

/// `(schema, property, rule)` for every request body.
fn body_rules() -> Vec<(&'static str, &'static str, Rule)> {
    use Rule::*;
    let fuel_types = || OneOf(mvp_types::vehicle::FUEL_TYPES.to_vec());
    let mut rules = vec![
        // Vehicles (mvp-vehicles domain.rs).
        ("VehicleInput", "vin", Vin),
        ("VehicleInput", "year", Int(l::FIRST_YEAR.into(), 9999)),
        ("VehicleInput", "year", Required),
        ("VehicleInput", "make", LineRequired(l::NAME_MAX)),
        ("VehicleInput", "model", LineRequired(l::NAME_MAX)),
        ("VehicleInput", "trimLevel", Text(l::TEXT_MAX)),
        ("VehicleInput", "engine", Text(l::TEXT_MAX)),
        ("VehicleInput", "transmission", Text(l::TEXT_MAX)),
        ("VehicleInput", "driveType", Text(l::TEXT_MAX)),
        ("VehicleInput", "nickname", Text(l::NAME_MAX)),
        ("VehicleInput", "color", Text(l::NAME_MAX)),
        ("VehicleInput", "licensePlate", Text(l::LICENSE_PLATE_MAX)),
        ("VehicleInput", "notes", Text(l::NOTES_MAX)),
        ("VehicleInput", "fuelType", fuel_types()),
        ("VehicleInput", "odometerReading", Int(0, l::ODOMETER_MAX)),
        (
            "VehicleInput",
            "purchasePrice",
            decimal(l::PURCHASE_PRICE_BELOW, l::MONEY_DP),
        ),
        // Fill-ups (mvp-fuel-logs domain.rs).
        ("FuelLogInput", "vehicleId", Required),
        ("FuelLogInput", "dateTime", Required),
        (
            "FuelLogInput",
            "odometerReading",
            decimal(l::FUEL_ODOMETER_BELOW, l::DISTANCE_DP),
        ),
        (
            "FuelLogInput",
            "tripDistance",
            positive(l::TRIP_DISTANCE_BELOW, l::DISTANCE_DP),
        ),
        (
            "FuelLogInput",
            "fuelUnits",
            positive(l::FUEL_UNITS_BELOW, l::FUEL_UNITS_DP),
        ),
        ("FuelLogInput", "fuelUnits", Required),
        (
            "FuelLogInput",
            "costPerUnit",
            decimal(l::COST_PER_UNIT_BELOW, l::COST_PER_UNIT_DP),
        ),
        (
            "FuelLogInput",
            "totalCost",
            decimal(l::FUEL_TOTAL_BELOW, l::MONEY_DP),
        ),
        (
            "FuelLogInput",
            "fuelType",
            OneOf(mvp_types::fuel::FILL_FUEL_TYPES.to_vec()),
        ),
        ("FuelLogInput", "fuelType", Required),
        ("FuelLogInput", "fuelGrade", Text(l::FUEL_GRADE_MAX)),
        ("FuelLogInput", "stationId", Text(l::STATION_ID_MAX)),
        ("FuelLogInput", "locationName", Text(l::TEXT_MAX)),
        ("FuelLogInput", "notes", Text(l::FUEL_NOTES_MAX)),
        // Maintenance (mvp-maintenance parse.rs).
        ("RecordInput", "vehicleId", Required),
        ("RecordInput", "category", Required),
        ("RecordInput", "subtypes", Required),
        ("RecordInput", "date", Required),
        ("RecordInput", "odometerReading", Int(0, l::ODOMETER_MAX)),
        (
            "RecordInput",
            "cost",
            decimal(l::MAINTENANCE_COST_BELOW, l::MONEY_DP),
        ),
        ("RecordInput", "shopName", Text(l::TEXT_MAX)),
        ("RecordInput", "notes", Text(l::NOTES_MAX)),
        (
            "RecordInput",
            "documentIds",
            Items(l::RECORD_DOCUMENTS_MAX, Box::new(Required)),
        ),
        ("ScheduleInput", "vehicleId", Required),
        ("ScheduleInput", "category", Required),
        ("ScheduleInput", "subtypes", Required),
        (
            "ScheduleInput",
            "intervalMonths",
            Int(1, l::INTERVAL_MONTHS_MAX.into()),
        ),
        (
            "ScheduleInput",
            "intervalDistance",
            Int(1, l::INTERVAL_DISTANCE_MAX),
        ),
        (
            "ScheduleInput",
            "lastServiceOdometer",
            Int(0, l::ODOMETER_MAX),
        ),
        (
            "ScheduleInput",
            "reminderDaysBefore",
            Items(
                l::REMINDERS_MAX,
                Box::new(Int(0, l::REMINDER_DAYS_MAX.into())),
            ),
        ),
        // Documents (mvp-documents domain.rs).
        (
            "DocumentInput",
            "documentType",
            OneOf(mvp_types::document::DOCUMENT_TYPES.to_vec()),
        ),
        ("DocumentInput", "documentType", Required),
        (
            "DocumentInput",
            "title",
            LineRequired(l::DOCUMENT_TITLE_MAX),
        ),
        ("DocumentInput", "notes", Text(l::NOTES_MAX)),
        // Accounts (mvp-auth domain.rs, mvp-user-profile, mvp-user-preferences).
        ("SignupRequest", "email", Email),
        (
            "SignupRequest",
            "password",
            Chars(l::PASSWORD_MIN, l::PASSWORD_MAX),
        ),
        ("SignupRequest", "acceptTerms", True),
        ("ResendVerificationRequest", "email", Email),
        ("UpdateProfile", "notificationEmail", Email),
        ("UpdateProfile", "displayName", Line(l::DISPLAY_NAME_MAX)),
        (
            "UpdatePreferences",
            "unitSystem",
            OneOf(vec!["imperial", "metric"]),
        ),
        (
            "UpdatePreferences",
            "currencyCode",
            OneOf(mvp_user_preferences::domain::CURRENCIES.to_vec()),
        ),
        (
            "UpdatePreferences",
            "timeZone",
            OneOf(mvp_user_preferences::domain::time_zone_names()),
        ),
        ("UpdatePreferences", "darkMode", Bool),
        (
            "UpdatePreferences",
            "efficiencyUnit",
            OneOf(
                mvp_types::units::EfficiencyUnit::CHOICES
                    .iter()
                    .copied()
                    .chain(["auto"])
                    .collect(),
            ),
        ),
    ];
    // Echoed read-only fields: any value, ignored.
    for (schema, fields) in [
        (
            "VehicleInput",
            &["id", "createdAt", "updatedAt", "hasImage"][..],
        ),
        (
            "FuelLogInput",
            &[
                "id",
                "createdAt",
                "updatedAt",
                "efficiency",
                "efficiencyUnit",
            ][..],
        ),
        ("RecordInput", &["id", "createdAt", "updatedAt"][..]),
        (
            "ScheduleInput",
            &[
                "id",
                "createdAt",
                "updatedAt",
                "nextDueDate",
                "nextDueOdometer",
                "status",
            ][..],
        ),
        (
            "DocumentInput",
            &[
                "id",
                "fileName",
                "contentType",
                "sizeBytes",
                "sha256",
                "createdAt",
                "updatedAt",
            ][..],
        ),
        ("UpdateProfile", &["id", "email", "createdAt"][..]),
    ] {
        rules.extend(fields.iter().map(|field| (schema, *field, ReadOnly)));
    }
    rules
}

/// Query and path parameters, by name (each name means the same thing wherever it appears).
fn parameter_rules() -> Vec<(&'static str, Value)> {
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
            "kind",
            json!({"type": "string", "enum": mvp_documents::ocr::KINDS, "default": "document"}),
        ),
        ("size", json!({"type": "string", "enum": ["thumb"]})),
        ("vin", json!({"type": "string", "pattern": VIN})),
        (
            "key",
            json!({"type": "string", "enum": mvp_maintenance::domain::TEMPLATES
                .iter().map(|t| t.key).collect::<Vec<_>>()}),
        ),
        ("from", date_or_time.clone()),
        ("to", date_or_time),
    ]
}

/// Multipart bodies, by `(method, path)`: their parts, as the upload parsers read them.
fn multipart_rules() -> Vec<(&'static str, &'static str, Value)> {
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
            "/api/ocr/extract",
            json!({"type": "object", "required": ["file"], "properties": {"file": {
                "type": "string", "format": "binary",
                "description": "A photo (JPEG, PNG, WebP) or a PDF, judged by its bytes; at most 25 MiB."}}}),
        ),
    ]
}

/// Query parameters an operation needs (the catalog cascade: each level needs the ones above).
fn required_parameters() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("/api/platform/makes", &["year"]),
        ("/api/platform/models", &["year", "make"]),
        ("/api/platform/trims", &["year", "make", "model"]),
        ("/api/platform/engines", &["year", "make", "model"]),
        ("/api/platform/transmissions", &["year", "make", "model"]),
    ]
}

/// Responses whose body is a stored file, by `(path, status)`: the types they can be.
fn file_responses() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
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
fn object_rules() -> Vec<(&'static str, Value)> {
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

/// The typed ids (`mvp_types::ids`): plain UUID strings on the wire.
const IDS: &[&str] = &[
    "VehicleId",
    "FuelLogId",
    "RecordId",
    "ScheduleId",
    "DocumentId",
    "RequestId",
];

/// Writes each typed id as the `uuid` string it is on the wire, where utoipa refers to a component
/// (`$ref`, or `oneOf` null and a `$ref` when optional), and drops those components.
fn inline_ids(node: &mut Value) {
    let is_id = |v: &Value| {
        v.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .is_some_and(|name| IDS.contains(&name))
    };
    if is_id(node) {
        *node = json!({"type": "string", "format": "uuid"});
        return;
    }
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(options)) = map.get("oneOf")
                && options.len() == 2
                && options
                    .iter()
                    .any(|o| o.get("type") == Some(&json!("null")))
                && options.iter().any(is_id)
            {
                map.remove("oneOf");
                map.insert("type".to_owned(), json!(["string", "null"]));
                map.insert("format".to_owned(), json!("uuid"));
                return;
            }
            for child in map.values_mut() {
                inline_ids(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(inline_ids),
        _ => {}
    }
}

/// States every rule in `doc` (an OpenAPI 3.1 document as JSON).
pub fn apply(doc: &mut Value) {
    inline_ids(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| !IDS.contains(&name.as_str()));
    }
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut);
    if let Some(schemas) = schemas {
        for (schema, field, rule) in body_rules() {
            if let Some(object) = schemas.get_mut(schema).and_then(Value::as_object_mut) {
                apply_rule(object, field, &rule);
            }
        }
        for (schema, extra) in object_rules() {
            if let (Some(object), Value::Object(extra)) = (
                schemas.get_mut(schema).and_then(Value::as_object_mut),
                extra,
            ) {
                object.extend(extra);
            }
        }
    }
    for (method, path, schema) in multipart_rules() {
        let pointer = format!(
            "/paths/{}/{method}/requestBody/content/multipart~1form-data",
            path.replace('~', "~0").replace('/', "~1")
        );
        if let Some(content) = doc.pointer_mut(&pointer) {
            content["schema"] = schema;
        }
        // An upload without a body is no upload.
        let body = pointer.trim_end_matches("/content/multipart~1form-data");
        if let Some(body) = doc.pointer_mut(body) {
            body["required"] = Value::Bool(true);
        }
    }
    for (path, status, types) in file_responses() {
        let pointer = format!(
            "/paths/{}/get/responses/{status}",
            path.replace('~', "~0").replace('/', "~1")
        );
        if let Some(response) = doc.pointer_mut(&pointer) {
            let binary = json!({"schema": {"type": "string", "format": "binary"}});
            response["content"] = types
                .iter()
                .map(|t| ((*t).to_owned(), binary.clone()))
                .collect();
        }
    }
    let rules = parameter_rules();
    let needed = required_parameters();
    let paths = doc.get_mut("paths").and_then(Value::as_object_mut);
    for (path, item) in paths.into_iter().flat_map(|p| p.iter_mut()) {
        let needs: &[&str] = needed
            .iter()
            .find(|(p, _)| p == path)
            .map_or(&[], |(_, n)| n);
        let operations = item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut());
        for operation in operations {
            let parameters = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut);
            for parameter in parameters.into_iter().flatten() {
                let name = parameter
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let required = needs.contains(&name.as_str());
                if let Some((_, schema)) = rules.iter().find(|(n, _)| *n == name) {
                    parameter["schema"] = schema.clone();
                }
                if required {
                    parameter["required"] = Value::Bool(true);
                    if parameter["schema"]["type"] == "string" {
                        parameter["schema"]["minLength"] = Value::from(1);
                        parameter["schema"]["pattern"] = Value::from(LINE_NOT_BLANK);
                    }
                }
            }
        }
    }
}

fn apply_rule(object: &mut Map<String, Value>, field: &str, rule: &Rule) {
    if matches!(rule, Rule::Required | Rule::LineRequired(_) | Rule::True) {
        let required = object
            .entry("required")
            .or_insert_with(|| Value::Array(vec![]));
        if let Some(list) = required.as_array_mut()
            && !list.iter().any(|f| f == field)
        {
            list.push(Value::from(field));
        }
    }
    let Some(property) = object.get_mut("properties").and_then(|p| p.get_mut(field)) else {
        return;
    };
    constrain(property, rule);
}

/// Narrows one property's schema to `rule`.
fn constrain(property: &mut Value, rule: &Rule) {
    let Some(schema) = property.as_object_mut() else {
        return;
    };
    match rule {
        Rule::ReadOnly => {
            *property =
                json!({"description": "Read-only: sent back from a GET and ignored (any value)."});
        }
        Rule::Required => drop_null(schema),
        Rule::Line(max) => {
            put(schema, "maxLength", Value::from(*max));
            put(schema, "pattern", Value::from(LINE));
        }
        Rule::LineRequired(max) => {
            put(schema, "maxLength", Value::from(*max));
            put(schema, "minLength", Value::from(1));
            put(schema, "pattern", Value::from(LINE_NOT_BLANK));
            drop_null(schema);
        }
        Rule::Text(max) => {
            put(schema, "maxLength", Value::from(*max));
            put(schema, "pattern", Value::from(TEXT));
        }
        Rule::Int(min, max) => {
            put(schema, "minimum", Value::from(*min));
            put(schema, "maximum", Value::from(*max));
        }
        Rule::Decimal {
            positive,
            below,
            dp,
        } => {
            put(
                schema,
                if *positive {
                    "exclusiveMinimum"
                } else {
                    "minimum"
                },
                Value::from(0),
            );
            put(schema, "exclusiveMaximum", Value::from(*below));
            // 10^-dp written as a decimal literal (serde_json's arbitrary precision keeps it exact).
            let step = format!("0.{}1", "0".repeat(dp.saturating_sub(1) as usize));
            if let Ok(step) = serde_json::from_str::<Value>(&step) {
                put(schema, "multipleOf", step);
            }
        }
        Rule::OneOf(values) => {
            let mut values: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
            if allows_null(schema) {
                values.push(Value::Null);
            }
            put(schema, "enum", Value::Array(values));
        }
        Rule::Email => {
            put(schema, "maxLength", Value::from(l::EMAIL_MAX_BYTES));
            put(schema, "pattern", Value::from(EMAIL));
        }
        Rule::Vin => {
            put(schema, "pattern", Value::from(VIN));
        }
        Rule::Bool => {
            put(schema, "type", json!(["boolean", "null"]));
        }
        Rule::True => {
            put(schema, "const", Value::Bool(true));
        }
        Rule::Chars(min, max) => {
            put(schema, "minLength", Value::from(*min));
            put(schema, "maxLength", Value::from(*max));
        }
        Rule::Items(max, item) => {
            put(schema, "maxItems", Value::from(*max));
            if let Some(items) = schema.get_mut("items") {
                constrain(items, item);
            }
        }
    }
}

fn put(schema: &mut Map<String, Value>, key: &str, value: Value) {
    schema.insert(key.to_owned(), value);
}

fn allows_null(schema: &Map<String, Value>) -> bool {
    match schema.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    }
}

/// `type: [T, "null"]` → `type: T`.
fn drop_null(schema: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            schema.insert("type".to_owned(), only);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule names a schema and a property the generated document has: a renamed field cannot
    /// silently lose its constraints.
    #[test]
    fn every_rule_names_a_real_property() {
        let doc: Value = serde_json::from_str(&crate::openapi::document_without_constraints())
            .unwrap_or_else(|e| panic!("{e}"));
        for (schema, field, _) in body_rules() {
            assert!(
                doc.pointer(&format!("/components/schemas/{schema}/properties/{field}"))
                    .is_some(),
                "{schema}.{field} is not in the document"
            );
        }
        for (schema, _) in object_rules() {
            assert!(
                doc.pointer(&format!("/components/schemas/{schema}"))
                    .is_some(),
                "{schema}"
            );
        }
        for (method, path, _) in multipart_rules() {
            let pointer = format!(
                "/paths/{}/{method}/requestBody/content/multipart~1form-data",
                path.replace('~', "~0").replace('/', "~1")
            );
            assert!(doc.pointer(&pointer).is_some(), "{method} {path}");
        }
        let text = doc.to_string();
        for (name, _) in parameter_rules() {
            assert!(text.contains(&format!("\"name\":\"{name}\"")), "{name}");
        }
    }

    #[test]
    fn decimals_get_exact_steps_and_nullable_enums_keep_null() {
        let mut schema = json!({"type": ["number", "null"]});
        constrain(&mut schema, &decimal(100, 2));
        assert_eq!(schema["multipleOf"].to_string(), "0.01");
        assert_eq!(schema["exclusiveMaximum"], 100);
        let mut schema = json!({"type": ["string", "null"]});
        constrain(&mut schema, &Rule::OneOf(vec!["a"]));
        assert_eq!(schema["enum"], json!(["a", null]));
        let mut schema = json!({"type": ["string", "null"]});
        constrain(&mut schema, &Rule::LineRequired(5));
        assert_eq!(schema["type"], "string");
    }
}
