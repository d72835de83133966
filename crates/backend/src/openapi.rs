//! The OpenAPI document's frame: title, version, the bearer scheme. Paths come from the routers
//! (`utoipa_axum::routes!`), so the document cannot drift from the code; a snapshot test makes every
//! contract change a visible diff in `docs/openapi.json`.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};

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

/// The generated document as pretty JSON (what `GET /api/openapi.json` serves).
pub fn document() -> String {
    // Limits do not show in the document; any value gives the same paths.
    let (_, doc) = crate::app::api_routes(0, 0).split_for_parts();
    doc.to_pretty_json().unwrap_or_else(|_| "{}".to_owned())
}
