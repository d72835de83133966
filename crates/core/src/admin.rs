//! The admin list (`admin_users`): the check behind `AdminUser`, granting (CLI `admin grant`,
//! `admin.bootstrap` in config, `POST /api/admin/admins`) and revoking. It lives here, not in the
//! admin capsule, because every admin request's extractor reads it; mvp-admin changes it only
//! through these functions. Grants and revocations take one transaction-scoped advisory lock, so two
//! admins removing each other at once cannot leave nobody.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

use mvp_types::ids::UserId;

/// Whether this user is an admin, by id or (when the token vouches for it) by e-mail.
pub async fn is_admin(
    pool: &PgPool,
    user_id: &UserId,
    verified_email: Option<&str>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from admin_users
          where revoked_at is null
            and (user_id = $1 or ($2::text is not null and lower(email) = lower($2)))) as "admin!""#,
        user_id.as_str(),
        verified_email,
    )
    .fetch_one(pool)
    .await
}

/// What `grant` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted {
    Added,
    AlreadyAdmin,
}

/// Grants admin to a user id, or to an e-mail address (anything containing `@`). Idempotent.
pub async fn grant<'e>(
    pool: impl PgExecutor<'e>,
    subject: &str,
    granted_by: &str,
) -> Result<Granted, sqlx::Error> {
    let subject = subject.trim();
    let inserted = if subject.contains('@') {
        sqlx::query!(
            "insert into admin_users (email, created_by) values ($1, $2)
             on conflict (lower(email)) where revoked_at is null and email is not null do nothing",
            subject.to_lowercase(),
            granted_by,
        )
        .execute(pool)
        .await?
    } else {
        sqlx::query!(
            "insert into admin_users (user_id, created_by) values ($1, $2)
             on conflict (user_id) where revoked_at is null and user_id is not null do nothing",
            subject,
            granted_by,
        )
        .execute(pool)
        .await?
    };
    Ok(if inserted.rows_affected() == 1 {
        Granted::Added
    } else {
        Granted::AlreadyAdmin
    })
}

/// An active grant to a user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: String,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
}

/// Grants admin to `user_id` in the caller's transaction. Returns the active grant and whether it
/// was added now (false: the user already had it).
pub async fn grant_user(
    conn: &mut PgConnection,
    user_id: &UserId,
    granted_by: &UserId,
) -> Result<(Grant, bool), sqlx::Error> {
    crate::db::xact_lock(conn, "admin_users").await?;
    let added = grant(&mut *conn, user_id.as_str(), granted_by.as_str()).await? == Granted::Added;
    let grant = sqlx::query_as!(
        Grant,
        r#"select user_id as "user_id!", created_by as granted_by, created_at as granted_at
             from admin_users where user_id = $1 and revoked_at is null"#,
        user_id.as_str(),
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((grant, added))
}

/// What `revoke` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// The user's grants (by id, and by `email` when given) are revoked.
    Revoked,
    /// The user is not an admin.
    NotAdmin,
    /// Nobody would be left: refused.
    LastAdmin,
}

/// Revokes admin from `user_id` (and a grant to their `email`) in the caller's transaction, unless
/// that would leave no admin at all.
pub async fn revoke(
    conn: &mut PgConnection,
    user_id: &UserId,
    email: Option<&str>,
) -> Result<Revoked, sqlx::Error> {
    crate::db::xact_lock(conn, "admin_users").await?;
    let counts = sqlx::query!(
        r#"select count(*) filter (where user_id = $1 or ($2::text is not null and lower(email) = lower($2))) as "targeted!",
                  count(*) as "total!"
             from admin_users where revoked_at is null"#,
        user_id.as_str(),
        email,
    )
    .fetch_one(&mut *conn)
    .await?;
    if counts.targeted == 0 {
        return Ok(Revoked::NotAdmin);
    }
    if counts.total - counts.targeted < 1 {
        return Ok(Revoked::LastAdmin);
    }
    sqlx::query!(
        "update admin_users set revoked_at = now()
          where revoked_at is null
            and (user_id = $1 or ($2::text is not null and lower(email) = lower($2)))",
        user_id.as_str(),
        email,
    )
    .execute(&mut *conn)
    .await?;
    Ok(Revoked::Revoked)
}

/// Which of `users` (id and e-mail) are admins, by id or by e-mail.
pub async fn admins_among(
    pool: &PgPool,
    users: &[(String, Option<String>)],
) -> Result<HashSet<String>, sqlx::Error> {
    let ids: Vec<String> = users.iter().map(|(id, _)| id.clone()).collect();
    let emails: Vec<String> = users
        .iter()
        .map(|(_, email)| email.as_deref().unwrap_or_default().to_lowercase())
        .collect();
    let rows = sqlx::query_scalar!(
        r#"select u.id as "id!" from unnest($1::text[], $2::text[]) as u(id, email)
            where exists(select 1 from admin_users a
                          where a.revoked_at is null
                            and (a.user_id = u.id or (u.email <> '' and lower(a.email) = u.email)))"#,
        &ids,
        &emails,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}
