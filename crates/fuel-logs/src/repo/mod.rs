//! `fuel_logs` queries, every one scoped by user id: the row and its column list, and a fill-up's
//! own reads and writes. The economy chain's recomputation is in `economy`, the bulk reads and
//! writes of import, export and the admin's counts in `bulk`.

use chrono::{DateTime, Utc};
use mvp_core::pagination::Page;
use mvp_types::ids::UserId;
use mvp_types::ids::{FuelLogId, VehicleId};
use mvp_types::user::UnitSystem;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

use crate::chain::Computed;
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

mod bulk;
mod economy;

pub use bulk::{KeptLog, counts_by_user, import_keys, insert_many, stream_all};
pub use economy::{insert_chained, last_interval, recompute};

/// Inserts a fill-up with the economy values its chain pass computed (`economy::insert_chained`).
async fn insert(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: FuelLogId,
    log: &NewFuelLog,
    values: &Computed,
) -> sqlx::Result<FuelRow> {
    fuel_rows!(
"insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered,
            trip_entered, fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type, fuel_grade,
            full_fill, missed_previous, station_id, location_name, notes, odometer_km, trip_km, volume,
            segment_km, interval_km, interval_volume)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)
         returning ",
"",
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
values.segment_km,
values.interval_km,
values.interval_volume,
)
    .fetch_one(conn)
    .await
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

/// The odometer bounds a log at `at` must fit between (km), ignoring the log `except`: the reading
/// just before it (at the same time, the highest) and the one just after it (the lowest). Every write
/// and import keeps a vehicle's readings rising with time, so these are the highest before and the
/// lowest after; found in `fuel_logs_readings_idx`, they cost the same in a long history as in a
/// short one.
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
            (select odometer_km from fuel_logs where user_id = $1 and vehicle_id = $2
               and deleted_at is null and odometer_km is not null and date_time <= $3
               and ($4::uuid is null or id <> $4)
             order by date_time desc, odometer_km desc limit 1) as "before",
            (select odometer_km from fuel_logs where user_id = $1 and vehicle_id = $2
               and deleted_at is null and odometer_km is not null and date_time > $3
               and ($4::uuid is null or id <> $4)
             order by date_time, odometer_km limit 1) as "after""#,
        user_id.as_str(),
        vehicle_id.0,
        at,
        except.map(|e| e.0),
    )
    .fetch_one(conn)
    .await?;
    Ok((row.before, row.after))
}
