//! An archive of an older schema, brought to this one before a restore trusts it: restored into a
//! scratch database at the archive's migration version, migrated forward with this version's
//! migrations (their data changes included), and dumped again as one snapshot.

use std::path::Path;

use anyhow::Context as _;
use sqlx::PgPool;
use uuid::Uuid;

use crate::archive::{self, Manifest};
use crate::restore::{RestoreError, database, member_path, same_tables, unpack};
use crate::snapshot::quoted;

/// An archive of an older schema, brought to this one: unpacked into `members`, restored into a
/// scratch database migrated to the archive's version, migrated forward with this version's
/// migrations (their data changes included), and dumped again as one snapshot over the archive's
/// table members. Returns the manifest of what `members` now holds: the upgraded tables and the
/// archive's files. The scratch database is dropped however this ends; the app's database is not
/// touched. Needs a role that may create databases: without one, `OlderSchema` says so.
pub(crate) async fn upgrade(
    pool: &PgPool,
    archive_path: &Path,
    members: &Path,
    manifest: &Manifest,
    current: i64,
) -> Result<Manifest, RestoreError> {
    let (from, to, expected) = (
        archive_path.to_owned(),
        members.to_owned(),
        manifest.clone(),
    );
    tokio::task::spawn_blocking(move || unpack(&from, &to, &expected))
        .await
        .context("the unpacking stopped")??;
    let name = format!("mvp_restore_{}", Uuid::now_v7().simple());
    let created = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "create database {}",
        quoted(&name)
    )))
    .execute(pool)
    .await;
    if let Err(e) = created {
        return Err(RestoreError::OlderSchema {
            archive: manifest.schema_version,
            current,
            reason: format!("a scratch database to migrate it in cannot be created ({e})"),
        });
    }
    tracing::info!(
        from = manifest.schema_version,
        to = current,
        "bringing an older backup forward in a scratch database"
    );
    let options = pool.connect_options().as_ref().clone().database(&name);
    let upgraded = async {
        let scratch = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        let done = migrate_forward(&scratch, members, manifest).await;
        scratch.close().await;
        done
    }
    .await;
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "drop database if exists {} with (force)",
        quoted(&name)
    )))
    .execute(pool)
    .await
    {
        tracing::warn!(database = %name, error = %e, "the scratch database was not dropped");
    }
    upgraded
}

async fn migrate_forward(
    scratch: &PgPool,
    members: &Path,
    manifest: &Manifest,
) -> Result<Manifest, RestoreError> {
    let migrator = &mvp_core::db::MIGRATOR;
    migrator
        .run_to(manifest.schema_version, scratch)
        .await
        .context("migrating the scratch database to the backup's schema")?;
    {
        let mut conn = scratch.acquire().await?;
        same_tables(manifest, &crate::snapshot::tables(&mut conn).await?)?;
    }
    database(scratch, members, manifest).await?;
    migrator
        .run(scratch)
        .await
        .context("migrating the backup's data forward")?;
    let dumped = members.join("upgraded");
    tokio::fs::create_dir_all(&dumped)
        .await
        .context("cannot stage the upgraded tables")?;
    let (version, tables, staged) = crate::snapshot::database(scratch, &dumped).await?;
    let mut listed: Vec<archive::Member> = Vec::with_capacity(manifest.members.len());
    for table in staged {
        let target = member_path(members, &table.member.name);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .context("cannot stage the upgraded tables")?;
        }
        tokio::fs::rename(&table.path, &target)
            .await
            .context("cannot stage the upgraded tables")?;
        listed.push(table.member);
    }
    listed.extend(
        manifest
            .members
            .iter()
            .filter(|m| archive::is_file_member(&m.name))
            .cloned(),
    );
    Ok(Manifest {
        schema_version: version,
        tables,
        members: listed,
        ..manifest.clone()
    })
}
