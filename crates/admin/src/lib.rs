//! mvp-admin: the admin area's API. Users with what they keep, admin grants and revocations (never
//! the last admin), the append-only audit log every admin write appends to in its own transaction
//! ([`audit::record`], also used by other capsules' admin routes), catalog management through the
//! platform capsule, and review of community stations through the stations capsule.

pub mod api;
pub mod audit;

use axum::extract::DefaultBodyLimit;
use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let import = OpenApiRouter::new()
        .routes(routes!(api::catalog::import))
        .layer(DefaultBodyLimit::max(
            mvp_types::limits::CATALOG_IMPORT_MAX_BYTES,
        ));
    OpenApiRouter::new()
        .routes(routes!(api::users::list))
        .routes(routes!(api::users::grant))
        .routes(routes!(api::users::revoke))
        .routes(routes!(api::audit::list))
        .routes(routes!(api::catalog::options, api::catalog::add_option))
        .routes(routes!(api::catalog::delete_option))
        .routes(routes!(api::catalog::rename, api::catalog::delete_entry))
        .routes(routes!(api::stations::pending))
        .routes(routes!(api::stations::moderate))
        .merge(import)
}
