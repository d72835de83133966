//! Loading the catalog: the curated CSVs embedded in the binary are parsed, expanded to one row per
//! model year, and inserted in a handful of set-based statements. An import is recorded with the
//! data's SHA-256, so starting again with the same data does nothing; a transaction-scoped advisory
//! lock keeps two replicas from importing at once. Imports are additive (rows are never deleted,
//! so entries added by an admin survive). Names match existing entries in any letter case.
//!
//! Every change bumps the catalog version (`vehicles.catalog_version`) in its transaction and
//! announces it with `NOTIFY catalog_version`; cached reads are keyed by the version ([`version`]),
//! each replica's [`listen`] drops its near copy when another one announces a change, and the
//! changing process calls [`changed`] after its commit — so the next read anywhere sees the change,
//! with Redis up or down.
//!
//! Parsing the CSVs is in parse.rs, the set-based inserts in insert.rs, the version and its
//! announcements in changes.rs; the import is here.

mod changes;
mod insert;
mod parse;

pub(crate) use changes::bump_version;
pub use changes::{changed, listen, version};
pub(crate) use insert::insert_rows;
pub use parse::{CatalogRows, parse_catalog, parse_catalog_lines};

use std::time::Duration;

use mvp_core::Cache;
use sqlx::{Acquire, Connection, PgPool};

use parse::parse_wmi;

pub const CATALOG_CSV: &str = include_str!("../../data/catalog.csv");
pub const WMI_CSV: &str = include_str!("../../data/wmi.csv");
/// Cache keys of catalog reads all start with this.
pub const CACHE_PREFIX: &str = "platform:";
/// This process's copy of the catalog version (near copy only; Postgres holds the truth).
const VERSION_KEY: &str = "platform:version";
/// The last version this process read, kept outside the catalog prefix (a change does not drop it),
/// for reads while Postgres is away.
const LAST_VERSION_KEY: &str = "platform-last-version";
/// How long a replica trusts its copy of the version without a NOTIFY (when its listener is down).
pub const VERSION_TTL: Duration = Duration::from_secs(60);
/// The channel catalog changes are announced on.
pub const CHANNEL: &str = "catalog_version";

const LOCK_KEY: i64 = 0x006d_7670_5f63_6174; // "mvp_cat"
/// The earliest model year the catalog takes.
pub const FIRST_YEAR: i16 = 1900;

fn sha256_hex(parts: &[&str]) -> String {
    let mut all = Vec::new();
    for part in parts {
        all.extend_from_slice(part.as_bytes());
        all.push(0);
    }
    mvp_core::secret::hex(&mvp_core::secret::hash_token(&String::from_utf8_lossy(
        &all,
    )))
}

/// Loads the embedded catalog unless this exact data was loaded before. Returns whether it imported.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn ensure_loaded(pool: &PgPool, cache: Option<&Cache>) -> anyhow::Result<bool> {
    import(pool, cache, "embedded", CATALOG_CSV, WMI_CSV).await
}

/// Imports catalog and WMI CSV text. Idempotent per content.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn import(
    pool: &PgPool,
    cache: Option<&Cache>,
    source: &str,
    catalog_csv: &str,
    wmi_csv: &str,
) -> anyhow::Result<bool> {
    let digest = sha256_hex(&[catalog_csv, wmi_csv]);
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    sqlx::query!("select pg_advisory_xact_lock($1)", LOCK_KEY,)
        .execute(&mut *tx)
        .await?;
    let done: bool = sqlx::query_scalar!(
        r#"select exists(select 1 from vehicles.catalog_imports where content_sha256 = $1) as "done!""#,
        digest,
    )
    .fetch_one(&mut *tx)
    .await?;
    if done {
        return Ok(false);
    }
    let rows = parse_catalog(catalog_csv)?;
    let wmi = parse_wmi(wmi_csv)?;
    let started = std::time::Instant::now();
    let created = insert_rows(&mut tx, &rows).await?;

    let (codes, manufacturers, makes, countries): (Vec<_>, Vec<_>, Vec<_>, Vec<_>) = wmi
        .into_iter()
        .map(|w| {
            (
                w.wmi.trim().to_uppercase(),
                w.manufacturer,
                w.make,
                w.country,
            )
        })
        .fold((vec![], vec![], vec![], vec![]), |mut acc, (a, b, c, d)| {
            acc.0.push(a);
            acc.1.push(b);
            acc.2.push(c);
            acc.3.push(d);
            acc
        });
    sqlx::query!(
        "insert into vehicles.wmi (wmi, manufacturer, make, country)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
         on conflict (wmi) do update set manufacturer = excluded.manufacturer,
             make = excluded.make, country = excluded.country",
        &codes,
        &manufacturers,
        &makes,
        &countries,
    )
    .execute(&mut *tx)
    .await?;

    sqlx::query!(
        "insert into vehicles.catalog_imports (source, content_sha256, option_rows) values ($1, $2, $3)",
        source,
        digest,
        i32::try_from(created.options).unwrap_or(i32::MAX),
    )
    .execute(&mut *tx)
    .await?;
    bump_version(&mut tx).await?;
    tx.commit().await?;
    // Sending the catalog grows this connection's buffers to the size of one statement's arrays; the
    // connection is closed rather than kept in the pool holding them (an admin's CSV may be large).
    if let Err(err) = conn.detach().close().await {
        tracing::debug!(error = %err, "closing the catalog import's connection failed");
    }
    if let Some(cache) = cache {
        changed(cache).await;
    }
    tracing::info!(
        option_rows = created.options,
        took_ms = started.elapsed().as_millis() as u64,
        "vehicle catalog imported"
    );
    Ok(true)
}
