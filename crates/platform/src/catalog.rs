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

use std::time::Duration;

use anyhow::{Context as _, bail};
use mvp_core::Cache;
use mvp_types::admin::{CatalogCounts, CatalogImportError};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};

pub const CATALOG_CSV: &str = include_str!("../data/catalog.csv");
pub const WMI_CSV: &str = include_str!("../data/wmi.csv");
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

#[derive(Debug, Deserialize)]
struct CatalogRecord {
    year_from: i16,
    year_to: i16,
    make: String,
    model: String,
    trim: String,
    engine: String,
    transmission: String,
}

#[derive(Debug, Deserialize)]
struct WmiRecord {
    wmi: String,
    manufacturer: String,
    make: String,
    country: String,
}

/// Column arrays for one bulk insert: one entry per model year of each CSV row.
#[derive(Debug, Default)]
pub struct Expanded {
    pub years: Vec<i16>,
    pub makes: Vec<String>,
    pub models: Vec<String>,
    pub trims: Vec<String>,
    pub engines: Vec<String>,
    pub transmissions: Vec<String>,
}

/// Parses catalog CSV text (header `year_from,year_to,make,model,trim,engine,transmission`).
pub fn parse_catalog(text: &str) -> anyhow::Result<Expanded> {
    let (rows, _, errors) = parse_catalog_lines(text);
    if let Some(first) = errors.first() {
        bail!("catalog row {}: {}", first.line, first.message);
    }
    Ok(rows)
}

/// Parses catalog CSV text, keeping every good row and naming every bad line: the rows (one per
/// model year), how many CSV rows were read, and the errors.
pub fn parse_catalog_lines(text: &str) -> (Expanded, u64, Vec<CatalogImportError>) {
    let mut out = Expanded::default();
    let mut errors = Vec::new();
    let mut read = 0;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.deserialize::<CatalogRecord>() {
        read += 1;
        let row = match record {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(read + 1, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                    _ => e.to_string(),
                };
                errors.push(CatalogImportError { line, message });
                continue;
            }
        };
        let line = read + 1;
        if let Err(message) = check_record(&row) {
            errors.push(CatalogImportError { line, message });
            continue;
        }
        for year in row.year_from..=row.year_to {
            out.years.push(year);
            out.makes.push(row.make.trim().to_owned());
            out.models.push(row.model.trim().to_owned());
            out.trims.push(row.trim.trim().to_owned());
            out.engines.push(row.engine.trim().to_owned());
            out.transmissions.push(row.transmission.trim().to_owned());
        }
    }
    (out, read, errors)
}

/// The rules of one row: a year range within the catalog's years, and every name given.
fn check_record(row: &CatalogRecord) -> Result<(), String> {
    let last_year = crate::manage::last_year();
    if row.year_from < FIRST_YEAR || row.year_to > last_year || row.year_to < row.year_from {
        return Err(format!(
            "bad year range {}-{} (years run from {FIRST_YEAR} to {last_year})",
            row.year_from, row.year_to
        ));
    }
    let fields = [
        ("make", &row.make),
        ("model", &row.model),
        ("trim", &row.trim),
        ("engine", &row.engine),
        ("transmission", &row.transmission),
    ];
    let mut details = Vec::new();
    for (name, value) in fields {
        crate::manage::name(name, value, &mut details);
    }
    match details.first() {
        Some(d) => Err(format!("{}: {}", d.field, d.message)),
        None => Ok(()),
    }
}

fn parse_wmi(text: &str) -> anyhow::Result<Vec<WmiRecord>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize::<WmiRecord>()
        .enumerate()
        .map(|(line, r)| r.with_context(|| format!("wmi row {}", line + 2)))
        .collect()
}

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
    let mut tx = pool.begin().await?;
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

/// Inserts the entries and options `rows` name that are not in the catalog yet (names match in any
/// letter case; the first spelling seen is kept) and says how many of each it added.
pub(crate) async fn insert_rows(
    conn: &mut PgConnection,
    rows: &Expanded,
) -> sqlx::Result<CatalogCounts> {
    let makes = sqlx::query!(
        "insert into vehicles.makes (name)
         select distinct on (lower(x.name)) x.name from unnest($1::text[]) as x(name)
          where not exists (select 1 from vehicles.makes mk where lower(mk.name) = lower(x.name))
         order by lower(x.name)
         on conflict do nothing",
        &rows.makes,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let models = sqlx::query!(
        "insert into vehicles.models (make_id, name)
         select distinct on (mk.id, lower(x.model)) mk.id, x.model
           from unnest($1::text[], $2::text[]) as x(make, model)
           join vehicles.makes mk on lower(mk.name) = lower(x.make)
          where not exists (select 1 from vehicles.models md
                             where md.make_id = mk.id and lower(md.name) = lower(x.model))
          order by mk.id, lower(x.model)
         on conflict do nothing",
        &rows.makes,
        &rows.models,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let trims = sqlx::query!(
        "insert into vehicles.trims (name)
         select distinct on (lower(x.name)) x.name from unnest($1::text[]) as x(name)
          where not exists (select 1 from vehicles.trims t where lower(t.name) = lower(x.name))
         order by lower(x.name)
         on conflict do nothing",
        &rows.trims,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let engines = sqlx::query!(
        "insert into vehicles.engines (name)
         select distinct on (lower(x.name)) x.name from unnest($1::text[]) as x(name)
          where not exists (select 1 from vehicles.engines e where lower(e.name) = lower(x.name))
         order by lower(x.name)
         on conflict do nothing",
        &rows.engines,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let transmissions = sqlx::query!(
        "insert into vehicles.transmissions (name)
         select distinct on (lower(x.name)) x.name from unnest($1::text[]) as x(name)
          where not exists (select 1 from vehicles.transmissions tr
                             where lower(tr.name) = lower(x.name))
         order by lower(x.name)
         on conflict do nothing",
        &rows.transmissions,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let options = sqlx::query!(
        "insert into vehicles.vehicle_options (year, make_id, model_id, trim_id, engine_id, transmission_id)
         select x.year, mk.id, md.id, t.id, e.id, tr.id
         from unnest($1::smallint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
              as x(year, make, model, trim, engine, transmission)
         join vehicles.makes mk on lower(mk.name) = lower(x.make)
         join vehicles.models md on md.make_id = mk.id and lower(md.name) = lower(x.model)
         join vehicles.trims t on lower(t.name) = lower(x.trim)
         join vehicles.engines e on lower(e.name) = lower(x.engine)
         join vehicles.transmissions tr on lower(tr.name) = lower(x.transmission)
         on conflict do nothing",
        &rows.years,
        &rows.makes,
        &rows.models,
        &rows.trims,
        &rows.engines,
        &rows.transmissions,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(CatalogCounts {
        makes: count(makes),
        models: count(models),
        trims: count(trims),
        engines: count(engines),
        transmissions: count(transmissions),
        options: count(options),
    })
}

/// Bumps the catalog version in the caller's transaction and announces it (Postgres delivers the
/// NOTIFY when the transaction commits, and not at all when it rolls back).
pub(crate) async fn bump_version(conn: &mut PgConnection) -> sqlx::Result<i64> {
    let version = sqlx::query_scalar!(
        "update vehicles.catalog_version set version = version + 1 returning version"
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!("select pg_notify($1, $2)", CHANNEL, version.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(version)
}

/// The catalog version this process reads with: its near copy, else Postgres' (kept for
/// [`VERSION_TTL`], or until a change is announced).
pub async fn version(pool: &PgPool, cache: &Cache) -> sqlx::Result<i64> {
    if let Some(v) = cache
        .near_only(VERSION_KEY)
        .as_deref()
        .and_then(parse_version)
    {
        return Ok(v);
    }
    let version = match sqlx::query_scalar!("select version from vehicles.catalog_version")
        .fetch_one(pool)
        .await
    {
        Ok(version) => version,
        // Postgres is away: the last version this process knew still finds the cached reads.
        Err(err) => match cache
            .near_only(LAST_VERSION_KEY)
            .as_deref()
            .and_then(parse_version)
        {
            Some(v) => v,
            None => return Err(err),
        },
    };
    let text = bytes::Bytes::from(version.to_string());
    cache.set_near_only(VERSION_KEY, text.clone(), VERSION_TTL);
    cache.set_near_only(LAST_VERSION_KEY, text, Duration::from_secs(24 * 3600));
    Ok(version)
}

fn parse_version(bytes: &[u8]) -> Option<i64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// After a committed change: this process reads the new version at once, and the entries of older
/// versions are dropped from Redis (best effort — they are never read again either way).
pub async fn changed(cache: &Cache) {
    cache.delete_prefix(CACHE_PREFIX).await;
}

/// Keeps this replica's near copy in step with changes other replicas make: on every
/// `NOTIFY catalog_version`, and whenever the listening connection was lost (a notification may
/// have been missed), the near copy of the catalog is dropped. Runs until the pool closes.
pub async fn listen(pool: PgPool, cache: Cache) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %err, "catalog change listener cannot connect; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "catalog change listener cannot LISTEN; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        // Anything announced before LISTEN took effect is covered by starting afresh.
        cache.forget_near(CACHE_PREFIX);
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => cache.forget_near(CACHE_PREFIX),
                // The connection was lost; `try_recv` reconnects on the next call.
                Ok(None) => cache.forget_near(CACHE_PREFIX),
                Err(err) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %err, "catalog change listener failed; reconnecting");
                    cache.forget_near(CACHE_PREFIX);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_expand_to_one_entry_per_model_year() {
        let csv = "year_from,year_to,make,model,trim,engine,transmission\n\
                   2016,2018,Honda,Civic,LX,2.0L I4,CVT\n\
                   2020,2020,Tesla,Model 3,\"Long Range, AWD\",Electric (Dual Motor),1-Speed Direct Drive\n";
        let rows = parse_catalog(csv).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(rows.years, [2016, 2017, 2018, 2020]);
        assert_eq!(rows.trims[3], "Long Range, AWD");
    }

    #[test]
    fn a_reversed_year_range_is_an_error_naming_the_row() {
        let csv = "year_from,year_to,make,model,trim,engine,transmission\n2019,2018,A,B,C,D,E\n";
        let err = parse_catalog(csv)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("row 2"), "{err}");
    }

    #[test]
    fn the_embedded_data_parses() {
        let rows = parse_catalog(CATALOG_CSV).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            rows.years.len() > 1000,
            "only {} option rows",
            rows.years.len()
        );
        assert!(parse_wmi(WMI_CSV).map(|w| w.len()).unwrap_or(0) > 100);
    }
}
