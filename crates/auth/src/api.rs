//! Handlers of `/api/auth/*`. Login, refresh, logout, verify-email and the JWKS exist only with the
//! local provider (404 otherwise); signup, resend-verification and user-status work with both.

use mvp_types::ids::UserId;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use mvp_core::config::AuthProvider;
use mvp_core::outbox::mask_email;
use mvp_core::ratelimit::{Backoff, Limit};
use mvp_core::secret::{hash_token, opaque_key};
use mvp_core::{AppError, AppJson, AppResult, AppState, ClientInfo, UnverifiedUser};
use mvp_types::Email;
use mvp_types::limits::PASSWORD_MAX;
use mvp_types::user::{
    AcceptTermsRequest, LoginRequest, RefreshRequest, ResendVerificationRequest, SignupRequest,
    SignupResponse, TokenResponse, UserStatus, VerifyEmailResponse,
};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::NewAccount;
use crate::{local, password, repo};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

pub(crate) fn local_only(state: &AppState) -> AppResult<()> {
    match state.config.auth.provider {
        AuthProvider::Local => Ok(()),
        AuthProvider::Oidc => Err(AppError::NotFound("route")),
    }
}

/// Creates an account (local provider, or at Auth0) with the terms acceptance recorded.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse),
              (status = 400, description = "A rule broken (terms not accepted, weak password …)", body = mvp_types::ErrorBody),
              (status = 409, description = "The e-mail address is taken", body = mvp_types::ErrorBody),
              (status = 429, body = mvp_types::ErrorBody),
              (status = 502, description = "The identity provider failed", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn signup(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<SignupRequest>,
) -> AppResult<(StatusCode, Json<SignupResponse>)> {
    let limits = &state.config.auth.rate_limits;
    state
        .limiter
        .hit(
            &format!("signup:ip:{}", client.ip_key()),
            Limit {
                max: limits.signup_per_hour,
                window: HOUR,
            },
        )
        .await?;
    let account = NewAccount::try_from(body)?;
    let email = account.email.as_str().to_owned();
    let user_id = match state.config.auth.provider {
        AuthProvider::Local => local::create_account(&state, account, &client).await?,
        AuthProvider::Oidc => {
            let auth0 = state.auth0.clone().ok_or_else(|| {
                AppError::BadRequest("sign-up happens at the identity provider".to_owned())
            })?;
            let user_id = {
                use secrecy::ExposeSecret as _;
                auth0
                    .create_user(account.email.as_str(), account.password.expose_secret())
                    .await?
            };
            let mut conn = state.db.acquire().await?;
            mvp_terms_agreement::record_once(
                &mut conn,
                &mvp_terms_agreement::Acceptance {
                    user_id: &user_id,
                    terms_version: &state.config.auth.terms_version,
                    accepted_at: Utc::now(),
                    ip_address: client.ip.map(|ip| ip.to_string()),
                    user_agent: client.user_agent.as_deref(),
                },
            )
            .await?;
            drop(conn);
            mvp_user_profile::ensure(&state.db, &UserId(user_id.clone()), Some(&email)).await?;
            user_id
        }
    };
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            user_id,
            email,
            verification_sent: true,
        }),
    ))
}

/// The hourly limit on asking for a mailed link (`auth.rate_limits.resend_per_hour`), per IP and per
/// address: `what` names the kind of link (`resend`, `reset`).
pub(crate) async fn mailed_link_limit(
    state: &AppState,
    client: &ClientInfo,
    what: &str,
    email: &Email,
) -> AppResult<()> {
    let limit = Limit {
        max: state.config.auth.rate_limits.resend_per_hour,
        window: HOUR,
    };
    state
        .limiter
        .hit(&format!("{what}:ip:{}", client.ip_key()), limit)
        .await?;
    state
        .limiter
        .hit(
            &format!("{what}:acct:{}", opaque_key(&email.normalized())),
            limit,
        )
        .await?;
    Ok(())
}

/// Sends the verification e-mail again. Answers the same whether or not the address has an account.
#[utoipa::path(post, path = "/api/auth/resend-verification", tag = "auth",
    request_body = ResendVerificationRequest,
    responses((status = 202, description = "Sent if the account exists and is unverified"),
              (status = 400, body = mvp_types::ErrorBody), (status = 429, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn resend_verification(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<ResendVerificationRequest>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let email = Email::parse(&body.email).map_err(|m| AppError::validation("email", m))?;
    mailed_link_limit(&state, &client, "resend", &email).await?;
    match state.config.auth.provider {
        AuthProvider::Local => local::resend_verification(&state, &email).await?,
        AuthProvider::Oidc => {
            if let Some(auth0) = state.auth0.clone() {
                match auth0.resend_verification(email.as_str()).await {
                    Ok(()) | Err(mvp_core::auth::auth0::Auth0Error::UnknownUser) => {}
                    Err(other) => return Err(other.into()),
                }
            }
        }
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(
            json!({"message": "if this address has an unverified account, a new link is on its way"}),
        ),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The token from the e-mailed link.
    pub token: String,
}

/// Consumes a verification link (single use, expiring).
#[utoipa::path(get, path = "/api/auth/verify-email", tag = "auth", params(VerifyQuery),
    responses((status = 200, body = VerifyEmailResponse),
              (status = 400, description = "Unknown, used or expired token", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    State(state): State<AppState>,
    Query(query): Query<VerifyQuery>,
) -> AppResult<Json<VerifyEmailResponse>> {
    local_only(&state)?;
    let email = repo::consume_verification(&state.db, &hash_token(query.token.trim()))
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "token",
                "this verification link is invalid, used or expired",
            )
        })?;
    Ok(Json(VerifyEmailResponse {
        verified: true,
        email,
    }))
}

/// Signs in with e-mail and password (local provider).
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse),
              (status = 401, description = "Wrong e-mail or password (one answer for both)", body = mvp_types::ErrorBody),
              (status = 429, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<LoginRequest>,
) -> AppResult<Json<TokenResponse>> {
    local_only(&state)?;
    let normalized = body.email.trim().to_lowercase();
    let limit = Limit {
        max: state.config.auth.rate_limits.login_per_minute,
        window: MINUTE,
    };
    state
        .limiter
        .hit(&format!("login:ip:{}", client.ip_key()), limit)
        .await?;
    // Failures slow the guesser down progressively instead of locking the owner out: the account
    // from this address, and (ten times more lenient) the account from everywhere.
    let account_key = format!("login:acct:{}", opaque_key(&normalized));
    let pair_key = format!("{account_key}:{}", client.ip_key());
    let settings = &state.config.auth.rate_limits;
    let pair_backoff = Backoff {
        free: settings.login_free_failures,
        max_wait: Duration::from_secs(settings.login_max_wait_secs),
        memory: Duration::from_secs(24 * 3600),
    };
    let account_backoff = Backoff {
        free: settings.login_free_failures.saturating_mul(10),
        ..pair_backoff
    };
    state.limiter.check_backoff(&pair_key).await?;
    state.limiter.check_backoff(&account_key).await?;
    // Argon2 hashes any length, but an unbounded input is a cheap way to burn CPU.
    if body.password.len() > PASSWORD_MAX * 4 {
        state.limiter.fail(&pair_key, pair_backoff).await;
        return Err(AppError::InvalidCredentials);
    }
    let account = repo::account_by_email(&state.db, &normalized).await?;
    let ok = password::verify(
        &state.work.passwords,
        SecretString::from(body.password),
        account.as_ref().map(|a| a.password_hash.clone()),
    )
    .await?;
    let account = match (ok, account) {
        (true, Some(account)) => account,
        _ => {
            tracing::info!(email = %mask_email(&normalized), "failed login");
            state.limiter.fail(&pair_key, pair_backoff).await;
            state.limiter.fail(&account_key, account_backoff).await;
            return Err(AppError::InvalidCredentials);
        }
    };
    state.limiter.succeed(&pair_key).await;
    state.limiter.succeed(&account_key).await;
    let mut conn = state.db.acquire().await?;
    let tokens = local::issue_tokens(&state, &account, None, &client, &mut conn).await?;
    Ok(Json(tokens))
}

/// Trades a refresh token for new tokens. Each refresh token works once; presenting a used one
/// revokes every token descended from the same sign-in.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<RefreshRequest>,
) -> AppResult<Json<TokenResponse>> {
    local_only(&state)?;
    Ok(Json(
        local::refresh(&state, body.refresh_token.trim(), &client).await?,
    ))
}

/// Signs out: the refresh token and its family stop working.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "Signed out")))]
#[tracing::instrument(skip_all)]
pub async fn logout(
    State(state): State<AppState>,
    AppJson(body): AppJson<RefreshRequest>,
) -> AppResult<StatusCode> {
    local_only(&state)?;
    local::logout(&state, body.refresh_token.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the SPA needs to route a signed-in user: verified, onboarded, admin, terms accepted.
#[utoipa::path(get, path = "/api/auth/user-status", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserStatus), (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn user_status(
    State(state): State<AppState>,
    UnverifiedUser(user): UnverifiedUser,
) -> AppResult<Json<UserStatus>> {
    let user_id = &user.user_id;
    let email_verified = match state.config.auth.provider {
        AuthProvider::Local => {
            let mut conn = state.db.acquire().await?;
            repo::account_by_user(&mut conn, user_id)
                .await?
                .is_some_and(|a| a.email_verified_at.is_some())
        }
        AuthProvider::Oidc => user.email_verified,
    };
    let onboarding_completed = mvp_user_profile::current(&state.db, &user)
        .await?
        .onboarding_completed_at
        .is_some();
    let verified_email = user.email.as_deref().filter(|_| user.email_verified);
    let is_admin = mvp_core::admin::is_admin(&state.db, &user.user_id, verified_email).await?;
    let terms_accepted = mvp_terms_agreement::accepted_current(&state, user_id).await?;
    Ok(Json(UserStatus {
        email_verified,
        onboarding_completed,
        is_admin,
        terms_accepted,
    }))
}

/// Accepts the current terms of service (an OIDC user who signed up at the identity provider, or
/// anyone after the terms changed). Until then data routes answer 403 `forbidden`. Accepting again is
/// harmless: one acceptance per user and version is recorded.
#[utoipa::path(post, path = "/api/auth/accept-terms", tag = "auth", security(("bearer" = [])),
    request_body = AcceptTermsRequest,
    responses((status = 204, description = "Accepted"),
              (status = 400, description = "Not the current version", body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn accept_terms(
    State(state): State<AppState>,
    UnverifiedUser(user): UnverifiedUser,
    client: ClientInfo,
    AppJson(body): AppJson<AcceptTermsRequest>,
) -> AppResult<StatusCode> {
    let current = &state.config.auth.terms_version;
    if body.version.trim() != current {
        return Err(AppError::validation(
            "version",
            format!("the current terms are version {current}; read and accept those"),
        ));
    }
    let user_id = &user.user_id;
    let mut conn = state.db.acquire().await?;
    mvp_terms_agreement::record_once(
        &mut conn,
        &mvp_terms_agreement::Acceptance {
            user_id: user_id.as_str(),
            terms_version: current,
            accepted_at: Utc::now(),
            ip_address: client.ip.map(|ip| ip.to_string()),
            user_agent: client.user_agent.as_deref(),
        },
    )
    .await?;
    mvp_terms_agreement::remember_accepted(&state, user_id, current).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The local provider's public signing keys (JWKS).
#[utoipa::path(get, path = "/api/auth/jwks.json", tag = "auth",
    responses((status = 200, description = "JSON Web Key Set", body = Value),
              (status = 404, description = "Not the local provider", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn jwks(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let key = state
        .signing_key
        .as_ref()
        .ok_or(AppError::NotFound("key set"))?;
    let set = mvp_core::auth::local::jwks(key);
    Ok(Json(
        serde_json::to_value(set).map_err(anyhow::Error::from)?,
    ))
}
