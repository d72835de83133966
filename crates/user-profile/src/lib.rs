//! mvp-user-profile: one profile per user, created on the first authenticated request from the
//! token's claims; `GET|PUT /api/user/profile`. Other features call `repo` for the onboarding mark.

pub mod api;
pub mod domain;
pub mod middleware;
pub mod repo;

use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use middleware::ensure_profile;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_profile, api::put_profile))
}
