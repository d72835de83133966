//! mvp-user-preferences: unit system, currency, time zone and dark mode, with defaults on first read.
//! `GET|PUT /api/user/preferences`. Other capsules read them with [`get`], onboarding sets them with
//! [`apply`] and asks [`explicitly_set`]; background jobs ask [`metric_users`] which units to write in.

pub mod api;
pub mod domain;
pub mod repo;

use std::collections::HashSet;

use mvp_core::AppState;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use domain::PreferenceChanges;
use mvp_types::user::UserPreferences;

/// The user's preferences (the defaults, stored, on first read).
pub async fn get(pool: &PgPool, user_id: &str) -> sqlx::Result<UserPreferences> {
    repo::get_or_create(pool, user_id).await
}

/// Applies a partial change; `explicit` marks the preferences as the user's choice (onboarding).
pub async fn apply(
    pool: &PgPool,
    user_id: &str,
    changes: &PreferenceChanges,
    explicit: bool,
) -> sqlx::Result<UserPreferences> {
    repo::apply(pool, user_id, changes, explicit).await
}

/// Whether the user has chosen preferences (onboarding status).
pub async fn explicitly_set(pool: &PgPool, user_id: &str) -> sqlx::Result<bool> {
    repo::explicitly_set(pool, user_id).await
}

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
