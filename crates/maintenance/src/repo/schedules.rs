//! Queries on `maintenance_schedules`, and the active schedules the reminder job reads.

use crate::domain::ScheduleFields;
use chrono::{DateTime, NaiveDate, Utc};
use mvp_types::ids::UserId;
use mvp_types::ids::{ScheduleId, VehicleId};
use mvp_types::units::{Reading, whole_distance};
use mvp_types::user::UnitSystem;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

use super::records::stored;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: ScheduleId,
    pub user_id: String,
    pub vehicle_id: VehicleId,
    pub category: String,
    pub subtypes: Vec<String>,
    pub interval_months: Option<i32>,
    /// The distances as typed (in `entered_units`), each beside its kilometres (see [`Reading`]).
    pub entered_units: UnitSystem,
    pub interval_distance: Option<i64>,
    pub interval_km: Option<Decimal>,
    pub baseline_date: NaiveDate,
    pub baseline_odometer: Option<i64>,
    pub baseline_km: Option<Decimal>,
    pub last_service_date: Option<NaiveDate>,
    pub last_service_odometer: Option<i64>,
    pub last_service_km: Option<Decimal>,
    /// From the newest covering record (its odometer in kilometres).
    pub record_service_date: Option<NaiveDate>,
    pub record_service_km: Option<Decimal>,
    pub email_notifications: bool,
    pub reminder_days_before: Vec<i32>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ScheduleRow {
    pub fn interval(&self) -> Option<Reading> {
        stored(self.interval_distance, self.entered_units, self.interval_km)
    }

    pub fn baseline(&self) -> Option<Reading> {
        stored(self.baseline_odometer, self.entered_units, self.baseline_km)
    }

    /// The last service the user entered (not the records').
    pub fn last_service(&self) -> Option<Reading> {
        stored(
            self.last_service_odometer,
            self.entered_units,
            self.last_service_km,
        )
    }

    /// The records' last service odometer, as a whole number in `units`.
    pub fn record_service(&self, units: UnitSystem) -> Option<i64> {
        self.record_service_km.map(|km| whole_distance(km, units))
    }
}

/// A schedule's distances as they are to be stored: in the unit system of the user who saved it.
/// The baseline (the vehicle's odometer when the schedule was made) is set by the caller, in the
/// same units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleDistances {
    pub units: UnitSystem,
    pub interval: Option<Reading>,
    pub last_service: Option<Reading>,
    pub baseline: Option<Reading>,
}

/// `sqlx::query_as!(ScheduleRow, …)`, as [`record_rows`].
macro_rules! schedule_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            ScheduleRow,
            $before
                + "id as \"id: ScheduleId\", user_id, vehicle_id as \"vehicle_id: VehicleId\",
                   category, subtypes, interval_months,
                   entered_units as \"entered_units: UnitSystem\", interval_distance, interval_km,
                   baseline_date, baseline_odometer, baseline_km,
                   last_service_date, last_service_odometer, last_service_km,
                   record_service_date, record_service_km, email_notifications,
                   reminder_days_before, is_active, created_at, updated_at"
                + $after
            $(, $arg)*
        )
    };
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_schedule(
    conn: &mut PgConnection,
    user_id: &UserId,
    s: &ScheduleFields,
    d: &ScheduleDistances,
    baseline_date: NaiveDate,
) -> sqlx::Result<ScheduleId> {
    let id = ScheduleId::new();
    sqlx::query!(
"insert into maintenance_schedules (id, user_id, vehicle_id, category, subtypes, interval_months,
            interval_distance, baseline_date, baseline_odometer, last_service_date, last_service_odometer,
            email_notifications, reminder_days_before, is_active, entered_units, interval_km,
            baseline_km, last_service_km)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)",
id.0,
user_id.as_str(),
s.vehicle_id.0,
&s.category,
&s.subtypes,
s.interval_months,
d.interval.map(|r| r.entered),
baseline_date,
d.baseline.map(|r| r.entered),
s.last_service_date,
d.last_service.map(|r| r.entered),
s.email_notifications,
&s.reminder_days_before,
s.is_active,
d.units.as_str(),
d.interval.map(|r| r.km),
d.baseline.map(|r| r.km),
d.last_service.map(|r| r.km),
)
    .execute(conn)
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update_schedule(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: ScheduleId,
    s: &ScheduleFields,
    d: &ScheduleDistances,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_schedules set vehicle_id = $3, category = $4, subtypes = $5, interval_months = $6,
            interval_distance = $7, last_service_date = $8, last_service_odometer = $9,
            email_notifications = $10, reminder_days_before = $11, is_active = $12,
            entered_units = $13, interval_km = $14, last_service_km = $15,
            baseline_odometer = $16, baseline_km = $17
         where user_id = $1 and id = $2 and deleted_at is null",
user_id.as_str(),
id.0,
s.vehicle_id.0,
&s.category,
&s.subtypes,
s.interval_months,
d.interval.map(|r| r.entered),
s.last_service_date,
d.last_service.map(|r| r.entered),
s.email_notifications,
&s.reminder_days_before,
s.is_active,
d.units.as_str(),
d.interval.map(|r| r.km),
d.last_service.map(|r| r.km),
d.baseline.map(|r| r.entered),
d.baseline.map(|r| r.km),
)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find_schedule(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: ScheduleId,
) -> sqlx::Result<Option<ScheduleRow>> {
    schedule_rows!(
        "select ",
        " from maintenance_schedules where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list_schedules(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: Option<VehicleId>,
) -> sqlx::Result<Vec<ScheduleRow>> {
    schedule_rows!(
        "select ",
        " from maintenance_schedules
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
          order by created_at desc",
        user_id.as_str(),
        vehicle_id.map(|v| v.0)
    )
    .fetch_all(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn delete_schedule(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: ScheduleId,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
"update maintenance_schedules set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
user_id.as_str(),
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
    /// In kilometres.
    pub records_odometer: Option<Decimal>,
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
    let highest: std::collections::HashMap<(String, VehicleId), Decimal> = sqlx::query!(
        r#"select user_id, vehicle_id as "vehicle_id: VehicleId", max(odometer_km) as "odometer!"
             from maintenance_records
            where vehicle_id = any($1) and deleted_at is null and odometer_km is not null
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

/// Whether the user has a live schedule on the vehicle for this category and these subtypes (the
/// importer does not add it twice).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn schedule_exists(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    category: &str,
    subtypes: &[String],
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from maintenance_schedules
            where user_id = $1 and vehicle_id = $2 and deleted_at is null and category = $3
              and subtypes @> $4 and subtypes <@ $4) as "exists!""#,
        user_id.as_str(),
        vehicle_id.0,
        category,
        subtypes,
    )
    .fetch_one(conn)
    .await
}
