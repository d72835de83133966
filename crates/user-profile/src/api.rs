//! `GET|PUT /api/user/profile`.

use axum::Json;
use axum::extract::State;
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser};
use mvp_types::user::{UpdateProfile, UserProfile};

use crate::domain::ProfileChanges;
use crate::repo::{self, ProfileRow};

pub(crate) fn to_dto(row: ProfileRow) -> UserProfile {
    UserProfile {
        id: row.user_id,
        email: row.email,
        display_name: row.display_name,
        notification_email: row.notification_email,
        created_at: row.created_at,
    }
}

/// The signed-in user's profile.
#[utoipa::path(get, path = "/api/user/profile", tag = "user", security(("bearer" = [])),
    responses((status = 200, body = UserProfile), (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_profile(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<UserProfile>> {
    Ok(Json(to_dto(crate::current(&state.db, &user).await?)))
}

/// Updates the display name and notification e-mail (`id`, `email`, `createdAt` are ignored).
#[utoipa::path(put, path = "/api/user/profile", tag = "user", security(("bearer" = [])),
    request_body = UpdateProfile,
    responses((status = 200, body = UserProfile), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put_profile(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(body): AppJson<UpdateProfile>,
) -> AppResult<Json<UserProfile>> {
    let changes = ProfileChanges::try_from(body)?;
    crate::current(&state.db, &user).await?;
    let row = repo::update(&state.db, &user.user_id, &changes)
        .await?
        .ok_or(AppError::NotFound("profile"))?;
    Ok(Json(to_dto(row)))
}
