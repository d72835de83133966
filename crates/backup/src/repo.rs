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
    pub schedules: Vec<String>,
    pub slot_at: Option<DateTime<Utc>>,
}

/// `sqlx::query_as!(BackupRow, …)` with the row's columns between `$before` and `$after`.
macro_rules! backup_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            BackupRow,
            $before
                + "id, kind, status, storage_key, size_bytes, sha256, schema_version, app_version,
                   error, created_at, finished_at, schedules, slot_at"
                + $after
            $(, $arg)*
        )
    };
}

/// What a new backup row says of itself.
#[derive(Debug, Clone)]
pub struct NewBackup<'a> {
    pub id: Uuid,
    pub kind: &'a str,
    pub key: &'a str,
    pub schema_version: i64,
    pub app_version: &'a str,
    /// For a scheduled backup: its schedules and the slot it fills.
    pub schedules: &'a [String],
    pub slot_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_running(pool: &PgPool, new: &NewBackup<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into backups (id, kind, status, storage_key, schema_version, app_version,
                              schedules, slot_at)
         values ($1, $2, 'running', $3, $4, $5, $6, $7)",
        new.id,
        new.kind,
        new.key,
        new.schema_version,
        new.app_version,
        new.schedules,
        new.slot_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A backup that is whole on arrival (an upload): `ready`, taken at `created_at`.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_ready(
    pool: &PgPool,
    new: &NewBackup<'_>,
    created_at: DateTime<Utc>,
    size: i64,
    sha256: &str,
) -> sqlx::Result<BackupRow> {
    backup_rows!(
        "insert into backups (id, kind, status, storage_key, schema_version, app_version,
                              size_bytes, sha256, created_at, finished_at)
         values ($1, $2, 'ready', $3, $4, $5, $6, $7, $8, now())
         returning ",
        "",
        new.id,
        new.kind,
        new.key,
        new.schema_version,
        new.app_version,
        size,
        sha256,
        created_at,
    )
    .fetch_one(pool)
    .await
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

/// Marks failed every `running` backup whose builder no longer holds the backup lock: the process
/// making it stopped (killed, crashed, restarted) before it finished. `lock_held`: the caller holds
/// the lock itself, so every running backup is such a one. Returns how many.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn expire_orphans(pool: &PgPool, lock_held: bool) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update backups
            set status = 'failed', finished_at = now(),
                error = 'interrupted: the process making it stopped before it finished'
          where status = 'running'
            and ($2 or not advisory_lock_held($1))",
        crate::lock::KEY,
        lock_held,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// The scheduled backups, for the scheduler and retention.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn scheduled(pool: &PgPool) -> sqlx::Result<Vec<BackupRow>> {
    backup_rows!(
        "select ",
        " from backups where kind = 'scheduled' order by slot_at desc, id desc"
    )
    .fetch_all(pool)
    .await
}

/// The `backup_settings` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRow {
    pub daily: bool,
    pub weekly: bool,
    pub monthly: bool,
    pub hour: i16,
    pub weekday: i16,
    pub time_zone: String,
    pub keep_daily: i32,
    pub keep_weekly: i32,
    pub keep_monthly: i32,
    pub updated_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn settings(pool: &PgPool) -> sqlx::Result<SettingsRow> {
    sqlx::query_as!(
        SettingsRow,
        "select daily, weekly, monthly, hour, weekday, time_zone, keep_daily, keep_weekly,
                keep_monthly, updated_at
           from backup_settings"
    )
    .fetch_one(pool)
    .await
}

/// Replaces the settings (`updated_at` is set here); returns them as stored.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn put_settings(
    conn: &mut sqlx::PgConnection,
    s: &SettingsRow,
) -> sqlx::Result<SettingsRow> {
    sqlx::query_as!(
        SettingsRow,
        "update backup_settings
            set daily = $1, weekly = $2, monthly = $3, hour = $4, weekday = $5, time_zone = $6,
                keep_daily = $7, keep_weekly = $8, keep_monthly = $9, updated_at = now()
         returning daily, weekly, monthly, hour, weekday, time_zone, keep_daily, keep_weekly,
                   keep_monthly, updated_at",
        s.daily,
        s.weekly,
        s.monthly,
        s.hour,
        s.weekday,
        s.time_zone,
        s.keep_daily,
        s.keep_weekly,
        s.keep_monthly,
    )
    .fetch_one(conn)
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

/// A row of `backup_restores`.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreRow {
    pub id: Uuid,
    pub backup_id: Uuid,
    pub status: String,
    pub stage: String,
    pub report: Option<serde_json::Value>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_restore(pool: &PgPool, id: Uuid, backup_id: Uuid) -> sqlx::Result<RestoreRow> {
    sqlx::query_as!(
        RestoreRow,
        "insert into backup_restores (id, backup_id, status, stage)
         values ($1, $2, 'running', 'unpacking')
         returning id, backup_id, status, stage, report, error, started_at, finished_at",
        id,
        backup_id,
    )
    .fetch_one(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn restore_stage(pool: &PgPool, id: Uuid, stage: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "update backup_restores set stage = $2 where id = $1 and status = 'running'",
        id,
        stage,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Records how a restore ended: `Ok(report)` done, `Err(reason)` failed.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn finish_restore(
    pool: &PgPool,
    id: Uuid,
    outcome: Result<serde_json::Value, &str>,
) -> sqlx::Result<()> {
    let (status, report, error) = match outcome {
        Ok(report) => ("done", Some(report), None),
        Err(error) => ("failed", None, Some(error)),
    };
    sqlx::query!(
        "update backup_restores set status = $2, report = $3, error = $4, finished_at = now()
          where id = $1",
        id,
        status,
        report,
        error,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The newest restore; a `running` one whose process no longer holds the backup lock is marked
/// failed first (it was killed or crashed: Postgres rolled its transaction back).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn latest_restore(pool: &PgPool) -> sqlx::Result<Option<RestoreRow>> {
    sqlx::query!(
        "update backup_restores
            set status = 'failed', finished_at = now(),
                error = 'interrupted: the process restoring stopped before it finished (its database transaction is all or nothing)'
          where status = 'running'
            and not advisory_lock_held($1)",
        crate::lock::KEY,
    )
    .execute(pool)
    .await?;
    sqlx::query_as!(
        RestoreRow,
        "select id, backup_id, status, stage, report, error, started_at, finished_at
           from backup_restores order by started_at desc, id desc limit 1"
    )
    .fetch_optional(pool)
    .await
}
