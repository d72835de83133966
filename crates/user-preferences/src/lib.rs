//! mvp-user-preferences: unit system, currency, time zone and dark mode, with defaults on first read.
//! `GET|PUT /api/user/preferences`; onboarding sets them through `repo::apply`.

pub mod api;
pub mod domain;
pub mod repo;

use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use domain::PreferenceChanges;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_preferences, api::put_preferences))
}
