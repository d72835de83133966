//! The terms gate: a signed-in user who has not accepted the current terms version gets 403
//! `forbidden` on every data route until they do (`POST /api/auth/accept-terms`). Signing in, the
//! user's status, accepting, the profile (created on the first request) and health stay open. A
//! positive answer is cached per user and version (in-process, 5 minutes), so the common case costs
//! no query; acceptance fills the cache at once.

use mvp_types::ids::UserId;
use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mvp_core::{AppError, AppState, UnverifiedUser};

const ACCEPTED_TTL: Duration = Duration::from_secs(300);

/// Paths a user may reach before accepting: sign-in and status, health, the API description, the
/// runtime config, the profile, and the test harness's own diagnostics.
const OPEN: &[&str] = &[
    "/api/auth/",
    "/api/health",
    "/api/openapi.json",
    "/api/config",
    "/api/user/profile",
    "/api/_test/",
];

fn cache_key(user_id: &UserId, version: &str) -> String {
    format!("terms:ok:{version}:{user_id}")
}

/// Remembers that `user_id` accepted `version` (after recording it).
pub async fn remember_accepted(state: &AppState, user_id: &UserId, version: &str) {
    state
        .cache
        .set_bytes_near(
            &cache_key(user_id, version),
            vec![1u8].into(),
            ACCEPTED_TTL,
            ACCEPTED_TTL,
        )
        .await;
}

/// Forgets that `user_id` accepted the current version (their account was erased: a new account of
/// the same identity accepts again).
pub async fn forget_accepted(state: &AppState, user_id: &UserId) {
    let key = cache_key(user_id, &state.config.auth.terms_version);
    state.cache.delete(&key).await;
    state.cache.forget_near(&key);
}

/// Whether `user_id` accepted the current terms version (cached when yes).
pub async fn accepted_current(state: &AppState, user_id: &UserId) -> Result<bool, AppError> {
    let version = &state.config.auth.terms_version;
    let key = cache_key(user_id, version);
    if state
        .cache
        .get_bytes_near(&key, ACCEPTED_TTL)
        .await
        .is_some()
    {
        return Ok(true);
    }
    let accepted = crate::repo::has_accepted_version(&state.db, user_id, version).await?;
    if accepted {
        remember_accepted(state, user_id, version).await;
    }
    Ok(accepted)
}

pub async fn require_current_terms(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let gated = path.starts_with("/api/") && !OPEN.iter().any(|open| path.starts_with(open));
    if !gated
        || !request
            .headers()
            .contains_key(axum::http::header::AUTHORIZATION)
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    // An invalid token is left for the route's own extractor to refuse (401).
    if let Ok(UnverifiedUser(user)) = UnverifiedUser::from_request_parts(&mut parts, &state).await {
        match accepted_current(&state, &user.user_id).await {
            Ok(true) => {}
            Ok(false) => {
                return AppError::Forbidden(format!(
                    "accept the terms of service (version {}) first: POST /api/auth/accept-terms",
                    state.config.auth.terms_version
                ))
                .into_response();
            }
            Err(err) => return err.into_response(),
        }
    }
    next.run(Request::from_parts(parts, body)).await
}
