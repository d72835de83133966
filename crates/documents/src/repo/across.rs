//! Reads and writes across users, by design: the purge job's (retention ended, bytes still
//! stored, keys still referred to), the reminders' expiring documents and the admin's per-user usage.

use chrono::{DateTime, NaiveDate, Utc};
use mvp_types::ids::{DocumentId, VehicleId};
use sqlx::PgPool;

/// Deleted documents whose retention ended and whose bytes are still stored.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn due_for_purge(
    pool: &PgPool,
    deleted_before: DateTime<Utc>,
) -> sqlx::Result<Vec<(DocumentId, String)>> {
    let rows = sqlx::query!(
        r#"select id as "id: DocumentId", storage_key from documents
          where deleted_at is not null and deleted_at < $1 and purged_at is null
          order by deleted_at limit 1000"#,
        deleted_before,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.storage_key)).collect())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn mark_purged(pool: &PgPool, id: DocumentId) -> sqlx::Result<()> {
    sqlx::query!("update documents set purged_at = now() where id = $1", id.0)
        .execute(pool)
        .await?;
    Ok(())
}

/// Of `keys`, those some unpurged document row refers to.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn known_keys(pool: &PgPool, keys: &[String]) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "select storage_key from documents where storage_key = any($1) and purged_at is null",
        keys,
    )
    .fetch_all(pool)
    .await
}

/// A live document that expires on or before some day, with where to remind its owner.
#[derive(Debug, Clone)]
pub struct ExpiringDocument {
    pub id: DocumentId,
    pub user_id: String,
    pub vehicle_id: VehicleId,
    pub document_type: String,
    pub title: String,
    pub expiration_date: NaiveDate,
}

/// Live documents with an expiry date — of `user`, or of every user — expiring on or before `by`
/// when given (whatever their vehicle: the caller keeps those on live vehicles), soonest first.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn with_expiry(
    pool: &PgPool,
    user: Option<&str>,
    by: Option<NaiveDate>,
) -> sqlx::Result<Vec<ExpiringDocument>> {
    sqlx::query_as!(
        ExpiringDocument,
        r#"select id as "id: DocumentId", user_id, vehicle_id as "vehicle_id: VehicleId",
                  document_type, title, expiration_date as "expiration_date!"
             from documents
            where deleted_at is null and expiration_date is not null
              and ($1::text is null or user_id = $1) and ($2::date is null or expiration_date <= $2)
            order by expiration_date, id"#,
        user,
        by,
    )
    .fetch_all(pool)
    .await
}

/// Per user among `user_ids`: live documents and the bytes their files take (as [`super::usage`] counts
/// them). For the admin's user list; across users by design.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn usage_by_user(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query!(
        r#"select user_id, count(*) filter (where deleted_at is null) as "documents!",
                  coalesce(sum(size_bytes), 0)::bigint as "bytes!"
             from documents
            where user_id = any($1) and purged_at is null group by user_id"#,
        user_ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.user_id, r.documents, r.bytes))
        .collect())
}
