//! mvp-backup: whole-instance backups. An archive ([`archive`]) holds every table of the app as one
//! consistent snapshot and every stored document and vehicle image ([`snapshot`]), with a manifest
//! of each member's size and SHA-256 and a seal over every byte; it is stored under `backups/` in
//! the app's storage and listed in `backups`. The identity keys and secrets are not in it.
//! Backups are made on demand ([`create`], "Back up now"), on a schedule with retention
//! ([`run_schedule`], [`schedule`]) or uploaded ([`upload`]); [`restore`] puts one back. One
//! backup or restore runs at a time across replicas ([`lock`]).

pub mod api;
pub mod archive;
pub mod lock;
pub mod repo;
pub mod restore;
pub mod schedule;
pub mod settings;
pub mod snapshot;
pub mod upgrade;
pub mod upload;

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use mvp_core::storage::Storage;
use sqlx::PgPool;
use uuid::Uuid;

pub use repo::BackupRow;
pub use restore::{RestoreError, Restored, restore};
pub use upload::{UploadError, upload};

/// Why nothing started.
pub const BUSY: &str = "another backup or restore is running; try again when it has finished";

/// How a backup came to be (the `kind` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Manual,
    Scheduled,
    Uploaded,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Scheduled => "scheduled",
            Self::Uploaded => "uploaded",
        }
    }
}

/// Where an archive is stored.
pub fn storage_key(id: Uuid) -> String {
    format!("backups/{id}.tar.gz")
}

/// Removes a staging directory when dropped, whatever happened.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Takes a backup now and waits for it: the row is `running` while the archive is built in the
/// staging directory, then `ready` with the archive's size and SHA-256 once it is stored, or
/// `failed` with the reason. An error, and nothing made, while another backup or restore runs.
pub async fn create(pool: &PgPool, storage: &Storage, kind: Kind) -> anyhow::Result<BackupRow> {
    let Some((held, row)) = begin(pool, kind).await? else {
        anyhow::bail!(BUSY);
    };
    let done = complete(pool, storage, row.id).await;
    held.release().await;
    done
}

/// Takes the backup lock and records a `running` backup, which [`complete`] builds; the lock is
/// the caller's to release when it has. `None` while another backup or restore runs.
pub async fn begin(pool: &PgPool, kind: Kind) -> anyhow::Result<Option<(lock::Held, BackupRow)>> {
    let Some(held) = lock::try_acquire(pool).await? else {
        return Ok(None);
    };
    repo::expire_orphans(pool, true).await?;
    let row = start(pool, kind, &[], None).await?;
    Ok(Some((held, row)))
}

/// The `running` row of a backup about to be built (under the lock).
async fn start(
    pool: &PgPool,
    kind: Kind,
    schedules: &[String],
    slot_at: Option<DateTime<Utc>>,
) -> anyhow::Result<BackupRow> {
    let id = Uuid::now_v7();
    let key = storage_key(id);
    repo::insert_running(
        pool,
        &repo::NewBackup {
            id,
            kind: kind.as_str(),
            key: &key,
            schema_version: repo::schema_version(pool).await?,
            app_version: env!("CARGO_PKG_VERSION"),
            schedules,
            slot_at,
        },
    )
    .await?;
    repo::find(pool, id)
        .await?
        .context("the backup row disappeared")
}

/// Builds and stores the archive of the running backup `id`, and records how it ended.
pub async fn complete(pool: &PgPool, storage: &Storage, id: Uuid) -> anyhow::Result<BackupRow> {
    let key = storage_key(id);
    let built = build(pool, storage, id, &key).await;
    let error = built.as_ref().err().map(|e| format!("{e:#}"));
    let outcome = match &built {
        Ok((size, sha, version)) => Ok((*size, sha.as_str(), *version)),
        Err(_) => Err(error.as_deref().unwrap_or("failed")),
    };
    let row = repo::finish(pool, id, outcome)
        .await?
        .context("the backup row disappeared")?;
    match built {
        Ok(_) => {
            tracing::info!(backup_id = %id, size_bytes = row.size_bytes, "backup ready");
            Ok(row)
        }
        Err(err) => {
            tracing::error!(backup_id = %id, error = %format!("{err:#}"), "backup failed");
            Err(err)
        }
    }
}

/// Builds and stores the archive: (size, SHA-256, schema version).
async fn build(
    pool: &PgPool,
    storage: &Storage,
    id: Uuid,
    key: &str,
) -> anyhow::Result<(i64, String, i64)> {
    let dir = storage.staging_dir().join(format!("backup-{id}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let scratch = Scratch(dir.clone());
    let (version, tables, mut staged) = snapshot::database(pool, &dir).await?;
    staged.extend(snapshot::files(storage, &dir).await?);
    let manifest = archive::Manifest {
        format_version: archive::FORMAT_VERSION,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: version,
        created_at: Utc::now(),
        tables,
        members: staged.iter().map(|s| s.member.clone()).collect(),
    };
    let out = dir.join("archive.tar.gz");
    let written = out.clone();
    let (size, sha) =
        tokio::task::spawn_blocking(move || archive::write(&manifest, &staged, &written))
            .await?
            .context("cannot write the archive")?;
    storage.put_file(key, &out).await?;
    drop(scratch);
    Ok((i64::try_from(size).unwrap_or(i64::MAX), sha, version))
}

/// Every backup, newest first (a `running` one whose maker has stopped is marked failed first).
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<BackupRow>> {
    repo::expire_orphans(pool, false).await?;
    repo::list(pool).await
}

/// Deletes a finished backup: its row, then its archive. `Ok(None)`: no such finished backup.
pub async fn remove(
    pool: &PgPool,
    storage: &Storage,
    id: Uuid,
) -> anyhow::Result<Option<BackupRow>> {
    let Some(row) = repo::delete(pool, id).await? else {
        return Ok(None);
    };
    storage.delete(&row.storage_key).await?;
    Ok(Some(row))
}

/// What one pass of the scheduler did.
#[derive(Debug, Default)]
pub struct ScheduleReport {
    /// Another backup or restore held the lock: nothing was looked at.
    pub busy: bool,
    /// The scheduled backup made (ready or failed), if one was due.
    pub made: Option<BackupRow>,
    /// Scheduled backups removed by retention.
    pub expired: usize,
}

/// One pass of the scheduler at `now`, under the backup lock: makes the scheduled backup that is
/// due (one for every schedule due), then applies retention.
pub async fn run_schedule(
    pool: &PgPool,
    storage: &Storage,
    now: DateTime<Utc>,
) -> anyhow::Result<ScheduleReport> {
    let Some(held) = lock::try_acquire(pool).await? else {
        return Ok(ScheduleReport {
            busy: true,
            ..ScheduleReport::default()
        });
    };
    let report = scheduled_pass(pool, storage, now).await;
    held.release().await;
    report
}

async fn scheduled_pass(
    pool: &PgPool,
    storage: &Storage,
    now: DateTime<Utc>,
) -> anyhow::Result<ScheduleReport> {
    repo::expire_orphans(pool, true).await?;
    let settings = settings::load(pool).await?;
    let made: Vec<schedule::Made> = repo::scheduled(pool)
        .await?
        .iter()
        .filter_map(settings::made)
        .collect();
    let due = schedule::due(&settings, now, &made);
    let mut report = ScheduleReport::default();
    if let Some(slot) = due.iter().map(|(_, slot)| *slot).max() {
        let names: Vec<String> = due.iter().map(|(s, _)| s.as_str().to_owned()).collect();
        let row = start(pool, Kind::Scheduled, &names, Some(slot)).await?;
        tracing::info!(backup_id = %row.id, schedules = %names.join(","), slot = %slot, "scheduled backup started");
        // A failure is recorded on the row (and logged); retention still runs.
        let _ = complete(pool, storage, row.id).await;
        report.made = repo::find(pool, row.id).await?;
    }
    let made: Vec<schedule::Made> = repo::scheduled(pool)
        .await?
        .iter()
        .filter_map(settings::made)
        .collect();
    for id in schedule::expired(&settings, &made) {
        if remove(pool, storage, id).await?.is_some() {
            report.expired += 1;
        }
    }
    if report.expired > 0 {
        tracing::info!(removed = report.expired, "old scheduled backups removed");
    }
    Ok(report)
}

/// The admin routes; an uploaded archive may be up to `max_upload_bytes` (`backup.max_upload_bytes`).
pub fn router(max_upload_bytes: u64) -> utoipa_axum::router::OpenApiRouter<mvp_core::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::download))
        .routes(routes!(api::delete))
        .routes(routes!(api::restore))
        .routes(routes!(api::restore_status))
        .routes(routes!(api::get_settings, api::put_settings))
        .merge(
            utoipa_axum::router::OpenApiRouter::new()
                .routes(routes!(api::upload))
                .layer(axum::extract::DefaultBodyLimit::max(
                    usize::try_from(max_upload_bytes)
                        .unwrap_or(usize::MAX)
                        .saturating_add(64 * 1024),
                )),
        )
}
