//! `fuel_logs` queries, every one scoped by user id, and the recomputation of a vehicle's economy
//! chain after a change (from the last full fill before the change onward, in one pass).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::chain::{self, Point};
use crate::domain::NewFuelLog;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FuelRow {
    pub id: Uuid,
    pub vehicle_id: Uuid,
    pub date_time: DateTime<Utc>,
    pub entered_units: String,
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

const COLUMNS: &str = "id, vehicle_id, date_time, entered_units, odometer_entered, trip_entered, \
    fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade, full_fill, missed_previous, \
    station_id, location_name, notes, odometer_km, volume, interval_km, interval_volume, created_at, updated_at";

pub async fn insert(
    conn: &mut PgConnection,
    user_id: &str,
    log: &NewFuelLog,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered,
            trip_entered, fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade,
            full_fill, missed_previous, station_id, location_name, notes, odometer_km, trip_km, volume)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
    )
    .bind(id)
    .bind(user_id)
    .bind(log.vehicle_id)
    .bind(log.date_time)
    .bind(log.units.as_str())
    .bind(log.odometer)
    .bind(log.trip)
    .bind(log.fuel_units)
    .bind(log.cost_per_unit)
    .bind(log.total_cost)
    .bind(&log.fuel_type)
    .bind(&log.fuel_grade)
    .bind(log.full_fill)
    .bind(log.missed_previous)
    .bind(&log.station_id)
    .bind(&log.location_name)
    .bind(&log.notes)
    .bind(log.odometer_km())
    .bind(log.trip_km())
    .bind(log.volume())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    user_id: &str,
    id: Uuid,
    log: &NewFuelLog,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update fuel_logs set vehicle_id = $3, date_time = $4, entered_units = $5, odometer_entered = $6,
            trip_entered = $7, fuel_units_entered = $8, cost_per_unit_entered = $9, total_cost = $10,
            fuel_type = $11, fuel_grade = $12, full_fill = $13, missed_previous = $14, station_id = $15,
            location_name = $16, notes = $17, odometer_km = $18, trip_km = $19, volume = $20
         where user_id = $1 and id = $2 and deleted_at is null",
    )
    .bind(user_id)
    .bind(id)
    .bind(log.vehicle_id)
    .bind(log.date_time)
    .bind(log.units.as_str())
    .bind(log.odometer)
    .bind(log.trip)
    .bind(log.fuel_units)
    .bind(log.cost_per_unit)
    .bind(log.total_cost)
    .bind(&log.fuel_type)
    .bind(&log.fuel_grade)
    .bind(log.full_fill)
    .bind(log.missed_previous)
    .bind(&log.station_id)
    .bind(&log.location_name)
    .bind(&log.notes)
    .bind(log.odometer_km())
    .bind(log.trip_km())
    .bind(log.volume())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find(
    conn: &mut PgConnection,
    user_id: &str,
    id: Uuid,
) -> sqlx::Result<Option<FuelRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from fuel_logs where user_id = $1 and id = $2 and deleted_at is null"
    )))
    .bind(user_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn soft_delete(conn: &mut PgConnection, user_id: &str, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update fuel_logs set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
    )
    .bind(user_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub vehicle_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub async fn list(
    pool: &PgPool,
    user_id: &str,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<FuelRow>, i64)> {
    let condition = "user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
         and ($3::timestamptz is null or date_time >= $3) and ($4::timestamptz is null or date_time <= $4)";
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from fuel_logs where {condition}
         order by date_time desc, id desc limit $5 offset $6"
    )))
    .bind(user_id)
    .bind(filter.vehicle_id)
    .bind(filter.from)
    .bind(filter.to)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from fuel_logs where {condition}"
    )))
    .bind(user_id)
    .bind(filter.vehicle_id)
    .bind(filter.from)
    .bind(filter.to)
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

/// A page of one vehicle's fill-ups, newest first (the index's order).
pub async fn page(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Uuid,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<FuelRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from fuel_logs where user_id = $1 and vehicle_id = $2 and deleted_at is null
         order by date_time desc, id desc limit $3 offset $4"
    )))
    .bind(user_id)
    .bind(vehicle_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

/// The odometer bounds a log at `at` must fit between: the highest reading before it and the lowest
/// after it (km), ignoring the log `except`.
pub async fn odometer_bounds(
    conn: &mut PgConnection,
    user_id: &str,
    vehicle_id: Uuid,
    at: DateTime<Utc>,
    except: Option<Uuid>,
) -> sqlx::Result<(Option<Decimal>, Option<Decimal>)> {
    sqlx::query_as(
        "select
            (select max(odometer_km) from fuel_logs where user_id = $1 and vehicle_id = $2
               and deleted_at is null and date_time <= $3 and ($4::uuid is null or id <> $4)),
            (select min(odometer_km) from fuel_logs where user_id = $1 and vehicle_id = $2
               and deleted_at is null and date_time > $3 and ($4::uuid is null or id <> $4))",
    )
    .bind(user_id)
    .bind(vehicle_id)
    .bind(at)
    .bind(except)
    .fetch_one(conn)
    .await
}

#[derive(sqlx::FromRow)]
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
pub async fn recompute(
    conn: &mut PgConnection,
    user_id: &str,
    vehicle_id: Uuid,
    from: DateTime<Utc>,
    time_zone: &str,
) -> sqlx::Result<u64> {
    let rows: Vec<ChainRow> = sqlx::query_as(
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
    )
    .bind(user_id)
    .bind(vehicle_id)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    let anchored = rows.first().is_some_and(|r| r.full_fill)
        && sqlx::query_scalar::<_, bool>(
            "select exists(select 1 from fuel_logs where user_id = $1 and vehicle_id = $2
               and deleted_at is null and date_time < $3)",
        )
        .bind(user_id)
        .bind(vehicle_id)
        .bind(from)
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
    let mut written = 0;
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
        sqlx::query(
            "update fuel_logs set segment_km = $3, interval_km = $4, interval_volume = $5
             where user_id = $1 and id = $2",
        )
        .bind(user_id)
        .bind(row.id)
        .bind(new.segment_km)
        .bind(new.interval_km)
        .bind(new.interval_volume)
        .execute(&mut *conn)
        .await?;
        written += 1;
    }
    refresh_months(conn, user_id, vehicle_id, time_zone, Some(from)).await?;
    Ok(written)
}

/// The newest valid interval of one kind (`electric` or not).
pub async fn last_interval(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Uuid,
    electric: bool,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<(Decimal, Decimal)>> {
    sqlx::query_as(
        "select interval_km, interval_volume from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null and interval_km is not null
            and (fuel_type = 'electric') = $3
            and ($4::timestamptz is null or date_time >= $4) and ($5::timestamptz is null or date_time <= $5)
          order by date_time desc limit 1",
    )
    .bind(user_id)
    .bind(vehicle_id)
    .bind(electric)
    .bind(from)
    .bind(to)
    .fetch_optional(pool)
    .await
}

/// One month of a vehicle's roll-up.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonthTotals {
    pub month: chrono::NaiveDate,
    pub log_count: i64,
    pub liquid_count: i64,
    pub total_cost: Decimal,
    pub liquid_volume: Decimal,
    pub energy_volume: Decimal,
    pub distance_km: Decimal,
    pub liquid_interval_km: Decimal,
    pub liquid_interval_volume: Decimal,
    pub energy_interval_km: Decimal,
    pub energy_interval_volume: Decimal,
}

const MONTH_SUMS: &str = "count(*) as log_count,
    count(*) filter (where fuel_type <> 'electric') as liquid_count,
    coalesce(sum(total_cost), 0) as total_cost,
    coalesce(sum(volume) filter (where fuel_type <> 'electric'), 0) as liquid_volume,
    coalesce(sum(volume) filter (where fuel_type = 'electric'), 0) as energy_volume,
    coalesce(sum(segment_km), 0) as distance_km,
    coalesce(sum(interval_km) filter (where fuel_type <> 'electric'), 0) as liquid_interval_km,
    coalesce(sum(interval_volume) filter (where fuel_type <> 'electric'), 0) as liquid_interval_volume,
    coalesce(sum(interval_km) filter (where fuel_type = 'electric'), 0) as energy_interval_km,
    coalesce(sum(interval_volume) filter (where fuel_type = 'electric'), 0) as energy_interval_volume";

/// Serialises rebuilds of one vehicle's monthly roll-up (delete + insert) until the transaction
/// ends. Writers already hold the vehicle's row lock (`mvp_vehicles::lock`) and take this after it;
/// a statistics read that finds the roll-up stale takes only this, so no two orders meet.
async fn lock_months(conn: &mut PgConnection, user_id: &str, vehicle_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1 || '/' || $2::text, 0))")
        .bind(user_id)
        .bind(vehicle_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Rebuilds a vehicle's roll-up from the month holding `from` (all months when the time zone changed).
pub async fn refresh_months(
    conn: &mut PgConnection,
    user_id: &str,
    vehicle_id: Uuid,
    time_zone: &str,
    from: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    lock_months(&mut *conn, user_id, vehicle_id).await?;
    let stored_zone: Option<String> = sqlx::query_scalar(
        "select time_zone from fuel_log_months where user_id = $1 and vehicle_id = $2 limit 1",
    )
    .bind(user_id)
    .bind(vehicle_id)
    .fetch_optional(&mut *conn)
    .await?;
    let from = if stored_zone.as_deref().is_some_and(|z| z != time_zone) {
        None
    } else {
        from
    };
    sqlx::query(
        "delete from fuel_log_months where user_id = $1 and vehicle_id = $2
           and ($3::timestamptz is null or month >= date_trunc('month', $3 at time zone $4)::date)",
    )
    .bind(user_id)
    .bind(vehicle_id)
    .bind(from)
    .bind(time_zone)
    .execute(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "insert into fuel_log_months (user_id, vehicle_id, time_zone, month, log_count, liquid_count,
            total_cost, liquid_volume, energy_volume, distance_km, liquid_interval_km,
            liquid_interval_volume, energy_interval_km, energy_interval_volume)
         select $1, $2, $4, date_trunc('month', date_time at time zone $4)::date as month, {MONTH_SUMS}
           from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null
            and ($3::timestamptz is null
                 or date_trunc('month', date_time at time zone $4) >= date_trunc('month', $3 at time zone $4))
          group by 4"
    )))
    .bind(user_id)
    .bind(vehicle_id)
    .bind(from)
    .bind(time_zone)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The roll-up, built first if it is missing or in another time zone.
pub async fn months(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Uuid,
    time_zone: &str,
) -> sqlx::Result<Vec<MonthTotals>> {
    let select = "select month, log_count, liquid_count, total_cost, liquid_volume, energy_volume,
            distance_km, liquid_interval_km, liquid_interval_volume, energy_interval_km,
            energy_interval_volume, time_zone
       from fuel_log_months where user_id = $1 and vehicle_id = $2 order by month";
    #[derive(sqlx::FromRow)]
    struct WithZone {
        #[sqlx(flatten)]
        totals: MonthTotals,
        time_zone: String,
    }
    let rows: Vec<WithZone> = sqlx::query_as(select)
        .bind(user_id)
        .bind(vehicle_id)
        .fetch_all(pool)
        .await?;
    let stale = rows.first().is_some_and(|r| r.time_zone != time_zone);
    let missing = rows.is_empty()
        && sqlx::query_scalar::<_, bool>(
            "select exists(select 1 from fuel_logs where user_id = $1 and vehicle_id = $2 and deleted_at is null)",
        )
        .bind(user_id)
        .bind(vehicle_id)
        .fetch_one(pool)
        .await?;
    if !(stale || missing) {
        return Ok(rows.into_iter().map(|r| r.totals).collect());
    }
    let mut tx = pool.begin().await?;
    refresh_months(&mut tx, user_id, vehicle_id, time_zone, None).await?;
    tx.commit().await?;
    let rows: Vec<WithZone> = sqlx::query_as(select)
        .bind(user_id)
        .bind(vehicle_id)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.totals).collect())
}

/// Month by month straight from the fill-ups, for a time range the roll-up cannot answer.
pub async fn months_in_range(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Uuid,
    time_zone: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> sqlx::Result<Vec<MonthTotals>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select date_trunc('month', date_time at time zone $3)::date as month, {MONTH_SUMS}
           from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null
            and ($4::timestamptz is null or date_time >= $4) and ($5::timestamptz is null or date_time <= $5)
          group by 1 order by 1"
    )))
    .bind(user_id)
    .bind(vehicle_id)
    .bind(time_zone)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}
