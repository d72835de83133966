//! mvp-backup: whole-instance backups. An archive ([`archive`]) holds every table of the app as one
//! consistent snapshot and every stored document and vehicle image ([`snapshot`]), with a manifest
//! of each member's size and SHA-256; it is stored under `backups/` in the app's storage and listed
//! in `backups`. The identity keys and secrets are not in it. Built so far: taking a backup
//! ([`create`]), listing them, verifying an archive, and restoring one of the current schema
//! ([`restore`]); upload, schedules, retention, maintenance mode, the admin routes and screen are
//! still to come.

pub mod api;
pub mod archive;
pub mod repo;
pub mod restore;
pub mod snapshot;

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::Utc;
use mvp_core::storage::Storage;
use sqlx::PgPool;
use uuid::Uuid;

pub use repo::BackupRow;
pub use restore::{RestoreError, Restored, restore};

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

/// Takes a backup now: the row is `running` while the archive is built in the staging directory,
/// then `ready` with the archive's size and SHA-256 once it is stored, or `failed` with the reason.
pub async fn create(pool: &PgPool, storage: &Storage, kind: Kind) -> anyhow::Result<BackupRow> {
    let row = start(pool, kind).await?;
    complete(pool, storage, row.id).await
}

/// The `running` row of a backup about to be built ([`complete`] builds it).
pub async fn start(pool: &PgPool, kind: Kind) -> anyhow::Result<BackupRow> {
    let id = Uuid::now_v7();
    let version = repo::schema_version(pool).await?;
    repo::insert_running(
        pool,
        id,
        kind.as_str(),
        &storage_key(id),
        version,
        env!("CARGO_PKG_VERSION"),
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

/// Every backup, newest first.
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<BackupRow>> {
    repo::list(pool).await
}

pub fn router() -> utoipa_axum::router::OpenApiRouter<mvp_core::AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::download))
        .routes(routes!(api::delete))
        .routes(routes!(api::restore))
}
