//! `AuthUser` and `AdminUser`: handlers name them as arguments and get a verified user, or the request
//! ends with a 401 / 403 in the standard error body before the handler runs.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use mvp_types::ids::UserId;

use crate::error::AppError;
use crate::state::AppState;

/// A request with a valid access token. `user_id` is the token's `sub`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: UserId,
    pub email: Option<String>,
    pub email_verified: bool,
    /// The token's `iat` (an erased account's older tokens are refused).
    pub issued_at: Option<i64>,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    /// With `auth.require_verified_email`, a user whose address is not verified is refused (403);
    /// routes that must work before verification take [`UnverifiedUser`] instead.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let UnverifiedUser(user) = UnverifiedUser::from_request_parts(parts, state).await?;
        if state.config.auth.require_verified_email && !user.email_verified {
            return Err(AppError::Forbidden(
                "verify your e-mail address first (see the link we sent)".to_owned(),
            ));
        }
        Ok(user)
    }
}

/// An authenticated user whose e-mail may not be verified yet (user status, resend verification).
#[derive(Debug, Clone)]
pub struct UnverifiedUser(pub AuthUser);

impl FromRequestParts<AppState> for UnverifiedUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(UnverifiedUser(user.clone()));
        }
        let token = bearer_token(parts)
            .ok_or_else(|| AppError::Unauthorized("no bearer token".to_owned()))?;
        let claims = state
            .verifier
            .verify(token)
            .await
            .map_err(|e| AppError::Unauthorized(e.to_string()))?;
        let user = AuthUser {
            user_id: UserId(claims.sub),
            email: claims.email,
            email_verified: claims.email_verified.unwrap_or(false),
            issued_at: claims.iat,
        };
        tracing::Span::current().record("user_id", user.user_id.short());
        parts.extensions.insert(user.clone());
        Ok(UnverifiedUser(user))
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// An authenticated user who is in `admin_users` (by user id, or by a verified e-mail).
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        let email = user.email.as_deref().filter(|_| user.email_verified);
        if crate::admin::is_admin(&state.db, &user.user_id, email).await? {
            Ok(AdminUser(user))
        } else {
            Err(AppError::Forbidden(
                "this action needs an administrator".to_owned(),
            ))
        }
    }
}
