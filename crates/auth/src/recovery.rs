//! A forgotten or changed password (local provider): `POST /api/auth/password-reset` mails a
//! single-use link valid for an hour (202 whether or not the address has an account, so the route
//! tells nobody which addresses are registered); `…/password-reset/confirm` sets the new password
//! from that link; `POST /api/auth/change-password` sets it from the current one. Both end every
//! sign-in of the account (all its refresh tokens are revoked).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration as ChronoDuration, Utc};
use mvp_core::outbox::mask_email;
use mvp_core::ratelimit::Limit;
use mvp_core::secret::{hash_token, opaque_key, random_token};
use mvp_core::{AppError, AppJson, AppResult, AppState, ClientInfo, UnverifiedUser};
use mvp_types::Email;
use mvp_types::ids::UserId;
use mvp_types::limits::PASSWORD_MAX;
use mvp_types::user::{ChangePasswordRequest, PasswordResetConfirm, PasswordResetRequest};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::api::{local_only, mailed_link_limit};
use crate::domain::check_password;
use crate::{local, password, repo};

/// How long a reset link works.
pub const RESET_TTL_HOURS: i64 = 1;
const MINUTE: Duration = Duration::from_secs(60);

/// Mails a password-reset link when the address has an account. Always 202.
#[utoipa::path(post, path = "/api/auth/password-reset", tag = "auth",
    request_body = PasswordResetRequest,
    responses((status = 202, description = "Sent if the address has an account"),
              (status = 400, body = mvp_types::ErrorBody), (status = 429, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn request_reset(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<PasswordResetRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    local_only(&state)?;
    let email = Email::parse(&body.email).map_err(|m| AppError::validation("email", m))?;
    mailed_link_limit(&state, &client, "reset", &email).await?;
    if let Some(account) = repo::account_by_email(&state.db, &email.normalized()).await? {
        let token = random_token();
        let mut tx = state.db.begin().await?;
        repo::insert_password_reset(
            &mut tx,
            &account.user_id,
            &hash_token(&token),
            Utc::now() + ChronoDuration::hours(RESET_TTL_HOURS),
        )
        .await?;
        let mail = local::queue_link(
            &state,
            &mut tx,
            &local::LinkMail {
                template: "password_reset",
                path: "reset-password",
                hours: RESET_TTL_HOURS.to_string(),
            },
            &account.user_id,
            &account.email,
            &token,
        )
        .await?;
        tx.commit().await?;
        if let Some(id) = mail {
            mvp_notifications::send_now(&state, id).await;
        }
        tracing::info!(email = %mask_email(&email.normalized()), "password reset link sent");
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(
            json!({"message": "if this address has an account, a link to choose a new password is on its way"}),
        ),
    ))
}

/// Sets a new password from a reset link (single use, one hour); every sign-in of the account ends.
#[utoipa::path(post, path = "/api/auth/password-reset/confirm", tag = "auth",
    request_body = PasswordResetConfirm,
    responses((status = 204, description = "The password is changed; sign in with it"),
              (status = 400, description = "A weak password, or an unknown, used or expired link", body = mvp_types::ErrorBody),
              (status = 429, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn confirm_reset(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<PasswordResetConfirm>,
) -> AppResult<StatusCode> {
    local_only(&state)?;
    state
        .limiter
        .hit(
            &format!("reset-confirm:ip:{}", client.ip_key()),
            Limit {
                max: state.config.auth.rate_limits.login_per_minute,
                window: MINUTE,
            },
        )
        .await?;
    if let Some(problem) = check_password(&body.password, None) {
        return Err(AppError::validation("password", problem));
    }
    let hashed = password::hash(
        &state.work.passwords,
        SecretString::from(body.password.clone()),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let account = repo::consume_password_reset(&mut tx, &hash_token(body.token.trim()))
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "token",
                "this link is invalid, used or expired; ask for a new one",
            )
        })?;
    let email = Email::parse(&account.email).ok();
    if let Some(problem) = check_password(&body.password, email.as_ref()) {
        return Err(AppError::validation("password", problem));
    }
    let user = account.user_id.clone();
    repo::set_password(&mut tx, &user, &hashed, true).await?;
    let ended = repo::revoke_all_refresh(&mut tx, &user).await?;
    tx.commit().await?;
    tracing::info!(user = %user.short(), sign_ins_ended = ended, "password reset");
    Ok(StatusCode::NO_CONTENT)
}

/// Checks `password` against the local account of `user_id` (at most the sign-in rate per minute,
/// shared with password changes); a wrong one is a 400 naming `field`. For actions that ask for the
/// password again (changing it, deleting the account).
pub async fn confirm_password(
    state: &AppState,
    user_id: &UserId,
    password: &str,
    field: &str,
) -> AppResult<repo::Account> {
    local_only(state)?;
    state
        .limiter
        .hit(
            &format!("change-password:{}", opaque_key(user_id.as_str())),
            Limit {
                max: state.config.auth.rate_limits.login_per_minute,
                window: MINUTE,
            },
        )
        .await?;
    let account = {
        let mut conn = state.db.acquire().await?;
        repo::account_by_user(&mut conn, user_id)
            .await?
            .ok_or(AppError::NotFound("account"))?
    };
    let right = password.len() <= PASSWORD_MAX * 4
        && password::verify(
            &state.work.passwords,
            SecretString::from(password.to_owned()),
            Some(account.password_hash.clone()),
        )
        .await?;
    if right {
        Ok(account)
    } else if field == "currentPassword" {
        Err(AppError::validation(field, "is not your current password"))
    } else {
        Err(AppError::validation(field, "is not your password"))
    }
}

/// Changes the password of the signed-in account, given the current one; every sign-in of the
/// account ends (sign in again with the new password).
#[utoipa::path(post, path = "/api/auth/change-password", tag = "auth",
    request_body = ChangePasswordRequest, security(("bearer" = [])),
    responses((status = 204, description = "The password is changed"),
              (status = 400, description = "The current password is wrong, or the new one is weak", body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 429, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(state): State<AppState>,
    UnverifiedUser(user): UnverifiedUser,
    AppJson(body): AppJson<ChangePasswordRequest>,
) -> AppResult<StatusCode> {
    let user_id = user.user_id.clone();
    let account =
        confirm_password(&state, &user_id, &body.current_password, "currentPassword").await?;
    let email = Email::parse(&account.email).ok();
    if let Some(problem) = check_password(&body.new_password, email.as_ref()) {
        return Err(AppError::validation("newPassword", problem));
    }
    if body.new_password == body.current_password {
        return Err(AppError::validation(
            "newPassword",
            "is your current password; choose another",
        ));
    }
    let hashed =
        password::hash(&state.work.passwords, SecretString::from(body.new_password)).await?;
    let mut tx = state.db.begin().await?;
    repo::set_password(&mut tx, &user_id, &hashed, false).await?;
    let ended = repo::revoke_all_refresh(&mut tx, &user_id).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id.short(), sign_ins_ended = ended, "password changed");
    Ok(StatusCode::NO_CONTENT)
}
