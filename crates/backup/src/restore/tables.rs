//! The database part of a restore: the archive's tables checked against this schema's, then every
//! table emptied and refilled in one transaction.

use std::path::Path;

use anyhow::Context as _;
use sqlx::PgPool;

use super::{RestoreError, member_path};
use crate::archive::Manifest;
use crate::snapshot::quoted;

/// The archive must hold exactly this schema's tables, each with exactly its columns: the names
/// in the statements below come from the manifest, so nothing else may get that far.
pub(crate) fn same_tables(
    manifest: &Manifest,
    current: &[(String, String, Vec<String>)],
) -> Result<(), RestoreError> {
    let archived: Vec<(&str, &str, &[String])> = manifest
        .tables
        .iter()
        .map(|t| (t.schema.as_str(), t.name.as_str(), t.columns.as_slice()))
        .collect();
    let here: Vec<(&str, &str, &[String])> = current
        .iter()
        .map(|(s, n, c)| (s.as_str(), n.as_str(), c.as_slice()))
        .collect();
    if let Some((s, n, _)) = archived.iter().find(|t| !here.contains(t)) {
        return Err(RestoreError::OtherTables(format!(
            "{s}.{n} differs or is unknown"
        )));
    }
    if let Some((s, n, _)) = here.iter().find(|t| !archived.contains(t)) {
        return Err(RestoreError::OtherTables(format!("{s}.{n} is missing")));
    }
    Ok(())
}

/// Every table of the archive emptied and refilled in one transaction, sequences set past the
/// restored ids. Returns the rows restored.
pub(crate) async fn database(
    pool: &PgPool,
    dir: &Path,
    manifest: &Manifest,
) -> Result<u64, RestoreError> {
    let mut tx = pool.begin().await?;
    let current = crate::snapshot::tables(&mut tx).await?;
    same_tables(manifest, &current)?;
    let names: Vec<String> = manifest
        .tables
        .iter()
        .map(|t| format!("{}.{}", quoted(&t.schema), quoted(&t.name)))
        .collect();
    // User triggers off for the refill (the audit log's refuses TRUNCATE; updated_at stamps must
    // stay as they were), back on before the commit.
    for name in &names {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "alter table {name} disable trigger user"
        )))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "truncate {}",
        names.join(", ")
    )))
    .execute(&mut *tx)
    .await?;
    let mut rows = 0;
    for (table, name) in manifest.tables.iter().zip(&names) {
        let columns: Vec<String> = table.columns.iter().map(|c| quoted(c)).collect();
        let statement = format!("copy {name} ({}) from stdin", columns.join(", "));
        let file = tokio::fs::File::open(member_path(dir, &table.member))
            .await
            .context("an unpacked table is missing")?;
        let mut copy = tx.copy_in_raw(&statement).await?;
        copy.read_from(file).await?;
        rows += copy.finish().await?;
    }
    for name in &names {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "alter table {name} enable trigger user"
        )))
        .execute(&mut *tx)
        .await?;
    }
    // Serial and identity columns continue after the restored ids.
    let schemas: Vec<String> = manifest.tables.iter().map(|t| t.schema.clone()).collect();
    let sequences = sqlx::query!(
        r#"select table_schema::text as "schema!", table_name::text as "table!",
                  column_name::text as "column!",
                  pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) as "sequence!"
             from information_schema.columns
            where table_schema = any($1)
              and pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) is not null"#,
        &schemas,
    )
    .fetch_all(&mut *tx)
    .await?;
    for s in sequences {
        let statement = format!(
            "select setval('{}', coalesce((select max({}) from {}.{}), 0) + 1, false)",
            s.sequence.replace('\'', "''"),
            quoted(&s.column),
            quoted(&s.schema),
            quoted(&s.table)
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows)
}
