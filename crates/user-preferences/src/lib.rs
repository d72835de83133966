//! mvp-user-preferences: unit system, currency, time zone and dark mode, with defaults on first read.
//! `GET|PUT /api/user/preferences`; onboarding sets them through `repo::apply`; background jobs ask
//! [`metric_users`] which units to write in.

pub mod api;
pub mod domain;
pub mod repo;

use std::collections::HashSet;

use mvp_core::AppState;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use domain::PreferenceChanges;

/// Of `user_ids`, those who chose metric units (the rest see imperial, the default).
pub async fn metric_users(pool: &PgPool, user_ids: &[String]) -> sqlx::Result<HashSet<String>> {
    Ok(repo::metric_users(pool, user_ids)
        .await?
        .into_iter()
        .collect())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_preferences, api::put_preferences))
}
