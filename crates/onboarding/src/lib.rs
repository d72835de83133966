//! mvp-onboarding: the steps after the first sign-in — choose preferences, then mark onboarding
//! complete (idempotent, the first completion time is kept). State lives in the profile and
//! preferences features; this crate only orchestrates them through their public APIs.

pub mod api;

use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::status))
        .routes(routes!(api::set_preferences))
        .routes(routes!(api::complete))
}
