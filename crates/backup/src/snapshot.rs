//! What goes into an archive, staged to local files: every table of the app's schemas as one
//! `COPY … TO STDOUT` inside a single REPEATABLE READ, READ ONLY transaction (one consistent
//! snapshot while others keep writing), and every stored document and vehicle image.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use futures_util::TryStreamExt as _;
use mvp_core::storage::Storage;
use sqlx::{PgConnection, PgPool};

use crate::archive::{FILE_PREFIXES, Hashing, Member, Staged, TableDump};

/// The schemas that hold the app's data (`vehicles` is the platform catalog's).
const SCHEMAS: &[&str] = &["public", "vehicles"];

/// `"name"` with inner quotes doubled: an identifier from the catalog, quoted for a COPY statement.
pub(crate) fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// The tables a backup holds, `(schema, table, columns in order)`: every base table of the app's
/// schemas but the migration history and the backup capsule's own tables (backups, their
/// settings, the restores).
pub async fn tables(conn: &mut PgConnection) -> sqlx::Result<Vec<(String, String, Vec<String>)>> {
    let tables = sqlx::query!(
        r#"select table_schema::text as "schema!", table_name::text as "name!"
             from information_schema.tables
            where table_type = 'BASE TABLE' and table_schema = any($1)
              and table_name <> '_sqlx_migrations'
              and not (table_schema = 'public' and table_name in ('backups', 'backup_settings', 'backup_restores'))
            order by 1, 2"#,
        SCHEMAS as &[&str],
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        let columns = sqlx::query_scalar!(
            r#"select column_name::text as "name!" from information_schema.columns
                where table_schema = $1 and table_name = $2 and is_generated = 'NEVER'
                order by ordinal_position"#,
            table.schema,
            table.name,
        )
        .fetch_all(&mut *conn)
        .await?;
        out.push((table.schema, table.name, columns));
    }
    Ok(out)
}

/// The database as of one snapshot: the migration version, and per table its rows staged in `dir`.
/// The list of backups and their schedule are left out: they describe the archives in storage and
/// when to make more, which a restore leaves as they are.
pub async fn database(
    pool: &PgPool,
    dir: &Path,
) -> anyhow::Result<(i64, Vec<TableDump>, Vec<Staged>)> {
    let mut tx = pool.begin().await?;
    sqlx::query!("set transaction isolation level repeatable read, read only")
        .execute(&mut *tx)
        .await?;
    let version = crate::repo::schema_version(&mut *tx).await?;
    let tables = tables(&mut tx).await?;
    let mut dumps = Vec::with_capacity(tables.len());
    let mut staged = Vec::with_capacity(tables.len());
    for (schema, name, columns) in tables {
        let member = format!("db/{schema}.{name}.copy");
        let path = dir.join(format!("{schema}.{name}.copy"));
        let statement = format!(
            "copy {}.{} ({}) to stdout",
            quoted(&schema),
            quoted(&name),
            columns
                .iter()
                .map(|c| quoted(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut out = Hashing::new(std::io::BufWriter::new(std::fs::File::create(&path)?));
        let mut rows = 0u64;
        {
            let mut stream = tx.copy_out_raw(&statement).await?;
            while let Some(chunk) = stream.try_next().await? {
                rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
                out.write_all(&chunk)?;
            }
        }
        let (file, size, sha256) = out.finish();
        file.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .sync_all()?;
        dumps.push(TableDump {
            schema,
            name,
            columns,
            rows,
            member: member.clone(),
        });
        staged.push(Staged {
            member: Member {
                name: member,
                size,
                sha256,
            },
            path,
        });
    }
    tx.commit().await?;
    Ok((version, dumps, staged))
}

/// Every stored user file, staged in `dir` as member `files/<key>`.
pub async fn files(storage: &Storage, dir: &Path) -> anyhow::Result<Vec<Staged>> {
    let mut staged = Vec::new();
    for prefix in FILE_PREFIXES {
        let mut keys = storage.list(prefix).await?;
        keys.sort();
        for (key, _) in keys {
            let path = dir.join(format!("file-{}", staged.len()));
            let mut out = Hashing::new(std::io::BufWriter::new(std::fs::File::create(&path)?));
            let mut object = storage.get_stream(&key, None).await?;
            while let Some(chunk) = object
                .stream
                .try_next()
                .await
                .with_context(|| format!("reading {key}"))?
            {
                out.write_all(&chunk)?;
            }
            let (file, size, sha256) = out.finish();
            file.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .sync_all()?;
            staged.push(Staged {
                member: Member {
                    name: format!("files/{key}"),
                    size,
                    sha256,
                },
                path,
            });
        }
    }
    Ok(staged)
}
