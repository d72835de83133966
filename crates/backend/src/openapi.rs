//! The OpenAPI document's frame: title, version, the bearer scheme. Paths come from the routers
//! (`utoipa_axum::routes!`), so the document cannot drift from the code; a snapshot test makes every
//! contract change a visible diff in `docs/openapi.json`.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr,
    ResponseBuilder,
};

pub fn base() -> OpenApi {
    let mut scheme = Http::new(HttpAuthScheme::Bearer);
    scheme.bearer_format = Some("JWT".to_owned());
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("MotoVaultPro API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Self-hosted vehicle management. Every route except health, config, openapi.json \
                     and the public auth routes needs `Authorization: Bearer <JWT>`.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("bearer", SecurityScheme::Http(scheme))
                .schema_from::<mvp_types::ErrorBody>()
                .build(),
        ))
        .build()
}

/// Adds the error answers every operation of that kind can give (API.md's status table), so a client
/// or a fuzzer reading the document meets no undocumented status: 401 and 403 (the token, the terms
/// gate) where a token is needed, 400 where there is input, 404 where a path or filter names an
/// object, 413 and 415 for uploads, 415 for a JSON body sent as something else, 503 when a dependency
/// is down or busy. An operation's own description of a code
/// is kept.
pub fn document_errors(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add_error_responses(operation);
        }
    }
}

fn add_error_responses(operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let params = operation.parameters.as_deref().unwrap_or_default();
    // A path id, or a `vehicleId` filter: either may name an object that is not this user's.
    let names_an_object = params.iter().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Path || p.name == "vehicleId",
        RefOr::Ref(_) => false,
    });
    let has_input = !params.is_empty() || operation.request_body.is_some();
    let upload = match &operation.request_body {
        Some(RefOr::T(body)) => body.content.contains_key("multipart/form-data"),
        _ => false,
    };
    let mut wanted = vec![];
    if has_input {
        wanted.push((
            "400",
            "A malformed request or an invalid field (named in `details`)",
        ));
    }
    if secured {
        wanted.push(("401", "Missing, invalid or expired access token"));
        wanted.push((
            "403",
            "Not allowed: the current terms are not accepted, or not an admin",
        ));
    }
    if names_an_object {
        wanted.push(("404", "No such object of this user's"));
    }
    if upload {
        wanted.push((
            "413",
            "The file is larger than the limit, or over the quota",
        ));
        wanted.push(("415", "The file is not of a type this route takes"));
    } else if operation.request_body.is_some() {
        wanted.push(("415", "The body is not `application/json`"));
    }
    wanted.push((
        "503",
        "A dependency (the database …) is down or the server is busy",
    ));
    for (code, description) in wanted {
        operation
            .responses
            .responses
            .entry(code.to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
}

/// Links from each create (`POST /x` answering 201 with an `id`) to the operations on `/x/{id}` and
/// `/x/{id}/…`, so a client — or a stateful fuzzer — can follow a new object's id to what can be done
/// with it.
pub fn link_creations(doc: &mut OpenApi) {
    // (path, method) of every operation that a link may name.
    let operations: Vec<(String, &'static str)> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [
                ("get", item.get.is_some()),
                ("put", item.put.is_some()),
                ("delete", item.delete.is_some()),
            ]
            .into_iter()
            .filter(|(_, present)| *present)
            .map(move |(method, _)| (path.clone(), method))
        })
        .collect();
    for (collection, item) in doc.paths.paths.iter_mut() {
        let Some(RefOr::T(created)) = item
            .post
            .as_mut()
            .and_then(|post| post.responses.responses.get_mut("201"))
        else {
            continue;
        };
        let prefix = format!("{collection}/{{id}}");
        for (template, method) in &operations {
            let rest = &template[template.len().min(prefix.len())..];
            let under_the_id = template.starts_with(&prefix)
                && (rest.is_empty() || rest.starts_with('/'))
                && template.matches('{').count() == 1;
            if !under_the_id {
                continue;
            }
            // A JSON pointer into `paths`: `~` and `/` escaped.
            let pointer = template.replace('~', "~0").replace('/', "~1");
            let link = LinkBuilder::new()
                .operation_ref(format!("#/paths/{pointer}/{method}"))
                .parameter("id", "$response.body#/id")
                .build();
            created.links.insert(
                format!("{method}{}", rest.replace('/', "_")),
                RefOr::T(link),
            );
        }
    }
}

/// The finished document as pretty JSON (what `GET /api/openapi.json` serves): the error answers,
/// the links, and the input rules (`constraints`).
pub fn finish(mut doc: OpenApi) -> String {
    document_errors(&mut doc);
    link_creations(&mut doc);
    let mut json = serde_json::to_value(&doc).unwrap_or_default();
    crate::constraints::apply(&mut json);
    serde_json::to_string_pretty(&json).unwrap_or_else(|_| "{}".to_owned())
}

/// The generated document (what `GET /api/openapi.json` serves, and the docs/openapi.json snapshot).
pub fn document() -> String {
    // Limits do not show in the document; any value gives the same paths.
    let (_, doc) = crate::app::api_routes(0, 0, 0, 0).split_for_parts();
    finish(doc)
}

/// The document as the routes generate it, before `constraints` (its tests check their names
/// against this).
#[cfg(test)]
pub fn document_without_constraints() -> String {
    let (_, doc) = crate::app::api_routes(0, 0, 0, 0).split_for_parts();
    doc.to_json().unwrap_or_else(|_| "{}".to_owned())
}
