//! An archive taken elsewhere (another instance, or one downloaded earlier), uploaded: received
//! into the staging directory (streamed, counted against `backup.max_upload_bytes`), verified
//! against its own seal and manifest before it is accepted, then stored under `backups/` and listed
//! as an `uploaded` backup taken when its manifest says. A damaged, foreign or newer archive is
//! refused and leaves nothing behind.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use axum::extract::Multipart;
use mvp_core::extract::{multipart_error, next_chunk};
use mvp_core::{AppError, AppResult};
use sqlx::PgPool;
use tokio::io::AsyncWriteExt as _;
use uuid::Uuid;

use crate::archive::{self, Refused};
use crate::repo::{self, BackupRow, NewBackup};
use crate::{Kind, Scratch, storage_key};
use mvp_core::storage::Storage;

/// An app version longer than this is not one of ours.
const APP_VERSION_MAX: usize = 64;

/// Why an upload was refused; nothing was kept.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{0}")]
    Refused(#[from] Refused),
    #[error(
        "the backup was taken with a newer version of the app (schema {archive}; this one is at {current}); upgrade this instance first"
    )]
    NewerSchema { archive: i64, current: i64 },
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl From<sqlx::Error> for UploadError {
    fn from(e: sqlx::Error) -> Self {
        Self::Failed(e.into())
    }
}

/// A staged upload: its directory goes when this is dropped, whatever happened.
pub struct Received {
    _scratch: Scratch,
    pub path: PathBuf,
    pub size: u64,
}

fn too_large(limit: u64) -> AppError {
    AppError::PayloadTooLarge(format!(
        "the archive is larger than the {} MiB allowed (backup.max_upload_bytes)",
        limit / (1024 * 1024)
    ))
}

/// Streams the multipart field `file` to the staging directory (any other field is a 400 naming
/// it); more than `limit` bytes is a 413.
pub async fn receive(mut multipart: Multipart, staging: &Path, limit: u64) -> AppResult<Received> {
    let mut received = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, || too_large(limit)))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let shown: String = name.chars().filter(|c| !c.is_control()).take(60).collect();
            return Err(AppError::validation(
                shown,
                "unknown field; an upload takes only file",
            ));
        }
        if received.is_some() {
            return Err(AppError::validation("file", "send one archive per upload"));
        }
        let dir = staging.join(format!("upload-{}", Uuid::now_v7()));
        tokio::fs::create_dir_all(&dir)
            .await
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let scratch = Scratch(dir.clone());
        let path = dir.join("archive.tar.gz");
        let mut file = tokio::io::BufWriter::with_capacity(
            256 * 1024,
            tokio::fs::File::create(&path)
                .await
                .context("cannot stage the upload")?,
        );
        let mut size: u64 = 0;
        while let Some(chunk) =
            next_chunk(&mut field, &mut size, limit, || too_large(limit)).await?
        {
            file.write_all(&chunk)
                .await
                .context("cannot stage the upload")?;
        }
        file.flush().await.context("cannot stage the upload")?;
        file.into_inner()
            .sync_all()
            .await
            .context("cannot stage the upload")?;
        received = Some(Received {
            _scratch: scratch,
            path,
            size,
        });
    }
    received.ok_or_else(|| {
        AppError::validation(
            "file",
            "send the archive in a multipart field named \"file\"",
        )
    })
}

/// Verifies the staged archive at `staged` and, if it is whole and not from a newer schema, stores
/// it and lists it (`ready`, kind `uploaded`).
pub async fn upload(
    pool: &PgPool,
    storage: &Storage,
    staged: &Path,
) -> Result<BackupRow, UploadError> {
    let path = staged.to_owned();
    let verified = tokio::task::spawn_blocking(move || archive::verify(&path))
        .await
        .context("the check stopped")??;
    let manifest = &verified.manifest;
    if manifest.app_version.len() > APP_VERSION_MAX {
        return Err(Refused::BadManifest("the app version is too long".to_owned()).into());
    }
    let current = repo::schema_version(pool).await?;
    if manifest.schema_version > current {
        return Err(UploadError::NewerSchema {
            archive: manifest.schema_version,
            current,
        });
    }
    let id = Uuid::now_v7();
    let key = storage_key(id);
    storage.put_file(&key, staged).await?;
    let inserted = repo::insert_ready(
        pool,
        &NewBackup {
            id,
            kind: Kind::Uploaded.as_str(),
            key: &key,
            schema_version: manifest.schema_version,
            app_version: &manifest.app_version,
            schedules: &[],
            slot_at: None,
        },
        manifest.created_at,
        i64::try_from(verified.size).unwrap_or(i64::MAX),
        &verified.sha256,
    )
    .await;
    match inserted {
        Ok(row) => {
            tracing::info!(backup_id = %id, size_bytes = verified.size, schema = manifest.schema_version, "backup uploaded");
            Ok(row)
        }
        Err(err) => {
            let _ = storage.delete(&key).await;
            Err(err.into())
        }
    }
}
