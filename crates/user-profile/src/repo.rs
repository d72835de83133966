//! `user_profiles` queries. Every one is scoped by the user id.

use chrono::{DateTime, Utc};
use mvp_types::ids::UserId;
use sqlx::PgPool;

use crate::domain::ProfileChanges;

#[derive(Debug, Clone)]
pub struct ProfileRow {
    pub user_id: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub notification_email: Option<String>,
    pub onboarding_completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Creates the profile if it does not exist (safe under concurrent first requests); fills in an
/// e-mail from the token when the profile has none.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn ensure(pool: &PgPool, user_id: &UserId, email: Option<&str>) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into user_profiles (id, user_id, email) values ($1, $2, $3)
         on conflict (user_id) do update set email = coalesce(user_profiles.email, excluded.email)
         where user_profiles.email is null and excluded.email is not null",
        uuid::Uuid::now_v7(),
        user_id.as_str(),
        email,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// [`ensure`] that also records the request as the user's last seen time (the middleware calls it
/// at most every few minutes per user).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn touch(
    pool: &PgPool,
    user_id: &UserId,
    email: Option<&str>,
    issued_at: Option<i64>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into user_profiles (id, user_id, email, last_seen_at)
         select $1, $2, $3, now()
          where not exists (select 1 from erased_accounts
                             where subject = $2 and ($4::bigint is null or erased_at >= to_timestamp($4)))
         on conflict (user_id) do update
            set email = coalesce(user_profiles.email, excluded.email), last_seen_at = now()",
        uuid::Uuid::now_v7(),
        user_id.as_str(),
        email,
        issued_at,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks `user_id` erased (their tokens issued until now stop working).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn mark_erased(conn: &mut sqlx::PgConnection, user_id: &UserId) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into erased_accounts (subject) values ($1)
         on conflict (subject) do update set erased_at = now()",
        user_id.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One user as the admin's list shows them.
#[derive(Debug, Clone)]
pub struct UserListRow {
    pub user_id: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// Users with a live profile, newest first, whose e-mail or id contains `query` (any letter case),
/// a page of them and how many match.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn list(
    pool: &PgPool,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<UserListRow>, i64)> {
    let pattern = query.map(mvp_core::db::contains_pattern);
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from user_profiles
            where deleted_at is null
              and ($1::text is null or lower(coalesce(email, '')) like $1 or lower(user_id) like $1)"#,
        pattern,
    )
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query_as!(
        UserListRow,
        "select user_id, email, created_at, last_seen_at from user_profiles
          where deleted_at is null
            and ($1::text is null or lower(coalesce(email, '')) like $1 or lower(user_id) like $1)
          order by created_at desc, user_id
          limit $2 offset $3",
        pattern,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

/// The sign-in e-mail of a user with a live profile.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn email_of(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Option<String>> {
    Ok(sqlx::query_scalar!(
        "select email from user_profiles where user_id = $1 and deleted_at is null",
        user_id.as_str(),
    )
    .fetch_optional(pool)
    .await?
    .flatten())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as!(
        ProfileRow,
        "select user_id, email, display_name, notification_email, onboarding_completed_at, created_at
           from user_profiles where user_id = $1 and deleted_at is null",
        user_id.as_str(),
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update(
    pool: &PgPool,
    user_id: &UserId,
    changes: &ProfileChanges,
) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as!(
        ProfileRow,
        "update user_profiles set display_name = $2, notification_email = $3
          where user_id = $1 and deleted_at is null
         returning user_id, email, display_name, notification_email, onboarding_completed_at,
                   created_at",
        user_id.as_str(),
        changes.display_name,
        changes.notification_email,
    )
    .fetch_optional(pool)
    .await
}

/// Marks onboarding complete; the first completion time is kept. Returns it.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn complete_onboarding(pool: &PgPool, user_id: &UserId) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar!(
        r#"update user_profiles set onboarding_completed_at = coalesce(onboarding_completed_at, now())
            where user_id = $1 and deleted_at is null
           returning onboarding_completed_at as "completed_at!""#,
        user_id.as_str(),
    )
    .fetch_one(pool)
    .await
}

/// Where to write to each of `user_ids` that has a live profile: the notification address, else the
/// sign-in address. For background jobs across users.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn notification_addresses(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        r#"select user_id, coalesce(notification_email, email) as "address!" from user_profiles
            where user_id = any($1) and deleted_at is null
              and coalesce(notification_email, email) is not null"#,
        user_ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.address)).collect())
}
