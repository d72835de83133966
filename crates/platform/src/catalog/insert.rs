//! Adding the entries and options a set of catalog rows names, in set-based statements, 10,000 rows
//! at a time. Postgres expands each row's year range to its options (`generate_series`): the
//! embedded catalog's 8,224 rows are 43,670 options, which sent one by one took ~8 MiB of buffers.

use mvp_types::admin::CatalogCounts;
use sqlx::PgConnection;

use super::CatalogRows;

/// Rows sent per statement.
const CHUNK: usize = 10_000;

/// Inserts the entries and options `rows` name that are not in the catalog yet (names match in any
/// letter case; the first spelling seen is kept) and says how many of each it added.
pub(crate) async fn insert_rows(
    conn: &mut PgConnection,
    rows: &CatalogRows,
) -> sqlx::Result<CatalogCounts> {
    let mut total = CatalogCounts::default();
    let len = rows.years_from.len();
    for start in (0..len).step_by(CHUNK) {
        let part = start..(start + CHUNK).min(len);
        total += insert_part(conn, rows, part).await?;
    }
    Ok(total)
}

/// [`insert_rows`] for the rows in `part`; the entries each option names come first.
async fn insert_part(
    conn: &mut PgConnection,
    rows: &CatalogRows,
    part: std::ops::Range<usize>,
) -> sqlx::Result<CatalogCounts> {
    let makes = sqlx::query!(
        "insert into vehicles.makes (name)
         select distinct on (lower(x.name)) x.name from unnest($1::text[]) as x(name)
          where not exists (select 1 from vehicles.makes mk where lower(mk.name) = lower(x.name))
         order by lower(x.name)
         on conflict do nothing",
        &rows.makes[part.clone()],
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
        &rows.makes[part.clone()],
        &rows.models[part.clone()],
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
        &rows.trims[part.clone()],
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
        &rows.engines[part.clone()],
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
        &rows.transmissions[part.clone()],
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let options = sqlx::query!(
        "insert into vehicles.vehicle_options (year, make_id, model_id, trim_id, engine_id, transmission_id)
         select y.year::smallint, mk.id, md.id, t.id, e.id, tr.id
         from unnest($1::smallint[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[])
              as x(year_from, year_to, make, model, trim, engine, transmission)
         cross join lateral generate_series(x.year_from::int, x.year_to::int) as y(year)
         join vehicles.makes mk on lower(mk.name) = lower(x.make)
         join vehicles.models md on md.make_id = mk.id and lower(md.name) = lower(x.model)
         join vehicles.trims t on lower(t.name) = lower(x.trim)
         join vehicles.engines e on lower(e.name) = lower(x.engine)
         join vehicles.transmissions tr on lower(tr.name) = lower(x.transmission)
         on conflict do nothing",
        &rows.years_from[part.clone()],
        &rows.years_to[part.clone()],
        &rows.makes[part.clone()],
        &rows.models[part.clone()],
        &rows.trims[part.clone()],
        &rows.engines[part.clone()],
        &rows.transmissions[part.clone()],
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
