//! Restoring an archive. [`prepare`] takes the backup lock and checks the archive (nothing is
//! changed for a damaged, foreign or newer one); [`Prepared::run`] takes the maintenance lock (every
//! replica refuses other writes), puts the files back, then empties and refills every table in ONE
//! database transaction — killed midway, Postgres rolls it back and the instance holds the old data;
//! committed, the new. Stored files the archive does not hold are removed only after the commit.
//!
//! Unpacking the archive's members is in members.rs, emptying and refilling the tables in
//! tables.rs; the checks and the order of things are here.

mod members;
mod tables;

pub(crate) use members::{member_path, unpack};
pub(crate) use tables::{database, same_tables};

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context as _;
use futures_util::TryStreamExt as _;
use mvp_core::storage::Storage;
use sqlx::PgPool;
use tokio::io::AsyncWriteExt as _;
use uuid::Uuid;

use crate::archive::FILE_PREFIXES;
use crate::archive::{self, Manifest, Refused};
use crate::{Scratch, repo};

/// Why a restore did not happen; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("no such backup")]
    NotFound,
    #[error("{}", crate::BUSY)]
    Busy,
    #[error("the backup is {0}, not ready")]
    NotReady(String),
    #[error("{0}")]
    Refused(#[from] Refused),
    #[error(
        "the backup was taken with a newer version of the app (schema {archive}; this one is at {current})"
    )]
    NewerSchema { archive: i64, current: i64 },
    #[error(
        "the backup was taken at schema {archive} and cannot be brought forward to this version's schema {current}: {reason}"
    )]
    OlderSchema {
        archive: i64,
        current: i64,
        reason: String,
    },
    #[error("the backup's tables are not this schema's: {0}")]
    OtherTables(String),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl From<sqlx::Error> for RestoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Failed(e.into())
    }
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub tables: usize,
    pub rows: u64,
    pub files: usize,
    pub files_removed: usize,
}

/// Where a restore is (recorded on its `backup_restores` row, shown while it runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Unpacking,
    Files,
    Database,
    Cleanup,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unpacking => "unpacking",
            Self::Files => "files",
            Self::Database => "database",
            Self::Cleanup => "cleanup",
        }
    }
}

/// A restore that has passed every check and holds the backup lock: nothing has changed yet.
/// [`Prepared::run`] does it; dropped instead, it changes nothing and lets the lock go.
pub struct Prepared {
    held: crate::lock::Held,
    _scratch: Scratch,
    dir: PathBuf,
    archive: PathBuf,
    manifest: Manifest,
    /// The members are in `dir/members` already (an archive of an older schema, upgraded).
    unpacked: bool,
    id: Uuid,
}

/// Restores backup `id` (see the module's doc for the order of things): [`prepare`], then
/// [`Prepared::run`].
pub async fn restore(pool: &PgPool, storage: &Storage, id: Uuid) -> Result<Restored, RestoreError> {
    prepare(pool, storage, id)
        .await?
        .run(pool, storage, |_| async {})
        .await
}

/// Takes the backup lock ([`RestoreError::Busy`] while another backup or restore runs), fetches the
/// archive and checks it: whole and the one recorded, of this schema, with this schema's tables.
pub async fn prepare(pool: &PgPool, storage: &Storage, id: Uuid) -> Result<Prepared, RestoreError> {
    let Some(held) = crate::lock::try_acquire(pool).await? else {
        return Err(RestoreError::Busy);
    };
    let row = repo::find(pool, id).await?.ok_or(RestoreError::NotFound)?;
    if row.status != "ready" {
        return Err(RestoreError::NotReady(row.status));
    }
    let recorded = row.sha256.clone().unwrap_or_default();
    let dir = storage
        .staging_dir()
        .join(format!("restore-{}", Uuid::now_v7()));
    tokio::fs::create_dir_all(&dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let scratch = Scratch(dir.clone());

    // The archive, here, whole; then checked before anything trusts it.
    let path = dir.join("archive.tar.gz");
    let mut object = storage.get_stream(&row.storage_key, None).await?;
    let mut file = tokio::fs::File::create(&path)
        .await
        .context("cannot stage the archive")?;
    while let Some(chunk) = object
        .stream
        .try_next()
        .await
        .context("reading the archive")?
    {
        file.write_all(&chunk)
            .await
            .context("cannot stage the archive")?;
    }
    file.sync_all().await.context("cannot stage the archive")?;
    drop(file);
    let checked = path.clone();
    let verified =
        tokio::task::spawn_blocking(move || archive::verify_recorded(&checked, &recorded))
            .await
            .context("the check stopped")??;
    let manifest = verified.manifest;
    let current = repo::schema_version(pool).await?;
    if manifest.schema_version > current {
        return Err(RestoreError::NewerSchema {
            archive: manifest.schema_version,
            current,
        });
    }
    let older = manifest.schema_version < current;
    let manifest = if older {
        crate::upgrade::upgrade(pool, &path, &dir.join("members"), &manifest, current).await?
    } else {
        manifest
    };
    {
        let mut conn = pool.acquire().await?;
        same_tables(&manifest, &crate::snapshot::tables(&mut conn).await?)?;
    }
    Ok(Prepared {
        held,
        _scratch: scratch,
        dir,
        archive: path,
        manifest,
        unpacked: older,
        id,
    })
}

impl Prepared {
    /// Does the restore: every replica refuses other writes from here to the end (the maintenance
    /// lock, released with the backup lock however this ends); `progress` hears each stage.
    pub async fn run<F, Fut>(
        mut self,
        pool: &PgPool,
        storage: &Storage,
        progress: F,
    ) -> Result<Restored, RestoreError>
    where
        F: Fn(Stage) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let result = async {
            self.held.enter_maintenance().await?;
            self.apply(pool, storage, progress).await
        }
        .await;
        self.held.release().await;
        result
    }

    async fn apply<F, Fut>(
        &self,
        pool: &PgPool,
        storage: &Storage,
        progress: F,
    ) -> Result<Restored, RestoreError>
    where
        F: Fn(Stage) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let (id, manifest) = (self.id, &self.manifest);
        // Unpacked, and checked once more on the way (the archive is read again).
        progress(Stage::Unpacking).await;
        let out = self.dir.join("members");
        if !self.unpacked {
            let (archive_path, members_dir) = (self.archive.clone(), out.clone());
            let expected = manifest.clone();
            tokio::task::spawn_blocking(move || unpack(&archive_path, &members_dir, &expected))
                .await
                .context("the unpacking stopped")??;
        }

        // Files first: an interrupted restore leaves at most unreferenced files behind.
        progress(Stage::Files).await;
        let mut keys = BTreeSet::new();
        for member in &manifest.members {
            if let Some(key) = member.name.strip_prefix("files/") {
                storage
                    .put_file(key, &member_path(&out, &member.name))
                    .await?;
                keys.insert(key.to_owned());
            }
        }

        progress(Stage::Database).await;
        let rows = database(pool, &out, manifest).await?;

        progress(Stage::Cleanup).await;
        let mut removed = 0;
        for prefix in FILE_PREFIXES {
            for (key, _) in storage.list(prefix).await? {
                if !keys.contains(&key) {
                    storage.delete(&key).await?;
                    removed += 1;
                }
            }
        }
        tracing::info!(backup_id = %id, tables = manifest.tables.len(), rows, files = keys.len(), removed, "backup restored");
        Ok(Restored {
            tables: manifest.tables.len(),
            rows,
            files: keys.len(),
            files_removed: removed,
        })
    }
}
