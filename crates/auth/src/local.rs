//! The local identity provider's flows: create an account (with its terms acceptance, in one
//! transaction), send and consume verification links, issue access + refresh tokens, rotate refresh
//! tokens (reuse of a rotated one revokes the whole family), and log out.

use chrono::{Duration as ChronoDuration, Utc};
use mvp_core::error::DbResultExt as _;
use mvp_core::secret::{hash_token, random_token};
use mvp_core::{AppError, AppResult, AppState, ClientInfo};
use mvp_types::Email;
use mvp_types::ids::UserId;
use mvp_types::user::TokenResponse;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::NewAccount;
use crate::{password, repo};

#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    iat: i64,
    exp: i64,
    email: &'a str,
    email_verified: bool,
}

/// Creates a local account and records the terms acceptance in the same transaction; then sends the
/// verification link. Returns the new user id.
pub async fn create_account(
    state: &AppState,
    account: NewAccount,
    client: &ClientInfo,
) -> AppResult<String> {
    let user_id = UserId(Uuid::new_v4().to_string());
    let hash = password::hash(&state.work.passwords, account.password).await?;
    let mut tx = state.db.begin().await?;
    repo::insert_account(
        &mut tx,
        &user_id,
        account.email.as_str(),
        &account.email.normalized(),
        &hash,
    )
    .await
    .on_constraint("local_accounts_email_key", || {
        AppError::Conflict("an account with this e-mail address already exists".to_owned())
    })?;
    mvp_terms_agreement::record_once(
        &mut tx,
        &mvp_terms_agreement::Acceptance {
            user_id: user_id.as_str(),
            terms_version: &state.config.auth.terms_version,
            accepted_at: Utc::now(),
            ip_address: client.ip.map(|ip| ip.to_string()),
            user_agent: client.user_agent.as_deref(),
        },
    )
    .await?;
    let token = random_token();
    let expires = Utc::now()
        + ChronoDuration::hours(
            i64::try_from(state.config.auth.local.verification_ttl_hours).unwrap_or(24),
        );
    repo::insert_verification(&mut tx, &user_id, &hash_token(&token), expires).await?;
    let mail = queue_verification(state, &mut tx, &user_id, &account.email, &token).await?;
    tx.commit().await?;

    mvp_user_profile::ensure(&state.db, &user_id, Some(account.email.as_str())).await?;
    if let Some(id) = mail {
        mvp_notifications::send_now(state, id).await;
    }
    tracing::info!(user = %user_id.short(), "local account created");
    Ok(user_id.0)
}

/// A fresh verification link for an unverified account (nothing for unknown or verified ones).
pub async fn resend_verification(state: &AppState, email: &Email) -> AppResult<()> {
    let Some(account) = repo::account_by_email(&state.db, &email.normalized()).await? else {
        return Ok(());
    };
    if account.email_verified_at.is_some() {
        return Ok(());
    }
    let token = random_token();
    let expires = Utc::now()
        + ChronoDuration::hours(
            i64::try_from(state.config.auth.local.verification_ttl_hours).unwrap_or(24),
        );
    let mut tx = state.db.begin().await?;
    repo::insert_verification(&mut tx, &account.user_id, &hash_token(&token), expires).await?;
    let mail = queue_verification(state, &mut tx, &account.user_id, email, &token).await?;
    tx.commit().await?;
    if let Some(id) = mail {
        mvp_notifications::send_now(state, id).await;
    }
    Ok(())
}

/// A mailed single-use link: its template, the SPA page it opens (`<path>?token=…`) and the hours
/// it stays valid (said in the mail).
#[derive(Debug)]
pub struct LinkMail {
    pub template: &'static str,
    pub path: &'static str,
    pub hours: String,
}

/// Queues the mail of a single-use link (verification, password reset) in the transaction that
/// stores its token; the caller sends it once committed. One message per token (idempotency key).
pub async fn queue_link(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    mail: &LinkMail,
    user_id: &UserId,
    to: &str,
    token: &str,
) -> AppResult<Option<uuid::Uuid>> {
    let base = state.config.server.public_url.trim_end_matches('/');
    let link = format!("{base}/{}?token={token}", mail.path);
    let key = mvp_core::secret::hex(&hash_token(token));
    mvp_notifications::queue_email(
        conn,
        &mvp_notifications::Email {
            user_id: Some(user_id.as_str()),
            to,
            template: mail.template,
            vars: mvp_notifications::templates::Vars::from([
                ("link", link),
                ("hours", mail.hours.clone()),
                ("email", to.to_owned()),
            ]),
            idempotency_key: format!("{}:{key}", mail.template),
        },
    )
    .await
}

/// The verification mail ([`queue_link`] with `verify_email`).
async fn queue_verification(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    user_id: &UserId,
    email: &Email,
    token: &str,
) -> AppResult<Option<uuid::Uuid>> {
    let mail = LinkMail {
        template: "verify_email",
        path: "verify-email",
        hours: state.config.auth.local.verification_ttl_hours.to_string(),
    };
    queue_link(state, conn, &mail, user_id, email.as_str(), token).await
}

/// Signs an access token and starts (or continues) a refresh-token family. A new family ends
/// `auth.local.refresh_family_max_days` from now; a continued one keeps its end, so rotating can
/// never keep a sign-in alive past it.
pub async fn issue_tokens(
    state: &AppState,
    account: &repo::Account,
    family: Option<repo::Family>,
    client: &ClientInfo,
    conn: &mut sqlx::PgConnection,
) -> AppResult<TokenResponse> {
    let key = state
        .signing_key
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("local provider without a signing key"))?;
    let ttl = state.config.auth.local.access_token_ttl_secs;
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        iss: state.config.auth.issuer(),
        aud: &state.config.auth.audience,
        sub: account.user_id.as_str(),
        iat: now,
        exp: now + i64::try_from(ttl).unwrap_or(900),
        email: &account.email,
        email_verified: account.email_verified_at.is_some(),
    };
    let access_token = key.sign(&claims).map_err(anyhow::Error::from)?;
    let refresh_token = random_token();
    let expires = Utc::now()
        + ChronoDuration::days(
            i64::try_from(state.config.auth.local.refresh_token_ttl_days).unwrap_or(30),
        );
    let family = family.unwrap_or_else(|| repo::Family {
        id: Uuid::now_v7(),
        expires_at: Utc::now()
            + ChronoDuration::days(
                i64::try_from(state.config.auth.local.refresh_family_max_days).unwrap_or(90),
            ),
    });
    repo::insert_refresh(
        conn,
        &account.user_id,
        family,
        &hash_token(&refresh_token),
        expires,
        client.user_agent.as_deref(),
    )
    .await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
        refresh_token,
    })
}

/// Rotates a refresh token. A token that was already rotated is a sign of theft: the whole family is
/// revoked (committed) and the caller gets a 401.
pub async fn refresh(
    state: &AppState,
    token: &str,
    client: &ClientInfo,
) -> AppResult<TokenResponse> {
    let mut tx = state.db.begin().await?;
    let Some(row) = repo::refresh_for_update(&mut tx, &hash_token(token)).await? else {
        return Err(AppError::Unauthorized("unknown refresh token".to_owned()));
    };
    if row.revoked_at.is_some() {
        return Err(AppError::Unauthorized("revoked refresh token".to_owned()));
    }
    if row.used_at.is_some() {
        let revoked = repo::revoke_family(&mut tx, &row.user_id, row.family_id).await?;
        tx.commit().await?;
        tracing::warn!(
            user = %row.user_id.short(),
            revoked,
            "refresh token reused; its family is revoked"
        );
        return Err(AppError::Unauthorized("reused refresh token".to_owned()));
    }
    if row.expires_at <= Utc::now() || row.family_expires_at <= Utc::now() {
        return Err(AppError::Unauthorized("expired refresh token".to_owned()));
    }
    let account = repo::account_by_user(&mut tx, &row.user_id)
        .await?
        .ok_or_else(|| AppError::Unauthorized("account no longer exists".to_owned()))?;
    repo::mark_refresh_used(&mut tx, row.id).await?;
    let family = repo::Family {
        id: row.family_id,
        expires_at: row.family_expires_at,
    };
    let tokens = issue_tokens(state, &account, Some(family), client, &mut tx).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Revokes the family of `token`. Unknown tokens are ignored (logging out twice is fine).
pub async fn logout(state: &AppState, token: &str) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if let Some(row) = repo::refresh_for_update(&mut tx, &hash_token(token)).await? {
        repo::revoke_family(&mut tx, &row.user_id, row.family_id).await?;
    }
    tx.commit().await?;
    Ok(())
}
