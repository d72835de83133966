//! Queries on `maintenance_records`.

use crate::domain::RecordFields;
use chrono::{DateTime, NaiveDate, Utc};
use mvp_core::pagination::Page;
use mvp_types::ids::UserId;
use mvp_types::ids::{DocumentId, RecordId, VehicleId, uuids};
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: RecordId,
    pub vehicle_id: VehicleId,
    pub date: NaiveDate,
    /// The odometer as typed, in `entered_units`, and in kilometres (see [`Reading`]).
    pub odometer_entered: Option<i64>,
    pub entered_units: UnitSystem,
    pub odometer_km: Option<Decimal>,
    pub category: String,
    pub subtypes: Vec<String>,
    pub cost: Option<Decimal>,
    pub shop_name: Option<String>,
    pub notes: Option<String>,
    pub document_ids: Vec<DocumentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RecordRow {
    pub fn odometer(&self) -> Option<Reading> {
        stored(self.odometer_entered, self.entered_units, self.odometer_km)
    }
}

/// A reading from its three columns (`None` when the value is not set).
pub fn stored(entered: Option<i64>, units: UnitSystem, km: Option<Decimal>) -> Option<Reading> {
    entered
        .zip(km)
        .map(|(entered, km)| Reading { entered, units, km })
}

/// `sqlx::query_as!(RecordRow, …)` with the row's columns between `$before` and `$after`: sqlx's
/// macros take only string literals, so the column list is spelled once, here.
macro_rules! record_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            RecordRow,
            $before
                + "id as \"id: RecordId\", vehicle_id as \"vehicle_id: VehicleId\", date,
                   odometer_entered, entered_units as \"entered_units: UnitSystem\", odometer_km,
                   category, subtypes, cost, shop_name, notes,
                   document_ids as \"document_ids: Vec<DocumentId>\", created_at, updated_at"
                + $after
            $(, $arg)*
        )
    };
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_record(
    conn: &mut PgConnection,
    user_id: &UserId,
    r: &RecordFields,
    units: UnitSystem,
    odometer: Option<Reading>,
) -> sqlx::Result<RecordId> {
    let id = RecordId::new();
    sqlx::query!(
"insert into maintenance_records (id, user_id, vehicle_id, date, odometer_entered, category,
            subtypes, cost, shop_name, notes, document_ids, entered_units, odometer_km)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
id.0,
user_id.as_str(),
r.vehicle_id.0,
r.date,
odometer.map(|o| o.entered),
&r.category,
&r.subtypes,
r.cost,
r.shop_name,
r.notes,
&uuids(&r.document_ids),
units.as_str(),
odometer.map(|o| o.km),
)
    .execute(conn)
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update_record(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: RecordId,
    r: &RecordFields,
    units: UnitSystem,
    odometer: Option<Reading>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_records set vehicle_id = $3, date = $4, odometer_entered = $5, category = $6,
            subtypes = $7, cost = $8, shop_name = $9, notes = $10, document_ids = $11,
            entered_units = $12, odometer_km = $13
         where user_id = $1 and id = $2 and deleted_at is null",
user_id.as_str(),
id.0,
r.vehicle_id.0,
r.date,
odometer.map(|o| o.entered),
&r.category,
&r.subtypes,
r.cost,
r.shop_name,
r.notes,
&uuids(&r.document_ids),
units.as_str(),
odometer.map(|o| o.km),
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find_record(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: RecordId,
) -> sqlx::Result<Option<RecordRow>> {
    record_rows!(
        "select ",
        " from maintenance_records where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list_records(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: Option<VehicleId>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<RecordRow>, i64)> {
    let rows = record_rows!(
        "select ",
        " from maintenance_records
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
          order by date desc, created_at desc limit $3 offset $4",
        user_id.as_str(),
        vehicle_id.map(|v| v.0),
        limit,
        offset
    )
    .fetch_all(pool)
    .await?;
    if let Some(total) = (Page { limit, offset }).total_from(rows.len()) {
        return Ok((rows, total));
    }
    let total = sqlx::query_scalar!(
        r#"select count(*) as "total!" from maintenance_records
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)"#,
        user_id.as_str(),
        vehicle_id.map(|v| v.0),
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn delete_record(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: RecordId,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_records set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
user_id.as_str(),
id.0,
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets each of the vehicle's schedules' record-derived last service to the newest live record whose
/// category matches and whose subtypes include all of the schedule's (none → cleared).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn refresh_record_service(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
) -> sqlx::Result<()> {
    sqlx::query!(
"update maintenance_schedules s
            set record_service_date = lr.date, record_service_km = lr.odometer_km
           from maintenance_schedules s2
           left join lateral (
                select r.date, r.odometer_km from maintenance_records r
                 where r.user_id = s2.user_id and r.vehicle_id = s2.vehicle_id and r.deleted_at is null
                   and r.category = s2.category and r.subtypes @> s2.subtypes
                 order by r.date desc, r.odometer_km desc nulls last limit 1) lr on true
          where s.id = s2.id and s2.user_id = $1 and s2.vehicle_id = $2 and s2.deleted_at is null",
user_id.as_str(),
vehicle_id.0,
)
    .execute(conn)
    .await?;
    Ok(())
}

/// The highest odometer the records know for a vehicle, in kilometres.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn max_record_odometer(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
) -> sqlx::Result<Option<Decimal>> {
    sqlx::query_scalar!(
        "select max(odometer_km) from maintenance_records
          where user_id = $1 and vehicle_id = $2 and deleted_at is null",
        user_id.as_str(),
        vehicle_id.0,
    )
    .fetch_one(conn)
    .await
}

/// Date and odometer (km) of every record of a vehicle (the importer's duplicates).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn record_keys(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
) -> sqlx::Result<Vec<(NaiveDate, Option<Decimal>)>> {
    let rows = sqlx::query!(
        "select date, odometer_km from maintenance_records
          where user_id = $1 and vehicle_id = $2 and deleted_at is null",
        user_id.as_str(),
        vehicle_id.0,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.date, r.odometer_km)).collect())
}
