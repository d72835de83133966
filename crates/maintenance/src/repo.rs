//! Queries on `maintenance_records` and `maintenance_schedules`, each scoped by user id (the
//! cross-user reads for the reminder job name each row's own user).

use crate::domain::{RecordFields, ScheduleFields};
use chrono::{DateTime, NaiveDate, Utc};
use mvp_types::ids::{DocumentId, RecordId, ScheduleId, VehicleId, uuids};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: RecordId,
    pub vehicle_id: VehicleId,
    pub date: NaiveDate,
    pub odometer_reading: Option<i64>,
    pub category: String,
    pub subtypes: Vec<String>,
    pub cost: Option<Decimal>,
    pub shop_name: Option<String>,
    pub notes: Option<String>,
    pub document_ids: Vec<DocumentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `sqlx::query_as!(RecordRow, …)` with the row's columns between `$before` and `$after`: sqlx's
/// macros take only string literals, so the column list is spelled once, here.
macro_rules! record_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            RecordRow,
            $before
                + "id as \"id: RecordId\", vehicle_id as \"vehicle_id: VehicleId\", date,
                   odometer_reading, category, subtypes, cost, shop_name, notes,
                   document_ids as \"document_ids: Vec<DocumentId>\", created_at, updated_at"
                + $after
            $(, $arg)*
        )
    };
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_record(
    conn: &mut PgConnection,
    user_id: &str,
    r: &RecordFields,
) -> sqlx::Result<RecordId> {
    let id = RecordId::new();
    sqlx::query!(
"insert into maintenance_records (id, user_id, vehicle_id, date, odometer_reading, category,
            subtypes, cost, shop_name, notes, document_ids)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
id.0,
user_id,
r.vehicle_id.0,
r.date,
r.odometer_reading,
&r.category,
&r.subtypes,
r.cost,
r.shop_name,
r.notes,
&uuids(&r.document_ids),
)
    .execute(conn)
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update_record(
    conn: &mut PgConnection,
    user_id: &str,
    id: RecordId,
    r: &RecordFields,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_records set vehicle_id = $3, date = $4, odometer_reading = $5, category = $6,
            subtypes = $7, cost = $8, shop_name = $9, notes = $10, document_ids = $11
         where user_id = $1 and id = $2 and deleted_at is null",
user_id,
id.0,
r.vehicle_id.0,
r.date,
r.odometer_reading,
&r.category,
&r.subtypes,
r.cost,
r.shop_name,
r.notes,
&uuids(&r.document_ids),
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find_record(
    conn: &mut PgConnection,
    user_id: &str,
    id: RecordId,
) -> sqlx::Result<Option<RecordRow>> {
    record_rows!(
        "select ",
        " from maintenance_records where user_id = $1 and id = $2 and deleted_at is null",
        user_id,
        id.0
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list_records(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Option<VehicleId>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<RecordRow>, i64)> {
    let rows = record_rows!(
        "select ",
        " from maintenance_records
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
          order by date desc, created_at desc limit $3 offset $4",
        user_id,
        vehicle_id.map(|v| v.0),
        limit,
        offset
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "total!" from maintenance_records
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)"#,
        user_id,
        vehicle_id.map(|v| v.0),
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn delete_record(
    conn: &mut PgConnection,
    user_id: &str,
    id: RecordId,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_records set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
user_id,
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
    user_id: &str,
    vehicle_id: VehicleId,
) -> sqlx::Result<()> {
    sqlx::query!(
"update maintenance_schedules s
            set record_service_date = lr.date, record_service_odometer = lr.odometer_reading
           from maintenance_schedules s2
           left join lateral (
                select r.date, r.odometer_reading from maintenance_records r
                 where r.user_id = s2.user_id and r.vehicle_id = s2.vehicle_id and r.deleted_at is null
                   and r.category = s2.category and r.subtypes @> s2.subtypes
                 order by r.date desc, r.odometer_reading desc nulls last limit 1) lr on true
          where s.id = s2.id and s2.user_id = $1 and s2.vehicle_id = $2 and s2.deleted_at is null",
user_id,
vehicle_id.0,
)
    .execute(conn)
    .await?;
    Ok(())
}

/// The highest odometer the records know for a vehicle.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn max_record_odometer(
    conn: &mut PgConnection,
    user_id: &str,
    vehicle_id: VehicleId,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select max(odometer_reading) from maintenance_records
          where user_id = $1 and vehicle_id = $2 and deleted_at is null",
        user_id,
        vehicle_id.0,
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: ScheduleId,
    pub user_id: String,
    pub vehicle_id: VehicleId,
    pub category: String,
    pub subtypes: Vec<String>,
    pub interval_months: Option<i32>,
    pub interval_distance: Option<i64>,
    pub baseline_date: NaiveDate,
    pub baseline_odometer: Option<i64>,
    pub last_service_date: Option<NaiveDate>,
    pub last_service_odometer: Option<i64>,
    pub record_service_date: Option<NaiveDate>,
    pub record_service_odometer: Option<i64>,
    pub email_notifications: bool,
    pub reminder_days_before: Vec<i32>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `sqlx::query_as!(ScheduleRow, …)`, as [`record_rows`].
macro_rules! schedule_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            ScheduleRow,
            $before
                + "id as \"id: ScheduleId\", user_id, vehicle_id as \"vehicle_id: VehicleId\",
                   category, subtypes, interval_months, interval_distance,
                   baseline_date, baseline_odometer, last_service_date, last_service_odometer,
                   record_service_date, record_service_odometer, email_notifications,
                   reminder_days_before, is_active, created_at, updated_at"
                + $after
            $(, $arg)*
        )
    };
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    s: &ScheduleFields,
    baseline_date: NaiveDate,
    baseline_odometer: Option<i64>,
) -> sqlx::Result<ScheduleId> {
    let id = ScheduleId::new();
    sqlx::query!(
"insert into maintenance_schedules (id, user_id, vehicle_id, category, subtypes, interval_months,
            interval_distance, baseline_date, baseline_odometer, last_service_date, last_service_odometer,
            email_notifications, reminder_days_before, is_active)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
id.0,
user_id,
s.vehicle_id.0,
&s.category,
&s.subtypes,
s.interval_months,
s.interval_distance,
baseline_date,
baseline_odometer,
s.last_service_date,
s.last_service_odometer,
s.email_notifications,
&s.reminder_days_before,
s.is_active,
)
    .execute(conn)
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    id: ScheduleId,
    s: &ScheduleFields,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_schedules set vehicle_id = $3, category = $4, subtypes = $5, interval_months = $6,
            interval_distance = $7, last_service_date = $8, last_service_odometer = $9,
            email_notifications = $10, reminder_days_before = $11, is_active = $12
         where user_id = $1 and id = $2 and deleted_at is null",
user_id,
id.0,
s.vehicle_id.0,
&s.category,
&s.subtypes,
s.interval_months,
s.interval_distance,
s.last_service_date,
s.last_service_odometer,
s.email_notifications,
&s.reminder_days_before,
s.is_active,
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    id: ScheduleId,
) -> sqlx::Result<Option<ScheduleRow>> {
    schedule_rows!(
        "select ",
        " from maintenance_schedules where user_id = $1 and id = $2 and deleted_at is null",
        user_id,
        id.0
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list_schedules(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Option<VehicleId>,
) -> sqlx::Result<Vec<ScheduleRow>> {
    schedule_rows!(
        "select ",
        " from maintenance_schedules
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
          order by created_at desc",
        user_id,
        vehicle_id.map(|v| v.0)
    )
    .fetch_all(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn delete_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    id: ScheduleId,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_schedules set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
user_id,
id.0,
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An active schedule with the highest odometer its vehicle's records reached.
#[derive(Debug, Clone)]
pub struct ActiveSchedule {
    pub schedule: ScheduleRow,
    pub records_odometer: Option<i64>,
}

/// Active schedules of `user`, or of every user (whatever their vehicle: the caller keeps those on
/// live vehicles).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn active_schedules(
    pool: &PgPool,
    user: Option<&str>,
) -> sqlx::Result<Vec<ActiveSchedule>> {
    let schedules = schedule_rows!(
        "select ",
        " from maintenance_schedules
          where deleted_at is null and is_active and ($1::text is null or user_id = $1)",
        user,
    )
    .fetch_all(pool)
    .await?;
    let vehicles: Vec<Uuid> = schedules.iter().map(|s| s.vehicle_id.0).collect();
    let highest: std::collections::HashMap<(String, VehicleId), i64> = sqlx::query!(
        r#"select user_id, vehicle_id as "vehicle_id: VehicleId", max(odometer_reading) as "odometer!"
             from maintenance_records
            where vehicle_id = any($1) and deleted_at is null and odometer_reading is not null
            group by user_id, vehicle_id"#,
        &vehicles,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| ((r.user_id, r.vehicle_id), r.odometer))
    .collect();
    Ok(schedules
        .into_iter()
        .map(|schedule| {
            let records_odometer = highest
                .get(&(schedule.user_id.clone(), schedule.vehicle_id))
                .copied();
            ActiveSchedule {
                schedule,
                records_odometer,
            }
        })
        .collect())
}

/// The users with at least one active schedule.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn schedule_owners(pool: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "select distinct user_id from maintenance_schedules where deleted_at is null and is_active"
    )
    .fetch_all(pool)
    .await
}
