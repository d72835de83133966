//! `GET /api/onboarding/status` · `POST /api/onboarding/preferences` · `POST /api/onboarding/complete`.

use axum::Json;
use axum::extract::State;
use mvp_core::{AppJson, AppResult, AppState, AuthUser};
use mvp_types::user::{OnboardingStatus, UpdatePreferences, UserPreferences};
use mvp_user_preferences::PreferenceChanges;

async fn current(state: &AppState, user: &AuthUser) -> AppResult<OnboardingStatus> {
    let user_id = &user.user_id;
    let profile = mvp_user_profile::current(&state.db, user).await?;
    let preferences_set = mvp_user_preferences::explicitly_set(&state.db, user_id).await?;
    Ok(OnboardingStatus {
        preferences_set,
        onboarding_completed: profile.onboarding_completed_at.is_some(),
        onboarding_completed_at: profile.onboarding_completed_at,
    })
}

/// Where the user is in onboarding.
#[utoipa::path(get, path = "/api/onboarding/status", tag = "onboarding", security(("bearer" = [])),
    responses((status = 200, body = OnboardingStatus), (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn status(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<OnboardingStatus>> {
    Ok(Json(current(&state, &user).await?))
}

/// Onboarding's first step: the user's units, currency, time zone (and dark mode).
#[utoipa::path(post, path = "/api/onboarding/preferences", tag = "onboarding",
    security(("bearer" = [])), request_body = UpdatePreferences,
    responses((status = 200, body = UserPreferences), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn set_preferences(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(body): AppJson<UpdatePreferences>,
) -> AppResult<Json<UserPreferences>> {
    let changes = PreferenceChanges::try_from(body)?;
    let saved = mvp_user_preferences::apply(&state, &user.user_id, &changes, true).await?;
    Ok(Json(saved))
}

/// Marks onboarding done. Calling it again keeps the first completion time.
#[utoipa::path(post, path = "/api/onboarding/complete", tag = "onboarding", security(("bearer" = [])),
    responses((status = 200, body = OnboardingStatus), (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn complete(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<OnboardingStatus>> {
    mvp_user_profile::complete_onboarding(&state.db, &user).await?;
    Ok(Json(current(&state, &user).await?))
}
