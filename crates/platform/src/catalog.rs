//! Loading the catalog: the curated CSVs embedded in the binary are parsed, expanded to one row per
//! model year, and inserted in a handful of set-based statements. An import is recorded with the
//! data's SHA-256, so starting again with the same data does nothing; a transaction-scoped advisory
//! lock keeps two replicas from importing at once. Imports are additive (rows are never deleted,
//! so entries added by an admin survive) and invalidate the cached reads.

use anyhow::{Context as _, bail};
use mvp_core::Cache;
use serde::Deserialize;
use sqlx::PgPool;

pub const CATALOG_CSV: &str = include_str!("../data/catalog.csv");
pub const WMI_CSV: &str = include_str!("../data/wmi.csv");
/// Cache keys of catalog reads all start with this.
pub const CACHE_PREFIX: &str = "platform:";

const LOCK_KEY: i64 = 0x006d_7670_5f63_6174; // "mvp_cat"
const FIRST_YEAR: i16 = 1900;

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
    let mut out = Expanded::default();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for (line, record) in reader.deserialize::<CatalogRecord>().enumerate() {
        let row = record.with_context(|| format!("catalog row {}", line + 2))?;
        if row.year_from < FIRST_YEAR || row.year_to < row.year_from {
            bail!(
                "catalog row {}: bad year range {}-{}",
                line + 2,
                row.year_from,
                row.year_to
            );
        }
        let fields = [
            &row.make,
            &row.model,
            &row.trim,
            &row.engine,
            &row.transmission,
        ];
        if fields.iter().any(|f| f.trim().is_empty()) {
            bail!("catalog row {}: empty field", line + 2);
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
    Ok(out)
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

    sqlx::query!(
"insert into vehicles.makes (name) select distinct unnest($1::text[]) on conflict do nothing",
&rows.makes,
)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "insert into vehicles.models (make_id, name)
         select distinct mk.id, x.model from unnest($1::text[], $2::text[]) as x(make, model)
         join vehicles.makes mk on mk.name = x.make
         on conflict do nothing",
        &rows.makes,
        &rows.models,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into vehicles.trims (name) select distinct unnest($1::text[]) on conflict do nothing",
        &rows.trims,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into vehicles.engines (name) select distinct unnest($1::text[]) on conflict do nothing",
        &rows.engines,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into vehicles.transmissions (name)
         select distinct unnest($1::text[]) on conflict do nothing",
        &rows.transmissions,
    )
    .execute(&mut *tx)
    .await?;
    let inserted = sqlx::query!(
"insert into vehicles.vehicle_options (year, make_id, model_id, trim_id, engine_id, transmission_id)
         select x.year, mk.id, md.id, t.id, e.id, tr.id
         from unnest($1::smallint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
              as x(year, make, model, trim, engine, transmission)
         join vehicles.makes mk on mk.name = x.make
         join vehicles.models md on md.make_id = mk.id and md.name = x.model
         join vehicles.trims t on t.name = x.trim
         join vehicles.engines e on e.name = x.engine
         join vehicles.transmissions tr on tr.name = x.transmission
         on conflict do nothing",
&rows.years,
&rows.makes,
&rows.models,
&rows.trims,
&rows.engines,
&rows.transmissions,
)
    .execute(&mut *tx)
    .await?
    .rows_affected();

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
i32::try_from(inserted).unwrap_or(i32::MAX),
)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if let Some(cache) = cache {
        cache.delete_prefix(CACHE_PREFIX).await;
    }
    tracing::info!(
        option_rows = inserted,
        took_ms = started.elapsed().as_millis() as u64,
        "vehicle catalog imported"
    );
    Ok(true)
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
