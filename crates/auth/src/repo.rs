//! Queries on `local_accounts`, `email_verification_tokens`, `password_reset_tokens` and
//! `refresh_tokens`. Tokens are looked
//! up by their SHA-256 only.

use chrono::{DateTime, Utc};
use mvp_types::ids::UserId;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: UserId,
    pub email: String,
    pub password_hash: String,
    pub email_verified_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_account(
    conn: &mut PgConnection,
    user_id: &UserId,
    email: &str,
    email_normalized: &str,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into local_accounts (id, user_id, email, email_normalized, password_hash)
         values ($1, $2, $3, $4, $5)",
        Uuid::now_v7(),
        user_id.as_str(),
        email,
        email_normalized,
        password_hash,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn account_by_email(
    pool: &PgPool,
    email_normalized: &str,
) -> sqlx::Result<Option<Account>> {
    sqlx::query_as!(
        Account,
        r#"select user_id as "user_id: UserId", email, password_hash, email_verified_at
           from local_accounts
         where email_normalized = $1 and deleted_at is null"#,
        email_normalized,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn account_by_user(
    conn: &mut PgConnection,
    user_id: &UserId,
) -> sqlx::Result<Option<Account>> {
    sqlx::query_as!(
        Account,
        r#"select user_id as "user_id: UserId", email, password_hash, email_verified_at
           from local_accounts
         where user_id = $1 and deleted_at is null"#,
        user_id.as_str(),
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_verification(
    conn: &mut PgConnection,
    user_id: &UserId,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into email_verification_tokens (id, user_id, token_hash, expires_at)
         values ($1, $2, $3, $4)",
        Uuid::now_v7(),
        user_id.as_str(),
        token_hash,
        expires_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Consumes a verification token: marks it used and the account verified. Returns the account's
/// e-mail, or `None` when the token is unknown, used or expired.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn consume_verification(
    pool: &PgPool,
    token_hash: &[u8],
) -> sqlx::Result<Option<String>> {
    let mut tx = pool.begin().await?;
    let user_id: Option<String> = sqlx::query_scalar!(
        "update email_verification_tokens set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning user_id",
        token_hash,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let email: Option<String> = sqlx::query_scalar!(
        "update local_accounts set email_verified_at = coalesce(email_verified_at, now())
         where user_id = $1 and deleted_at is null returning email",
        user_id.as_str(),
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(email)
}

#[derive(Debug)]
pub struct RefreshRow {
    pub id: Uuid,
    pub user_id: UserId,
    pub family_id: Uuid,
    /// When the family ends, however often it is rotated.
    pub family_expires_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refresh-token family: one sign-in and its rotations, ending at `expires_at` at the latest.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    pub id: Uuid,
    pub expires_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_refresh(
    conn: &mut PgConnection,
    user_id: &UserId,
    family: Family,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
    user_agent: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into refresh_tokens
           (id, user_id, family_id, family_expires_at, token_hash, expires_at, user_agent)
         values ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::now_v7(),
        user_id.as_str(),
        family.id,
        family.expires_at,
        token_hash,
        expires_at.min(family.expires_at),
        user_agent,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The token row, locked for the rest of the transaction so two refreshes cannot both rotate it.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn refresh_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> sqlx::Result<Option<RefreshRow>> {
    sqlx::query_as!(
        RefreshRow,
        r#"select id, user_id as "user_id: UserId", family_id, family_expires_at, expires_at, used_at,
                  revoked_at
           from refresh_tokens where token_hash = $1 for update"#,
        token_hash,
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn mark_refresh_used(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "update refresh_tokens set used_at = now() where id = $1",
        id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes every live token of a family (logout, or reuse of a rotated token).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn revoke_family(
    conn: &mut PgConnection,
    user_id: &UserId,
    family_id: Uuid,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update refresh_tokens set revoked_at = now()
         where user_id = $1 and family_id = $2 and revoked_at is null",
        user_id.as_str(),
        family_id,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_password_reset(
    conn: &mut PgConnection,
    user_id: &UserId,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into password_reset_tokens (id, user_id, token_hash, expires_at)
         values ($1, $2, $3, $4)",
        Uuid::now_v7(),
        user_id.as_str(),
        token_hash,
        expires_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Consumes a password-reset token (single use, unexpired) and every other unused one of the same
/// user; returns the account, or `None` when the token is unknown, used or expired.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn consume_password_reset(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> sqlx::Result<Option<Account>> {
    let user_id: Option<String> = sqlx::query_scalar!(
        "update password_reset_tokens set used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning user_id",
        token_hash,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    sqlx::query!(
        "update password_reset_tokens set used_at = now() where user_id = $1 and used_at is null",
        user_id.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    account_by_user(conn, &UserId(user_id)).await
}

/// A new password hash; a reset (the link proves the address) also verifies the e-mail address.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn set_password(
    conn: &mut PgConnection,
    user_id: &UserId,
    password_hash: &str,
    verifies_email: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update local_accounts
            set password_hash = $2,
                email_verified_at = case when $3 then coalesce(email_verified_at, now())
                                         else email_verified_at end
          where user_id = $1 and deleted_at is null",
        user_id.as_str(),
        password_hash,
        verifies_email,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes every live refresh token of the user (a password change or reset): every sign-in ends.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn revoke_all_refresh(conn: &mut PgConnection, user_id: &UserId) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null",
        user_id.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
