//! Queries on `maintenance_records`, `maintenance_schedules` and `notification_logs`, each scoped by
//! user id (the reminder job, which serves every user, names each row's own user).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordRow {
    pub id: Uuid,
    pub vehicle_id: Uuid,
    pub date: NaiveDate,
    pub odometer_reading: Option<i64>,
    pub category: String,
    pub subtypes: Vec<String>,
    pub cost: Option<Decimal>,
    pub shop_name: Option<String>,
    pub notes: Option<String>,
    pub document_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const RECORD_COLUMNS: &str = "id, vehicle_id, date, odometer_reading, category, subtypes, cost, shop_name, \
    notes, document_ids, created_at, updated_at";

/// A checked record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFields {
    pub vehicle_id: Uuid,
    pub date: NaiveDate,
    pub odometer_reading: Option<i64>,
    pub category: String,
    pub subtypes: Vec<String>,
    pub cost: Option<Decimal>,
    pub shop_name: Option<String>,
    pub notes: Option<String>,
    /// Checked to be the user's live documents of the same vehicle.
    pub document_ids: Vec<Uuid>,
}

pub async fn insert_record(
    conn: &mut PgConnection,
    user_id: &str,
    r: &RecordFields,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into maintenance_records (id, user_id, vehicle_id, date, odometer_reading, category,
            subtypes, cost, shop_name, notes, document_ids)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
    )
    .bind(id)
    .bind(user_id)
    .bind(r.vehicle_id)
    .bind(r.date)
    .bind(r.odometer_reading)
    .bind(&r.category)
    .bind(&r.subtypes)
    .bind(r.cost)
    .bind(&r.shop_name)
    .bind(&r.notes)
    .bind(&r.document_ids)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update_record(
    conn: &mut PgConnection,
    user_id: &str,
    id: Uuid,
    r: &RecordFields,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update maintenance_records set vehicle_id = $3, date = $4, odometer_reading = $5, category = $6,
            subtypes = $7, cost = $8, shop_name = $9, notes = $10, document_ids = $11
         where user_id = $1 and id = $2 and deleted_at is null",
    )
    .bind(user_id)
    .bind(id)
    .bind(r.vehicle_id)
    .bind(r.date)
    .bind(r.odometer_reading)
    .bind(&r.category)
    .bind(&r.subtypes)
    .bind(r.cost)
    .bind(&r.shop_name)
    .bind(&r.notes)
    .bind(&r.document_ids)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_record(
    conn: &mut PgConnection,
    user_id: &str,
    id: Uuid,
) -> sqlx::Result<Option<RecordRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {RECORD_COLUMNS} from maintenance_records where user_id = $1 and id = $2 and deleted_at is null"
    )))
    .bind(user_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn list_records(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<RecordRow>, i64)> {
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {RECORD_COLUMNS} from maintenance_records
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
          order by date desc, created_at desc limit $3 offset $4"
    )))
    .bind(user_id)
    .bind(vehicle_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar(
        "select count(*) from maintenance_records
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)",
    )
    .bind(user_id)
    .bind(vehicle_id)
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

pub async fn delete_record(conn: &mut PgConnection, user_id: &str, id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update maintenance_records set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
    )
    .bind(user_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets each of the vehicle's schedules' record-derived last service to the newest live record whose
/// category matches and whose subtypes include all of the schedule's (none → cleared).
pub async fn refresh_record_service(
    conn: &mut PgConnection,
    user_id: &str,
    vehicle_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "update maintenance_schedules s
            set record_service_date = lr.date, record_service_odometer = lr.odometer_reading
           from maintenance_schedules s2
           left join lateral (
                select r.date, r.odometer_reading from maintenance_records r
                 where r.user_id = s2.user_id and r.vehicle_id = s2.vehicle_id and r.deleted_at is null
                   and r.category = s2.category and r.subtypes @> s2.subtypes
                 order by r.date desc, r.odometer_reading desc nulls last limit 1) lr on true
          where s.id = s2.id and s2.user_id = $1 and s2.vehicle_id = $2 and s2.deleted_at is null",
    )
    .bind(user_id)
    .bind(vehicle_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The highest odometer the records know for a vehicle.
pub async fn max_record_odometer(
    conn: &mut PgConnection,
    user_id: &str,
    vehicle_id: Uuid,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "select max(odometer_reading) from maintenance_records
          where user_id = $1 and vehicle_id = $2 and deleted_at is null",
    )
    .bind(user_id)
    .bind(vehicle_id)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduleRow {
    pub id: Uuid,
    pub user_id: String,
    pub vehicle_id: Uuid,
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

const SCHEDULE_COLUMNS: &str = "id, user_id, vehicle_id, category, subtypes, interval_months, interval_distance, \
    baseline_date, baseline_odometer, last_service_date, last_service_odometer, record_service_date, \
    record_service_odometer, email_notifications, reminder_days_before, is_active, created_at, updated_at";

/// A checked schedule, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFields {
    pub vehicle_id: Uuid,
    pub category: String,
    pub subtypes: Vec<String>,
    pub interval_months: Option<i32>,
    pub interval_distance: Option<i64>,
    pub last_service_date: Option<NaiveDate>,
    pub last_service_odometer: Option<i64>,
    pub email_notifications: bool,
    pub reminder_days_before: Vec<i32>,
    pub is_active: bool,
}

pub async fn insert_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    s: &ScheduleFields,
    baseline_date: NaiveDate,
    baseline_odometer: Option<i64>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "insert into maintenance_schedules (id, user_id, vehicle_id, category, subtypes, interval_months,
            interval_distance, baseline_date, baseline_odometer, last_service_date, last_service_odometer,
            email_notifications, reminder_days_before, is_active)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
    )
    .bind(id)
    .bind(user_id)
    .bind(s.vehicle_id)
    .bind(&s.category)
    .bind(&s.subtypes)
    .bind(s.interval_months)
    .bind(s.interval_distance)
    .bind(baseline_date)
    .bind(baseline_odometer)
    .bind(s.last_service_date)
    .bind(s.last_service_odometer)
    .bind(s.email_notifications)
    .bind(&s.reminder_days_before)
    .bind(s.is_active)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn update_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    id: Uuid,
    s: &ScheduleFields,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update maintenance_schedules set vehicle_id = $3, category = $4, subtypes = $5, interval_months = $6,
            interval_distance = $7, last_service_date = $8, last_service_odometer = $9,
            email_notifications = $10, reminder_days_before = $11, is_active = $12
         where user_id = $1 and id = $2 and deleted_at is null",
    )
    .bind(user_id)
    .bind(id)
    .bind(s.vehicle_id)
    .bind(&s.category)
    .bind(&s.subtypes)
    .bind(s.interval_months)
    .bind(s.interval_distance)
    .bind(s.last_service_date)
    .bind(s.last_service_odometer)
    .bind(s.email_notifications)
    .bind(&s.reminder_days_before)
    .bind(s.is_active)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    id: Uuid,
) -> sqlx::Result<Option<ScheduleRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {SCHEDULE_COLUMNS} from maintenance_schedules where user_id = $1 and id = $2 and deleted_at is null"
    )))
    .bind(user_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn list_schedules(
    pool: &PgPool,
    user_id: &str,
    vehicle_id: Option<Uuid>,
) -> sqlx::Result<Vec<ScheduleRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {SCHEDULE_COLUMNS} from maintenance_schedules
          where user_id = $1 and deleted_at is null and ($2::uuid is null or vehicle_id = $2)
          order by created_at desc"
    )))
    .bind(user_id)
    .bind(vehicle_id)
    .fetch_all(pool)
    .await
}

pub async fn delete_schedule(
    conn: &mut PgConnection,
    user_id: &str,
    id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update maintenance_schedules set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
    )
    .bind(user_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An active schedule with the highest odometer its vehicle's records reached.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActiveSchedule {
    #[sqlx(flatten)]
    pub schedule: ScheduleRow,
    pub records_odometer: Option<i64>,
}

/// Every user's active schedules (whatever their vehicle: the job keeps those on live vehicles).
pub async fn all_active_schedules(pool: &PgPool) -> sqlx::Result<Vec<ActiveSchedule>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {cols},
                (select max(r.odometer_reading) from maintenance_records r
                  where r.user_id = s.user_id and r.vehicle_id = s.vehicle_id and r.deleted_at is null)
                  as records_odometer
           from maintenance_schedules s
          where s.deleted_at is null and s.is_active",
        cols = SCHEDULE_COLUMNS
            .split(", ")
            .map(|c| format!("s.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    )))
    .fetch_all(pool)
    .await
}

/// Records a reminder once per subject (`kind` `maintenance`: a schedule; `document`: a document),
/// status and due point. Returns whether it is new.
pub async fn log_reminder(
    pool: &PgPool,
    kind: &str,
    user_id: &str,
    subject_id: Uuid,
    status: &str,
    due_key: &str,
    today: NaiveDate,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into notification_logs (id, user_id, kind, subject_id, status, due_key, sent_on)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (kind, subject_id, status, due_key) do nothing",
    )
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(kind)
    .bind(subject_id)
    .bind(status)
    .bind(due_key)
    .bind(today)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
