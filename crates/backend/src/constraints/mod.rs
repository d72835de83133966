//! The input rules the capsules enforce, stated in the OpenAPI document: lengths, ranges, decimal
//! places, patterns, enums and required fields, each taken from the constant the parser checks
//! against (`mvp_types::limits`, the capsules' enum lists), so the document cannot promise what the
//! code refuses. Applied to the generated document as JSON (utoipa's attributes take only literals).
//!
//! Rules no schema can state — a date not after today, the VIN check digit, an odometer between the
//! neighbouring fill-ups, an id that must exist — are listed in docs/SECURITY.md and handled by the
//! API fuzzer's hooks (scripts/api_fuzz_hooks.py).
//!
//! `rule.rs` holds what a property may be told to satisfy (`Rule`) and the text patterns, `body.rs`
//! the request bodies' rules (a `Rule` per property), `params.rs` the parameters, multipart parts,
//! file responses and cross-field rules; this file applies them.

mod body;
mod params;
mod rule;

use mvp_types::limits as l;
use serde_json::{Map, Value, json};

use body::body_rules;
use params::{file_responses, multipart_rules, object_rules, parameter_rules, required_parameters};
#[cfg(test)]
use rule::decimal;
use rule::{EMAIL, LINE, LINE_NOT_BLANK, Rule, TEXT, VIN};

/// The typed ids (`mvp_types::ids`): plain UUID strings on the wire.
const IDS: &[&str] = &[
    "VehicleId",
    "FuelLogId",
    "RecordId",
    "ScheduleId",
    "DocumentId",
    "NotificationId",
    "CommunityStationId",
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
                // A rule names its parameter, or `path prefix:name` where one name means different
                // things (`key`: a maintenance template, an e-mail template).
                let rule = rules.iter().find(|(n, _)| match n.split_once(':') {
                    Some((prefix, n)) => n == name && path.starts_with(prefix),
                    None => *n == name,
                });
                if let Some((_, schema)) = rule {
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
        Rule::PushUrl => {
            put(
                schema,
                "maxLength",
                Value::from(mvp_notifications::push::URL_MAX_CHARS),
            );
            put(
                schema,
                "pattern",
                Value::from(r"^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?)?$"),
            );
        }
        Rule::Chars(min, max) => {
            put(schema, "minLength", Value::from(*min));
            put(schema, "maxLength", Value::from(*max));
        }
        Rule::Range(min, max) => {
            put(schema, "minimum", Value::from(*min));
            put(schema, "maximum", Value::from(*max));
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
            let name = name.rsplit(':').next().unwrap_or(name);
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
