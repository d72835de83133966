//! `fuel_logs` queries, every one scoped by user id, and the recomputation of a vehicle's economy
//! chain after a change (from the last full fill before the change onward, in one pass).

use chrono::{DateTime, Utc};
use mvp_core::pagination::Page;
use mvp_types::ids::UserId;
use mvp_types::ids::{FuelLogId, VehicleId};
use mvp_types::user::UnitSystem;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::chain::{self, Point};
use crate::domain::NewFuelLog;

#[derive(Debug, Clone)]
pub struct FuelRow {
    pub id: FuelLogId,
    pub vehicle_id: VehicleId,
    pub date_time: DateTime<Utc>,
    pub entered_units: UnitSystem,
    pub odometer_entered: Option<Decimal>,
    pub trip_entered: Option<Decimal>,
    pub fuel_units_entered: Decimal,
    pub cost_per_unit_entered: Decimal,
    pub total_cost: Decimal,
    pub fuel_type: String,
    pub fuel_grade: Option<String>,
    pub full_fill: bool,
    pub missed_previous: bool,
    pub station_id: Option<String>,
    pub location_name: Option<String>,
    pub notes: Option<String>,
    pub odometer_km: Option<Decimal>,
    pub volume: Decimal,
    pub interval_km: Option<Decimal>,
    pub interval_volume: Option<Decimal>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `sqlx::query_as!(FuelRow, …)` with the row's columns between `$before` and `$after`: sqlx's
/// macros take only string literals, so the column list is spelled once, here.
macro_rules! fuel_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            FuelRow,
            $before
                + "id as \"id: FuelLogId\", vehicle_id as \"vehicle_id: VehicleId\", date_time,
                   entered_units as \"entered_units: UnitSystem\", odometer_entered, trip_entered,
                   fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade,
                   full_fill, missed_previous, station_id, location_name, notes, odometer_km, volume,
                   interval_km, interval_volume, created_at, updated_at"
                + $after
            $(, $arg)*
        )
    };
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert(
    conn: &mut PgConnection,
    user_id: &UserId,
    log: &NewFuelLog,
) -> sqlx::Result<FuelLogId> {
    let id = FuelLogId::new();
    sqlx::query!(
"insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered,
            trip_entered, fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade,
            full_fill, missed_previous, station_id, location_name, notes, odometer_km, trip_km, volume)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
id.0,
user_id.as_str(),
log.vehicle_id.0,
log.date_time,
log.units.as_str(),
log.odometer,
log.trip,
log.fuel_units,
log.cost_per_unit,
log.total_cost,
&log.fuel_type,
log.fuel_grade,
log.full_fill,
log.missed_previous,
log.station_id,
log.location_name,
log.notes,
log.odometer_km(),
log.trip_km(),
log.volume(),
)
    .execute(conn)
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: FuelLogId,
    log: &NewFuelLog,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update fuel_logs set vehicle_id = $3, date_time = $4, entered_units = $5, odometer_entered = $6,
            trip_entered = $7, fuel_units_entered = $8, cost_per_unit_entered = $9, total_cost = $10,
            fuel_type = $11, fuel_grade = $12, full_fill = $13, missed_previous = $14, station_id = $15,
            location_name = $16, notes = $17, odometer_km = $18, trip_km = $19, volume = $20
         where user_id = $1 and id = $2 and deleted_at is null",
user_id.as_str(),
id.0,
log.vehicle_id.0,
log.date_time,
log.units.as_str(),
log.odometer,
log.trip,
log.fuel_units,
log.cost_per_unit,
log.total_cost,
&log.fuel_type,
log.fuel_grade,
log.full_fill,
log.missed_previous,
log.station_id,
log.location_name,
log.notes,
log.odometer_km(),
log.trip_km(),
log.volume(),
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: FuelLogId,
) -> sqlx::Result<Option<FuelRow>> {
    fuel_rows!(
        "select ",
        " from fuel_logs where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn soft_delete(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: FuelLogId,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update fuel_logs set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
user_id.as_str(),
id.0,
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub vehicle_id: Option<VehicleId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list(
    pool: &PgPool,
    user_id: &UserId,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<FuelRow>, i64)> {
    let rows = fuel_rows!(
        "select ",
        " from fuel_logs
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
            and ($3::timestamptz is null or date_time >= $3)
            and ($4::timestamptz is null or date_time <= $4)
          order by date_time desc, id desc limit $5 offset $6",
        user_id.as_str(),
        filter.vehicle_id.map(|v| v.0),
        filter.from,
        filter.to,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    if let Some(total) = (Page { limit, offset }).total_from(rows.len()) {
        return Ok((rows, total));
    }
    let total = sqlx::query_scalar!(
        r#"select count(*) as "total!" from fuel_logs
            where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
              and ($3::timestamptz is null or date_time >= $3)
              and ($4::timestamptz is null or date_time <= $4)"#,
        user_id.as_str(),
        filter.vehicle_id.map(|v| v.0),
        filter.from,
        filter.to,
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

/// A page of one vehicle's fill-ups, newest first (the index's order).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn page(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: VehicleId,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<FuelRow>> {
    fuel_rows!(
        "select ",
        " from fuel_logs where user_id = $1 and vehicle_id = $2 and deleted_at is null
         order by date_time desc, id desc limit $3 offset $4",
        user_id.as_str(),
        vehicle_id.0,
        limit,
        offset
    )
    .fetch_all(pool)
    .await
}

/// The odometer bounds a log at `at` must fit between: the highest reading before it and the lowest
/// after it (km), ignoring the log `except`.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn odometer_bounds(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    at: DateTime<Utc>,
    except: Option<FuelLogId>,
) -> sqlx::Result<(Option<Decimal>, Option<Decimal>)> {
    let row = sqlx::query!(
        r#"select
            (select max(odometer_km) from fuel_logs where user_id = $1 and vehicle_id = $2
               and deleted_at is null and date_time <= $3 and ($4::uuid is null or id <> $4))
               as "before",
            (select min(odometer_km) from fuel_logs where user_id = $1 and vehicle_id = $2
               and deleted_at is null and date_time > $3 and ($4::uuid is null or id <> $4))
               as "after""#,
        user_id.as_str(),
        vehicle_id.0,
        at,
        except.map(|e| e.0),
    )
    .fetch_one(conn)
    .await?;
    Ok((row.before, row.after))
}

struct ChainRow {
    id: Uuid,
    odometer_km: Option<Decimal>,
    trip_km: Option<Decimal>,
    volume: Decimal,
    full_fill: bool,
    missed_previous: bool,
    fuel_type: String,
    segment_km: Option<Decimal>,
    interval_km: Option<Decimal>,
    interval_volume: Option<Decimal>,
}

/// Recomputes segments and economy intervals of a vehicle's logs from the last full fill before
/// `from` onward (that fill's own values depend only on what precedes it, so it anchors the pass),
/// then the monthly roll-up from `from`'s month. Only rows whose values change are written. Every
/// write of a fill-up ends here, so the stored economy and the roll-up cannot fall behind.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn recompute(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    from: DateTime<Utc>,
    time_zone: &str,
) -> sqlx::Result<u64> {
    let rows = sqlx::query_as!(
        ChainRow,
        "with anchor as (
            select date_time from fuel_logs
             where user_id = $1 and vehicle_id = $2 and deleted_at is null and full_fill
               and date_time < $3 and not missed_previous
             order by date_time desc limit 1)
         select id, odometer_km, trip_km, volume, full_fill, missed_previous, fuel_type,
                segment_km, interval_km, interval_volume
           from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null
            and date_time >= coalesce((select date_time from anchor), '-infinity'::timestamptz)
          order by date_time, odometer_km nulls last, id",
        user_id.as_str(),
        vehicle_id.0,
        from,
    )
    .fetch_all(&mut *conn)
    .await?;
    let anchored = rows.first().is_some_and(|r| r.full_fill)
        && sqlx::query_scalar!(
            r#"select exists(select 1 from fuel_logs where user_id = $1 and vehicle_id = $2
                 and deleted_at is null and date_time < $3) as "earlier!""#,
            user_id.as_str(),
            vehicle_id.0,
            from,
        )
        .fetch_one(&mut *conn)
        .await?;
    let points: Vec<Point> = rows
        .iter()
        .map(|r| Point {
            id: r.id,
            odometer_km: r.odometer_km,
            trip_km: r.trip_km,
            volume: r.volume,
            full_fill: r.full_fill,
            missed_previous: r.missed_previous,
            electric: r.fuel_type == "electric",
        })
        .collect();
    let computed = chain::compute(&points);
    let mut ids = Vec::new();
    let mut segments = Vec::new();
    let mut interval_km = Vec::new();
    let mut interval_volume = Vec::new();
    for (i, (row, new)) in rows.iter().zip(computed).enumerate() {
        // The anchor's own values came from logs before it, which were not loaded.
        if i == 0 && anchored {
            continue;
        }
        let same = row.segment_km == new.segment_km
            && row.interval_km == new.interval_km
            && row.interval_volume == new.interval_volume;
        if same {
            continue;
        }
        ids.push(row.id);
        segments.push(new.segment_km);
        interval_km.push(new.interval_km);
        interval_volume.push(new.interval_volume);
    }
    // One statement per batch of changed rows (an import changes every one of its rows).
    const BATCH: usize = 5_000;
    for start in (0..ids.len()).step_by(BATCH) {
        let end = (start + BATCH).min(ids.len());
        sqlx::query!(
            "update fuel_logs f set segment_km = t.segment_km, interval_km = t.interval_km,
                    interval_volume = t.interval_volume
               from unnest($2::uuid[], $3::numeric[], $4::numeric[], $5::numeric[])
                 as t(id, segment_km, interval_km, interval_volume)
              where f.user_id = $1 and f.id = t.id",
            user_id.as_str(),
            &ids[start..end],
            &segments[start..end] as &[Option<Decimal>],
            &interval_km[start..end] as &[Option<Decimal>],
            &interval_volume[start..end] as &[Option<Decimal>],
        )
        .execute(&mut *conn)
        .await?;
    }
    let written = ids.len() as u64;
    crate::months::refresh_months(conn, user_id, vehicle_id, time_zone, Some(from)).await?;
    Ok(written)
}

/// The newest valid interval of one kind (`electric` or not).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn last_interval(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: VehicleId,
    electric: bool,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<(Decimal, Decimal)>> {
    let row = sqlx::query!(
        r#"select interval_km as "interval_km!", interval_volume as "interval_volume!" from fuel_logs
            where user_id = $1 and vehicle_id = $2 and deleted_at is null
              and interval_km is not null and interval_volume is not null
              and (fuel_type = 'electric') = $3
              and ($4::timestamptz is null or date_time >= $4)
              and ($5::timestamptz is null or date_time <= $5)
            order by date_time desc limit 1"#,
        user_id.as_str(),
        vehicle_id.0,
        electric,
        from,
        to,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.interval_km, r.interval_volume)))
}

/// Live fill-ups per user among `user_ids` (the admin's user list; across users by design).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn counts_by_user(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query!(
        r#"select user_id, count(*) as "n!" from fuel_logs
            where user_id = any($1) and deleted_at is null group by user_id"#,
        user_ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.n)).collect())
}

/// A kept log as the importer compares new ones with it.
#[derive(Debug, Clone)]
pub struct KeptLog {
    pub date_time: DateTime<Utc>,
    /// The day in the user's time zone.
    pub local_date: chrono::NaiveDate,
    pub odometer_km: Option<Decimal>,
    pub volume: Decimal,
}

/// Every live log of a vehicle as the importer compares them: time, local date in `time_zone`,
/// odometer (km) and canonical quantity.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn import_keys(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    time_zone: &str,
) -> sqlx::Result<Vec<KeptLog>> {
    let rows = sqlx::query!(
        r#"select date_time, (date_time at time zone $3)::date as "local_date!", odometer_km, volume
             from fuel_logs where user_id = $1 and vehicle_id = $2 and deleted_at is null"#,
        user_id.as_str(),
        vehicle_id.0,
        time_zone,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| KeptLog {
            date_time: r.date_time,
            local_date: r.local_date,
            odometer_km: r.odometer_km,
            volume: r.volume,
        })
        .collect())
}

/// Inserts `logs` in one statement (the importer's batches); economy is left to [`recompute`].
#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_many(
    conn: &mut PgConnection,
    user_id: &UserId,
    logs: &[&NewFuelLog],
) -> sqlx::Result<u64> {
    let mut ids = Vec::with_capacity(logs.len());
    let mut vehicles = Vec::with_capacity(logs.len());
    let mut times = Vec::with_capacity(logs.len());
    let mut units = Vec::with_capacity(logs.len());
    let mut odometers = Vec::with_capacity(logs.len());
    let mut trips = Vec::with_capacity(logs.len());
    let mut quantities = Vec::with_capacity(logs.len());
    let mut prices = Vec::with_capacity(logs.len());
    let mut totals = Vec::with_capacity(logs.len());
    let mut fuel_types = Vec::with_capacity(logs.len());
    let mut grades = Vec::with_capacity(logs.len());
    let mut full = Vec::with_capacity(logs.len());
    let mut missed = Vec::with_capacity(logs.len());
    let mut stations = Vec::with_capacity(logs.len());
    let mut locations = Vec::with_capacity(logs.len());
    let mut notes = Vec::with_capacity(logs.len());
    let mut odometer_km = Vec::with_capacity(logs.len());
    let mut trip_km = Vec::with_capacity(logs.len());
    let mut volumes = Vec::with_capacity(logs.len());
    for log in logs {
        ids.push(FuelLogId::new().0);
        vehicles.push(log.vehicle_id.0);
        times.push(log.date_time);
        units.push(log.units.as_str().to_owned());
        odometers.push(log.odometer);
        trips.push(log.trip);
        quantities.push(log.fuel_units);
        prices.push(log.cost_per_unit);
        totals.push(log.total_cost);
        fuel_types.push(log.fuel_type.clone());
        grades.push(log.fuel_grade.clone());
        full.push(log.full_fill);
        missed.push(log.missed_previous);
        stations.push(log.station_id.clone());
        locations.push(log.location_name.clone());
        notes.push(log.notes.clone());
        odometer_km.push(log.odometer_km());
        trip_km.push(log.trip_km());
        volumes.push(log.volume());
    }
    let done = sqlx::query!(
"insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered,
            trip_entered, fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade,
            full_fill, missed_previous, station_id, location_name, notes, odometer_km, trip_km, volume)
         select id, $2, vehicle_id, date_time, entered_units, odometer_entered, trip_entered,
                fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade,
                full_fill, missed_previous, station_id, location_name, notes, odometer_km, trip_km,
                volume
           from unnest($1::uuid[], $3::uuid[], $4::timestamptz[], $5::text[], $6::numeric[],
                       $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::text[],
                       $12::text[], $13::bool[], $14::bool[], $15::text[], $16::text[], $17::text[],
                       $18::numeric[], $19::numeric[], $20::numeric[])
             as t(id, vehicle_id, date_time, entered_units, odometer_entered, trip_entered,
                  fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade,
                  full_fill, missed_previous, station_id, location_name, notes, odometer_km,
                  trip_km, volume)",
&ids,
user_id.as_str(),
&vehicles,
&times,
&units,
&odometers as &[Option<Decimal>],
&trips as &[Option<Decimal>],
&quantities,
&prices,
&totals,
&fuel_types,
&grades as &[Option<String>],
&full,
&missed,
&stations as &[Option<String>],
&locations as &[Option<String>],
&notes as &[Option<String>],
&odometer_km as &[Option<Decimal>],
&trip_km as &[Option<Decimal>],
&volumes,
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Every live log of the user, oldest first, one at a time (the export: memory stays flat however
/// many there are).
pub fn stream_all<'a>(
    pool: &'a PgPool,
    user_id: &'a UserId,
) -> futures_util::stream::BoxStream<'a, sqlx::Result<FuelRow>> {
    fuel_rows!(
        "select ",
        " from fuel_logs where user_id = $1 and deleted_at is null
          order by vehicle_id, date_time, odometer_km nulls last, id",
        user_id.as_str()
    )
    .fetch(pool)
}
