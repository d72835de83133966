//! `GET|PUT /api/user/preferences`.

use axum::Json;
use axum::extract::State;
use mvp_core::{AppJson, AppResult, AppState, AuthUser};
use mvp_types::user::{UpdatePreferences, UserPreferences};

use crate::domain::PreferenceChanges;

/// The user's preferences (defaults on first read).
#[utoipa::path(get, path = "/api/user/preferences", tag = "user", security(("bearer" = [])),
    responses((status = 200, body = UserPreferences), (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_preferences(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<UserPreferences>> {
    Ok(Json(crate::get(&state, &user.user_id).await?))
}

/// Changes any of the preferences; fields left out keep their value.
#[utoipa::path(put, path = "/api/user/preferences", tag = "user", security(("bearer" = [])),
    request_body = UpdatePreferences,
    responses((status = 200, body = UserPreferences), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put_preferences(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(body): AppJson<UpdatePreferences>,
) -> AppResult<Json<UserPreferences>> {
    let changes = PreferenceChanges::try_from(body)?;
    Ok(Json(
        crate::apply(&state, &user.user_id, &changes, true).await?,
    ))
}
