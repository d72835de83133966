//! Catalog queries for the cascade. Names match case-insensitively; results are sorted by name
//! (years newest first). No user data here, so no user scoping.

use mvp_types::platform::CatalogItem;
use sqlx::PgPool;

struct Row {
    id: i32,
    name: String,
}

fn items(rows: Vec<Row>) -> Vec<CatalogItem> {
    rows.into_iter()
        .map(|r| CatalogItem {
            id: r.id,
            name: r.name,
        })
        .collect()
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn years(pool: &PgPool) -> sqlx::Result<Vec<i32>> {
    let years: Vec<i16> = sqlx::query_scalar!(
        "select distinct year from vehicles.vehicle_options order by year desc",
    )
    .fetch_all(pool)
    .await?;
    Ok(years.into_iter().map(i32::from).collect())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn makes(pool: &PgPool, year: i16) -> sqlx::Result<Vec<CatalogItem>> {
    let rows = sqlx::query_as!(
        Row,
        "select distinct mk.id, mk.name from vehicles.vehicle_options o
         join vehicles.makes mk on mk.id = o.make_id
         where o.year = $1 order by mk.name",
        year,
    )
    .fetch_all(pool)
    .await?;
    Ok(items(rows))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn models(pool: &PgPool, year: i16, make: &str) -> sqlx::Result<Vec<CatalogItem>> {
    let rows = sqlx::query_as!(
        Row,
        "select distinct md.id, md.name from vehicles.vehicle_options o
         join vehicles.makes mk on mk.id = o.make_id
         join vehicles.models md on md.id = o.model_id
         where o.year = $1 and lower(mk.name) = lower($2) order by md.name",
        year,
        make,
    )
    .fetch_all(pool)
    .await?;
    Ok(items(rows))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn trims(
    pool: &PgPool,
    year: i16,
    make: &str,
    model: &str,
) -> sqlx::Result<Vec<CatalogItem>> {
    let rows = sqlx::query_as!(
        Row,
        "select distinct t.id, t.name from vehicles.vehicle_options o
         join vehicles.makes mk on mk.id = o.make_id
         join vehicles.models md on md.id = o.model_id
         join vehicles.trims t on t.id = o.trim_id
         where o.year = $1 and lower(mk.name) = lower($2) and lower(md.name) = lower($3)
         order by t.name",
        year,
        make,
        model,
    )
    .fetch_all(pool)
    .await?;
    Ok(items(rows))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn engines(
    pool: &PgPool,
    year: i16,
    make: &str,
    model: &str,
    trim: Option<&str>,
) -> sqlx::Result<Vec<CatalogItem>> {
    let rows = sqlx::query_as!(
        Row,
        "select distinct e.id, e.name from vehicles.vehicle_options o
         join vehicles.makes mk on mk.id = o.make_id
         join vehicles.models md on md.id = o.model_id
         join vehicles.trims t on t.id = o.trim_id
         join vehicles.engines e on e.id = o.engine_id
         where o.year = $1 and lower(mk.name) = lower($2) and lower(md.name) = lower($3)
           and ($4::text is null or lower(t.name) = lower($4))
         order by e.name",
        year,
        make,
        model,
        trim,
    )
    .fetch_all(pool)
    .await?;
    Ok(items(rows))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn transmissions(
    pool: &PgPool,
    year: i16,
    make: &str,
    model: &str,
    trim: Option<&str>,
    engine: Option<&str>,
) -> sqlx::Result<Vec<CatalogItem>> {
    let rows = sqlx::query_as!(
        Row,
        "select distinct tr.id, tr.name from vehicles.vehicle_options o
         join vehicles.makes mk on mk.id = o.make_id
         join vehicles.models md on md.id = o.model_id
         join vehicles.trims t on t.id = o.trim_id
         join vehicles.engines e on e.id = o.engine_id
         join vehicles.transmissions tr on tr.id = o.transmission_id
         where o.year = $1 and lower(mk.name) = lower($2) and lower(md.name) = lower($3)
           and ($4::text is null or lower(t.name) = lower($4))
           and ($5::text is null or lower(e.name) = lower($5))
         order by tr.name",
        year,
        make,
        model,
        trim,
        engine,
    )
    .fetch_all(pool)
    .await?;
    Ok(items(rows))
}

/// Manufacturer, make and country of a WMI.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn wmi(pool: &PgPool, code: &str) -> sqlx::Result<Option<(String, String, String)>> {
    let row = sqlx::query!(
        "select manufacturer, make, country from vehicles.wmi where wmi = $1",
        code,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.manufacturer, r.make, r.country)))
}

/// The catalog's spelling of a make (`HONDA` → `Honda`), if the catalog has it.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn canonical_make(pool: &PgPool, make: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "select name from vehicles.makes where lower(name) = lower($1)",
        make,
    )
    .fetch_optional(pool)
    .await
}

/// The catalog's spelling of a model of a make, matched ignoring case, spaces and dashes.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn canonical_model(
    pool: &PgPool,
    make: &str,
    model: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
"select md.name from vehicles.models md join vehicles.makes mk on mk.id = md.make_id
         where lower(mk.name) = lower($1)
           and regexp_replace(lower(md.name), '[^a-z0-9]', '', 'g') = regexp_replace(lower($2), '[^a-z0-9]', '', 'g')
         limit 1",
make,
model,
)
    .fetch_optional(pool)
    .await
}

/// How many year/model/trim/engine/transmission rows the catalog holds.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn option_count(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from vehicles.vehicle_options"#)
        .fetch_one(pool)
        .await
}
