//! Background work on stored files: the purge (bytes of documents deleted longer ago than the
//! retention period) and the sweep at start (staging files and objects a crash left without a row).
//! Each takes its clock as an argument so tests
//! run it at a chosen time; the purge takes a Postgres advisory lock so one replica runs it.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mvp_core::storage::Storage;
use sqlx::PgPool;

use crate::repo;

const PURGE_LOCK: i64 = 0x006d_7670_5f64_6f63; // "mvp_doc"
/// Staging files and row-less objects younger than this may belong to an upload in progress.
pub const SWEEP_MIN_AGE: Duration = Duration::from_secs(3600);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgeReport {
    pub purged: usize,
    /// `false` when another replica held the lock.
    pub ran: bool,
}

/// Removes the bytes of documents deleted before `now - retention_days` and marks them purged.
pub async fn purge(
    pool: &PgPool,
    storage: &Storage,
    now: DateTime<Utc>,
    retention_days: u32,
) -> anyhow::Result<PurgeReport> {
    let work = async {
        let cutoff = now - chrono::Duration::days(retention_days.into());
        let due = repo::due_for_purge(pool, cutoff).await?;
        let mut report = PurgeReport {
            purged: 0,
            ran: true,
        };
        for (id, key) in due {
            storage.delete(&key).await?;
            repo::mark_purged(pool, id).await?;
            report.purged += 1;
        }
        tracing::info!(purged = report.purged, "deleted documents purged");
        anyhow::Ok(report)
    };
    let ran = mvp_core::db::with_advisory_lock(pool, PURGE_LOCK, work).await?;
    Ok(ran.unwrap_or_default())
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub staging_files: usize,
    pub orphan_objects: usize,
}

/// Removes what a crash can leave: staging files, and document objects that no row refers to, both
/// older than `min_age` (younger ones may be an upload in progress on another replica).
pub async fn sweep(
    pool: &PgPool,
    storage: &Storage,
    now: DateTime<Utc>,
    min_age: Duration,
) -> anyhow::Result<SweepReport> {
    let mut report = SweepReport::default();
    let cutoff = now - chrono::Duration::from_std(min_age)?;
    if let Ok(mut entries) = tokio::fs::read_dir(storage.staging_dir()).await {
        while let Some(entry) = entries.next_entry().await? {
            let modified = entry.metadata().await?.modified()?;
            if DateTime::<Utc>::from(modified) < cutoff {
                tokio::fs::remove_file(entry.path()).await?;
                report.staging_files += 1;
            }
        }
    }
    let objects: Vec<String> = storage
        .list("documents")
        .await?
        .into_iter()
        .filter(|(_, modified)| *modified < cutoff)
        .map(|(key, _)| key)
        .collect();
    for batch in objects.chunks(500) {
        let known: HashSet<String> = repo::known_keys(pool, batch).await?.into_iter().collect();
        for key in batch.iter().filter(|k| !known.contains(*k)) {
            storage.delete(key).await?;
            report.orphan_objects += 1;
        }
    }
    tracing::info!(
        staging_files = report.staging_files,
        orphan_objects = report.orphan_objects,
        "document storage swept"
    );
    Ok(report)
}
