//! mvp-user-profile: one profile per user, created on the first authenticated request from the
//! token's claims; `GET|PUT /api/user/profile`. Other features call `repo` for the onboarding mark
//! and [`notification_addresses`] for where to write.

pub mod api;
pub mod domain;
pub mod middleware;
pub mod repo;

use std::collections::HashMap;

use mvp_core::AppState;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use middleware::ensure_profile;

/// Where to write to each of `user_ids` that has a live profile with an address (the notification
/// address, else the sign-in one). For background jobs across users.
pub async fn notification_addresses(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<HashMap<String, String>> {
    Ok(repo::notification_addresses(pool, user_ids)
        .await?
        .into_iter()
        .collect())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_profile, api::put_profile))
}
