//! Catalog management, for the admin capsule: add an option (creating the names it needs), delete
//! an option, rename or delete an entry, import CSV (or only report what it would add). Each runs in
//! the caller's transaction, so the admin's audit row commits with the change, and bumps the
//! catalog version; after the commit the caller calls [`crate::catalog::changed`]. Whether an entry
//! is still used by vehicles is the vehicles capsule's to say; the admin capsule asks it first.

use chrono::Datelike;
use mvp_core::{AppError, AppResult};
use mvp_types::admin::{
    CatalogCounts, CatalogEntry, CatalogImportReport, CatalogKind, CatalogOption, NewCatalogOption,
};
use mvp_types::{FieldError, Invalid};
use sqlx::{Acquire, PgConnection, PgPool};

use crate::catalog::{self, CatalogRows};

/// The longest name of a catalog entry.
pub use mvp_types::limits::CATALOG_NAME_MAX as NAME_MAX;

/// The latest model year the catalog takes: two years ahead (makers announce early).
pub fn last_year() -> i16 {
    i16::try_from(chrono::Utc::now().year() + 2).unwrap_or(i16::MAX)
}

/// A trimmed, non-empty, one-line name of at most [`NAME_MAX`] characters.
pub(crate) fn name(field: &str, value: &str, details: &mut Vec<FieldError>) -> String {
    match mvp_core::validate::single_line_text(details, field, Some(value.to_owned()), NAME_MAX) {
        Some(value) => value,
        None => {
            details.push(FieldError::new(field, format!("{field} is required")));
            String::new()
        }
    }
}

/// The checked fields of a new option.
fn checked(input: &NewCatalogOption) -> Result<(i16, CatalogRows), Invalid> {
    let mut details = Vec::new();
    let (first, last) = (i32::from(catalog::FIRST_YEAR), i32::from(last_year()));
    let year = match input.year {
        Some(year) if (first..=last).contains(&year) => i16::try_from(year).unwrap_or_default(),
        Some(_) => {
            details.push(FieldError::new(
                "year",
                format!("must be between {first} and {last}"),
            ));
            0
        }
        None => {
            details.push(FieldError::new("year", "year is required"));
            0
        }
    };
    let rows = CatalogRows {
        years_from: vec![year],
        years_to: vec![year],
        makes: vec![name("make", &input.make, &mut details)],
        models: vec![name("model", &input.model, &mut details)],
        trims: vec![name("trim", &input.trim, &mut details)],
        engines: vec![name("engine", &input.engine, &mut details)],
        transmissions: vec![name("transmission", &input.transmission, &mut details)],
    };
    Invalid::or(details, (year, rows))
}

/// Serialises catalog changes (names are matched in any letter case before they are inserted).
async fn lock(conn: &mut PgConnection) -> sqlx::Result<()> {
    mvp_core::db::xact_lock(conn, "catalog").await
}

/// Adds the option `input` names, creating the make, model, trim, engine and transmission that do
/// not exist yet (names match in any letter case). Returns the option and whether it is new.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn add_option(
    conn: &mut PgConnection,
    input: &NewCatalogOption,
) -> AppResult<(CatalogOption, bool)> {
    let (year, rows) = checked(input)?;
    lock(conn).await?;
    let created = catalog::insert_rows(conn, &rows).await?;
    let id = sqlx::query_scalar!(
        "select o.id from vehicles.vehicle_options o
           join vehicles.makes mk on mk.id = o.make_id
           join vehicles.models md on md.id = o.model_id
           join vehicles.trims t on t.id = o.trim_id
           join vehicles.engines e on e.id = o.engine_id
           join vehicles.transmissions tr on tr.id = o.transmission_id
          where o.year = $1 and lower(mk.name) = lower($2) and lower(md.name) = lower($3)
            and lower(t.name) = lower($4) and lower(e.name) = lower($5)
            and lower(tr.name) = lower($6)",
        year,
        rows.makes[0],
        rows.models[0],
        rows.trims[0],
        rows.engines[0],
        rows.transmissions[0],
    )
    .fetch_one(&mut *conn)
    .await?;
    let option = option(conn, id)
        .await?
        .ok_or(AppError::NotFound("catalog option"))?;
    if created.options > 0 {
        catalog::bump_version(conn).await?;
    }
    Ok((option, created.options > 0))
}

/// One option with its entries' names.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn option(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<CatalogOption>> {
    sqlx::query_as!(
        CatalogOption,
        r#"select o.id, o.year::int4 as "year!", mk.id as make_id, mk.name as make,
                  md.id as model_id, md.name as model, t.id as trim_id, t.name as trim,
                  e.id as engine_id, e.name as engine, tr.id as transmission_id,
                  tr.name as transmission
             from vehicles.vehicle_options o
             join vehicles.makes mk on mk.id = o.make_id
             join vehicles.models md on md.id = o.model_id
             join vehicles.trims t on t.id = o.trim_id
             join vehicles.engines e on e.id = o.engine_id
             join vehicles.transmissions tr on tr.id = o.transmission_id
            where o.id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// The options of a model year, for a make (and model) when given, sorted by their names.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn options(
    pool: &PgPool,
    year: i16,
    make: Option<&str>,
    model: Option<&str>,
) -> sqlx::Result<Vec<CatalogOption>> {
    sqlx::query_as!(
        CatalogOption,
        r#"select o.id, o.year::int4 as "year!", mk.id as make_id, mk.name as make,
                  md.id as model_id, md.name as model, t.id as trim_id, t.name as trim,
                  e.id as engine_id, e.name as engine, tr.id as transmission_id,
                  tr.name as transmission
             from vehicles.vehicle_options o
             join vehicles.makes mk on mk.id = o.make_id
             join vehicles.models md on md.id = o.model_id
             join vehicles.trims t on t.id = o.trim_id
             join vehicles.engines e on e.id = o.engine_id
             join vehicles.transmissions tr on tr.id = o.transmission_id
            where o.year = $1
              and ($2::text is null or lower(mk.name) = lower($2))
              and ($3::text is null or lower(md.name) = lower($3))
            order by mk.name, md.name, t.name, e.name, tr.name
            limit 2000"#,
        year,
        make,
        model,
    )
    .fetch_all(pool)
    .await
}

/// Deletes one option; returns it as it was (`None`: no such option).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn delete_option(conn: &mut PgConnection, id: i64) -> AppResult<Option<CatalogOption>> {
    lock(conn).await?;
    let Some(before) = option(conn, id).await? else {
        return Ok(None);
    };
    sqlx::query!("delete from vehicles.vehicle_options where id = $1", id)
        .execute(&mut *conn)
        .await?;
    catalog::bump_version(conn).await?;
    Ok(Some(before))
}

/// One entry of the catalog (a model with its make's name).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn entry(
    conn: &mut PgConnection,
    kind: CatalogKind,
    id: i32,
) -> sqlx::Result<Option<CatalogEntry>> {
    let row = sqlx::query!(
        r#"select name as "name!", make from (
             select mk.name, null::text as make from vehicles.makes mk where $1 = 'make' and mk.id = $2
             union all
             select md.name, mk.name from vehicles.models md join vehicles.makes mk on mk.id = md.make_id
              where $1 = 'model' and md.id = $2
             union all
             select t.name, null from vehicles.trims t where $1 = 'trim' and t.id = $2
             union all
             select e.name, null from vehicles.engines e where $1 = 'engine' and e.id = $2
             union all
             select tr.name, null from vehicles.transmissions tr
              where $1 = 'transmission' and tr.id = $2
           ) as found"#,
        kind.as_str(),
        id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| CatalogEntry {
        kind,
        id,
        name: r.name,
        make: r.make,
    }))
}

/// Renames an entry; another entry of its kind (of the same make, for a model) with that name in any
/// letter case is a 409. Returns the entry before and after (`None`: no such entry).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn rename(
    conn: &mut PgConnection,
    kind: CatalogKind,
    id: i32,
    new_name: &str,
) -> AppResult<Option<(CatalogEntry, CatalogEntry)>> {
    let mut details = Vec::new();
    let new_name = name("name", new_name, &mut details);
    Invalid::or(details, ())?;
    lock(conn).await?;
    let Some(before) = entry(conn, kind, id).await? else {
        return Ok(None);
    };
    let taken = sqlx::query_scalar!(
        r#"select exists(
             select 1 from vehicles.makes where $1 = 'make' and id <> $2 and lower(name) = lower($3)
             union all
             select 1 from vehicles.models md where $1 = 'model' and md.id <> $2
                and lower(md.name) = lower($3)
                and md.make_id = (select make_id from vehicles.models where id = $2)
             union all
             select 1 from vehicles.trims where $1 = 'trim' and id <> $2 and lower(name) = lower($3)
             union all
             select 1 from vehicles.engines where $1 = 'engine' and id <> $2 and lower(name) = lower($3)
             union all
             select 1 from vehicles.transmissions
              where $1 = 'transmission' and id <> $2 and lower(name) = lower($3)
           ) as "taken!""#,
        kind.as_str(),
        id,
        new_name,
    )
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Err(AppError::Conflict(format!(
            "another {} is already named {new_name:?}",
            kind.as_str()
        )));
    }
    sqlx::query!(
        "with mk as (update vehicles.makes set name = $3 where $1 = 'make' and id = $2),
              md as (update vehicles.models set name = $3 where $1 = 'model' and id = $2),
              t as (update vehicles.trims set name = $3 where $1 = 'trim' and id = $2),
              e as (update vehicles.engines set name = $3 where $1 = 'engine' and id = $2)
         update vehicles.transmissions set name = $3 where $1 = 'transmission' and id = $2",
        kind.as_str(),
        id,
        new_name,
    )
    .execute(&mut *conn)
    .await?;
    let after = CatalogEntry {
        name: new_name,
        ..before.clone()
    };
    catalog::bump_version(conn).await?;
    Ok(Some((before, after)))
}

/// Deletes an entry and the catalog rows under it (its options; a make's models). Vehicles keep
/// the names they were saved with; the admin capsule refuses the delete while vehicles use it.
/// Returns the entry as it was and how many options went with it (`None`: no such entry).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn delete_entry(
    conn: &mut PgConnection,
    kind: CatalogKind,
    id: i32,
) -> AppResult<Option<(CatalogEntry, i64)>> {
    lock(conn).await?;
    let Some(before) = entry(conn, kind, id).await? else {
        return Ok(None);
    };
    let options = sqlx::query!(
        "delete from vehicles.vehicle_options
          where case $1 when 'make' then make_id when 'model' then model_id when 'trim' then trim_id
                        when 'engine' then engine_id else transmission_id end = $2",
        kind.as_str(),
        id,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query!(
        "with md as (delete from vehicles.models where ($1 = 'make' and make_id = $2)
                                                    or ($1 = 'model' and id = $2)),
              t as (delete from vehicles.trims where $1 = 'trim' and id = $2),
              e as (delete from vehicles.engines where $1 = 'engine' and id = $2),
              tr as (delete from vehicles.transmissions where $1 = 'transmission' and id = $2)
         delete from vehicles.makes where $1 = 'make' and id = $2",
        kind.as_str(),
        id,
    )
    .execute(&mut *conn)
    .await?;
    catalog::bump_version(conn).await?;
    Ok(Some((before, i64::try_from(options).unwrap_or(i64::MAX))))
}

/// Imports catalog CSV (the format of `data/catalog.csv`). Every line is checked; with any error,
/// or with `dry_run`, nothing is kept, and the report says what the good rows would have added.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn import_csv(
    conn: &mut PgConnection,
    text: &str,
    dry_run: bool,
) -> AppResult<CatalogImportReport> {
    let (rows, read, errors) = catalog::parse_catalog_lines(text);
    if read == 0 && errors.is_empty() {
        return Err(AppError::validation(
            "file",
            "no rows: the file needs the header year_from,year_to,make,model,trim,engine,transmission and at least one row",
        ));
    }
    lock(conn).await?;
    // A savepoint: the inserts are counted, then kept or rolled back.
    let mut trial = conn.begin().await?;
    let created: CatalogCounts = catalog::insert_rows(&mut trial, &rows).await?;
    let applied = !dry_run && errors.is_empty();
    if applied {
        trial.commit().await?;
        catalog::bump_version(conn).await?;
    } else {
        trial.rollback().await?;
    }
    Ok(CatalogImportReport {
        dry_run,
        applied,
        rows: read,
        option_rows: rows.options(),
        created,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_option_names_each_bad_field() {
        let input = NewCatalogOption {
            year: Some(1850),
            make: " ".into(),
            model: "M".repeat(NAME_MAX + 1),
            trim: "Base".into(),
            engine: "2.0L I4".into(),
            transmission: String::new(),
        };
        let fields = checked(&input)
            .err()
            .map(|e| e.fields().join(","))
            .unwrap_or_default();
        assert_eq!(fields, "year,make,model,transmission");
    }

    #[test]
    fn names_are_trimmed() {
        let input = NewCatalogOption {
            year: Some(2024),
            make: " Rivian ".into(),
            model: "R1T".into(),
            trim: "Adventure".into(),
            engine: "Electric (Quad Motor)".into(),
            transmission: "1-Speed Direct Drive".into(),
        };
        let (year, rows) = checked(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((year, rows.makes[0].as_str()), (2024, "Rivian"));
    }
}
