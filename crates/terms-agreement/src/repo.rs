//! `terms_agreements` queries, each scoped by user id.

use chrono::{DateTime, Utc};
use mvp_types::ids::UserId;
use sqlx::{PgConnection, PgPool};

/// One acceptance as it is recorded.
#[derive(Debug, Clone)]
pub struct Acceptance<'a> {
    pub user_id: &'a str,
    pub terms_version: &'a str,
    pub accepted_at: DateTime<Utc>,
    pub ip_address: Option<String>,
    pub user_agent: Option<&'a str>,
}

/// Records an acceptance on `conn` (pass the signup transaction, so account and acceptance are
/// written together or not at all), unless the user already accepted that version (one row per user
/// and version; accepting again is harmless). The unique index `terms_agreements_one_per_version` makes
/// this hold under concurrency too: of two simultaneous calls, one writes and the other does nothing.
/// Returns whether a row was written.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn record_once(
    conn: &mut PgConnection,
    acceptance: &Acceptance<'_>,
) -> sqlx::Result<bool> {
    let written = sqlx::query!(
        "insert into terms_agreements (id, user_id, terms_version, accepted_at, ip_address, user_agent)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (user_id, terms_version) where deleted_at is null do nothing",
        uuid::Uuid::now_v7(),
        acceptance.user_id,
        acceptance.terms_version,
        acceptance.accepted_at,
        acceptance.ip_address,
        acceptance.user_agent,
    )
    .execute(conn)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// Whether the user has accepted `version` of the terms.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn has_accepted_version(
    pool: &PgPool,
    user_id: &UserId,
    version: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from terms_agreements
                          where user_id = $1 and terms_version = $2 and deleted_at is null) as "accepted!""#,
        user_id.as_str(),
        version,
    )
    .fetch_one(pool)
    .await
}

/// Whether the user has accepted any version of the terms.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn has_accepted(pool: &PgPool, user_id: &UserId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from terms_agreements
                          where user_id = $1 and deleted_at is null) as "accepted!""#,
        user_id.as_str(),
    )
    .fetch_one(pool)
    .await
}
