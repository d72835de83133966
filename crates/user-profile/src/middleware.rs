//! Creates a user's profile on their first authenticated request and keeps their last-seen time.
//! Runs for every request that carries a valid token; a cache entry remembers users seen in the last
//! five minutes, so the common case costs one in-process cache read and last-seen is exact to that.

use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mvp_core::{AppError, AppState, UnverifiedUser};

const SEEN_TTL: Duration = Duration::from_secs(300);

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
        let key = format!("profile:seen:{}", user.user_id);
        if state.cache.get_bytes_near(&key, SEEN_TTL).await.is_none() {
            if let Err(err) =
                crate::repo::touch(&state.db, &user.user_id, user.email.as_deref()).await
            {
                return AppError::from(err).into_response();
            }
            state
                .cache
                .set_bytes_near(&key, vec![1u8].into(), SEEN_TTL, SEEN_TTL)
                .await;
        }
    }
    next.run(Request::from_parts(parts, body)).await
}
