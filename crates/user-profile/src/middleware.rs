//! Creates a user's profile on their first authenticated request and keeps their last-seen time.
//! Runs for every request that carries a valid token; a cache entry remembers users seen in the last
//! five minutes, so the common case costs one in-process cache read and last-seen is exact to that.
//! A token issued before its account was erased is refused here (401): the erasure deletes the
//! shared entry, and this process's copy of it lives [`NEAR_TTL`] at most, so on every replica such a
//! token stops working within seconds and never brings the profile back.

use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mvp_core::{AppError, AppState, UnverifiedUser};
use mvp_types::ids::UserId;

const SEEN_TTL: Duration = Duration::from_secs(300);
/// How long this process trusts its copy of the shared "seen" entry.
pub const NEAR_TTL: Duration = Duration::from_secs(5);

/// The cache key remembering that `user_id` was seen.
pub fn seen_key(user_id: &UserId) -> String {
    format!("profile:seen:{user_id}")
}

pub async fn ensure_profile(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !request
        .headers()
        .contains_key(axum::http::header::AUTHORIZATION)
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    // An invalid token is left for the route's own extractor to refuse.
    if let Ok(UnverifiedUser(user)) = UnverifiedUser::from_request_parts(&mut parts, &state).await {
        let key = seen_key(&user.user_id);
        if state.cache.get_bytes_near(&key, NEAR_TTL).await.is_none() {
            match crate::repo::touch(
                &state.db,
                &user.user_id,
                user.email.as_deref(),
                user.issued_at,
            )
            .await
            {
                Ok(true) => {}
                Ok(false) => {
                    return AppError::Unauthorized("this account was deleted".to_owned())
                        .into_response();
                }
                Err(err) => return AppError::from(err).into_response(),
            }
            state
                .cache
                .set_bytes_near(&key, vec![1u8].into(), SEEN_TTL, NEAR_TTL)
                .await;
        }
    }
    next.run(Request::from_parts(parts, body)).await
}
