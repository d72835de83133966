//! The admin list (`admin_users`): the check behind `AdminUser`, and granting (CLI `admin grant`,
//! `admin.bootstrap` in config).

use sqlx::PgPool;

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
pub async fn grant(pool: &PgPool, subject: &str, granted_by: &str) -> Result<Granted, sqlx::Error> {
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
