//! mvp-user-profile: one profile per user, created on the first authenticated request from the
//! token's claims; `GET|PUT /api/user/profile`. Other features call [`current`] for the profile,
//! [`ensure`] when an account is made, [`complete_onboarding`] for the onboarding mark and
//! [`notification_addresses`] for where to write; the admin capsule lists users with [`list_users`]
//! (each with the time of their last request, kept by the middleware to within five minutes). The
//! user-export capsule marks an erased account with [`mark_erased`] and [`forget_seen`].

pub mod api;
pub mod domain;
pub mod middleware;
pub mod repo;

use mvp_types::ids::UserId;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use middleware::ensure_profile;
pub use repo::{ProfileRow, UserListRow};

/// The signed-in user's profile, made from the token's claims if it does not exist yet (the
/// middleware normally has; this keeps a route correct without it).
pub async fn current(pool: &PgPool, user: &AuthUser) -> AppResult<ProfileRow> {
    let user_id = &user.user_id;
    repo::ensure(pool, user_id, user.email.as_deref()).await?;
    repo::find(pool, user_id)
        .await?
        .ok_or(AppError::NotFound("profile"))
}

/// The signed-in user's profile as `GET /api/user/profile` shows it (the export).
pub async fn profile(pool: &PgPool, user: &AuthUser) -> AppResult<mvp_types::user::UserProfile> {
    Ok(api::to_dto(current(pool, user).await?))
}

/// Makes the profile of a new account (sign-up, a first local sign-in), with its e-mail.
pub async fn ensure(pool: &PgPool, user_id: &UserId, email: Option<&str>) -> sqlx::Result<()> {
    repo::ensure(pool, user_id, email).await
}

/// Marks `user_id` erased in the caller's transaction: the middleware refuses their tokens issued
/// until now, and no request of theirs makes the profile again.
pub async fn mark_erased(conn: &mut sqlx::PgConnection, user_id: &UserId) -> sqlx::Result<()> {
    repo::mark_erased(conn, user_id).await
}

/// Forgets that `user_id` was seen (after [`mark_erased`] commits), so the next request of theirs
/// on any replica meets the mark within [`middleware::NEAR_TTL`].
pub async fn forget_seen(state: &AppState, user_id: &UserId) {
    let key = middleware::seen_key(user_id);
    state.cache.delete(&key).await;
    state.cache.forget_near(&key);
}

/// Marks onboarding complete (the first completion time is kept) and returns when it was.
pub async fn complete_onboarding(pool: &PgPool, user: &AuthUser) -> AppResult<DateTime<Utc>> {
    current(pool, user).await?;
    Ok(repo::complete_onboarding(pool, &user.user_id).await?)
}

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

/// Users with a live profile, newest first, filtered by a part of their e-mail or id (the admin's
/// user list): a page and how many match.
pub async fn list_users(
    pool: &PgPool,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<UserListRow>, i64)> {
    repo::list(pool, query, limit, offset).await
}

/// The sign-in e-mail of a user with a live profile (`None` without one).
pub async fn email_of(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Option<String>> {
    repo::email_of(pool, user_id).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_profile, api::put_profile))
}
