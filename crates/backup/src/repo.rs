//! Queries on `backups`.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRow {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub storage_key: String,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub schema_version: i64,
    pub app_version: String,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// `sqlx::query_as!(BackupRow, …)` with the row's columns between `$before` and `$after`.
macro_rules! backup_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            BackupRow,
            $before
                + "id, kind, status, storage_key, size_bytes, sha256, schema_version, app_version,
                   error, created_at, finished_at"
                + $after
            $(, $arg)*
        )
    };
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_running(
    pool: &PgPool,
    id: Uuid,
    kind: &str,
    key: &str,
    schema_version: i64,
    app_version: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into backups (id, kind, status, storage_key, schema_version, app_version)
         values ($1, $2, 'running', $3, $4, $5)",
        id,
        kind,
        key,
        schema_version,
        app_version,
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn finish(
    pool: &PgPool,
    id: Uuid,
    outcome: Result<(i64, &str, i64), &str>,
) -> sqlx::Result<Option<BackupRow>> {
    let (status, size, sha, version, error) = match outcome {
        Ok((size, sha, version)) => ("ready", Some(size), Some(sha), Some(version), None),
        Err(error) => ("failed", None, None, None, Some(error)),
    };
    backup_rows!(
        "update backups set status = $2, size_bytes = $3, sha256 = $4,
                schema_version = coalesce($5, schema_version), error = $6, finished_at = now()
          where id = $1
          returning ",
        "",
        id,
        status,
        size,
        sha,
        version,
        error,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<BackupRow>> {
    backup_rows!("select ", " from backups order by created_at desc, id desc")
        .fetch_all(pool)
        .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<BackupRow>> {
    backup_rows!("select ", " from backups where id = $1", id)
        .fetch_optional(pool)
        .await
}

/// The newest migration applied (recorded with a backup, and compared with an archive's).
pub async fn schema_version(conn: impl sqlx::PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select coalesce(max(version), 0) as "v!" from _sqlx_migrations where success"#
    )
    .fetch_one(conn)
    .await
}

/// Whether a backup is being built now (one at a time).
pub async fn running(pool: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"select exists(select 1 from backups where status = 'running') as "x!""#)
        .fetch_one(pool)
        .await
}

/// Removes a finished backup's row; returns the row removed.
pub async fn delete(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<BackupRow>> {
    backup_rows!(
        "delete from backups where id = $1 and status <> 'running' returning ",
        "",
        id
    )
    .fetch_optional(pool)
    .await
}
