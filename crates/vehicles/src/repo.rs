//! `vehicles` queries. Every one names the user: another user's vehicle, or a deleted one, is simply
//! not found.

use chrono::{DateTime, NaiveDate, Utc};
use mvp_core::pagination::Page;
use mvp_types::ids::UserId;
use mvp_types::ids::VehicleId;
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use mvp_types::vehicle::Vehicle;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::VehicleFields;

#[derive(Debug)]
pub struct VehicleRow {
    pub id: VehicleId,
    pub vin: Option<String>,
    pub year: i16,
    pub make: String,
    pub model: String,
    pub trim_level: Option<String>,
    pub engine: Option<String>,
    pub transmission: Option<String>,
    pub drive_type: Option<String>,
    pub fuel_type: Option<String>,
    pub nickname: Option<String>,
    pub color: Option<String>,
    pub license_plate: Option<String>,
    /// The odometer as typed, the system it was typed in, and in kilometres (see [`Reading`]).
    pub odometer_entered: i64,
    pub entered_units: UnitSystem,
    pub odometer_km: Decimal,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_price: Option<Decimal>,
    pub notes: Option<String>,
    pub image_key: Option<String>,
    pub thumb_key: Option<String>,
    pub image_content_type: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl VehicleRow {
    pub fn odometer(&self) -> Reading {
        Reading {
            entered: self.odometer_entered,
            units: self.entered_units,
            km: self.odometer_km,
        }
    }

    /// The vehicle as the API shows it to a user of `units`.
    pub fn into_dto(self, units: UnitSystem) -> Vehicle {
        let odometer_reading = self.odometer().shown(units);
        let r = self;
        Vehicle {
            id: r.id,
            vin: r.vin,
            year: i32::from(r.year),
            make: r.make,
            model: r.model,
            trim_level: r.trim_level,
            engine: r.engine,
            transmission: r.transmission,
            drive_type: r.drive_type,
            fuel_type: r.fuel_type,
            nickname: r.nickname,
            color: r.color,
            license_plate: r.license_plate,
            odometer_reading,
            purchase_date: r.purchase_date,
            purchase_price: r.purchase_price,
            notes: r.notes,
            has_image: r.image_key.is_some(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `sqlx::query_as!(VehicleRow, …)` with the row's columns between `$before` and `$after`: sqlx's
/// macros take only string literals, so the column list is spelled once, here.
macro_rules! vehicle_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            VehicleRow,
            $before
                + "id as \"id: VehicleId\", vin, year, make, model, trim_level, engine, transmission, drive_type, fuel_type,
                   nickname, color, license_plate, odometer_entered,
                   entered_units as \"entered_units: UnitSystem\", odometer_km, purchase_date, purchase_price,
                   notes, image_key, thumb_key, image_content_type, created_at, updated_at"
                + $after
            $(, $arg)*
        )
    };
}

fn year(fields: &VehicleFields) -> i16 {
    i16::try_from(fields.year).unwrap_or(i16::MAX)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert(
    conn: impl sqlx::PgExecutor<'_>,
    user_id: &UserId,
    f: &VehicleFields,
    odometer: Reading,
) -> sqlx::Result<VehicleRow> {
    vehicle_rows!(
        "insert into vehicles (id, user_id, vin, year, make, model, trim_level, engine, transmission,
            drive_type, fuel_type, nickname, color, license_plate, odometer_entered, purchase_date,
            purchase_price, notes, entered_units, odometer_km)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         returning ",
        "",
        Uuid::now_v7(),
        user_id.as_str(),
        f.vin.as_ref().map(|v| v.as_str().to_owned()),
        year(f),
        f.make,
        f.model,
        f.trim_level,
        f.engine,
        f.transmission,
        f.drive_type,
        f.fuel_type,
        f.nickname,
        f.color,
        f.license_plate,
        odometer.entered,
        f.purchase_date,
        f.purchase_price,
        f.notes,
        odometer.units.as_str(),
        odometer.km,
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list(
    pool: &PgPool,
    user_id: &UserId,
    page: Page,
) -> sqlx::Result<(Vec<VehicleRow>, i64)> {
    let rows = vehicle_rows!(
        "select ",
        " from vehicles where user_id = $1 and deleted_at is null
         order by created_at desc, id desc limit $2 offset $3",
        user_id.as_str(),
        page.limit,
        page.offset,
    )
    .fetch_all(pool)
    .await?;
    // Most lists fit on their first page: then the page is the total and one statement is enough.
    if let Some(total) = page.total_from(rows.len()) {
        return Ok((rows, total));
    }
    let total = sqlx::query_scalar!(
        r#"select count(*) as "total!" from vehicles where user_id = $1 and deleted_at is null"#,
        user_id.as_str(),
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find(
    pool: &PgPool,
    user_id: &UserId,
    id: VehicleId,
) -> sqlx::Result<Option<VehicleRow>> {
    vehicle_rows!(
        "select ",
        " from vehicles where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update(
    pool: &PgPool,
    user_id: &UserId,
    id: VehicleId,
    f: &VehicleFields,
    odometer: Reading,
) -> sqlx::Result<Option<VehicleRow>> {
    vehicle_rows!(
        "update vehicles set vin = $3, year = $4, make = $5, model = $6, trim_level = $7, engine = $8,
            transmission = $9, drive_type = $10, fuel_type = $11, nickname = $12, color = $13,
            license_plate = $14, odometer_entered = $15, purchase_date = $16, purchase_price = $17,
            notes = $18, entered_units = $19, odometer_km = $20
         where user_id = $1 and id = $2 and deleted_at is null
         returning ",
        "",
        user_id.as_str(),
        id.0,
        f.vin.as_ref().map(|v| v.as_str().to_owned()),
        year(f),
        f.make,
        f.model,
        f.trim_level,
        f.engine,
        f.transmission,
        f.drive_type,
        f.fuel_type,
        f.nickname,
        f.color,
        f.license_plate,
        odometer.entered,
        f.purchase_date,
        f.purchase_price,
        f.notes,
        odometer.units.as_str(),
        odometer.km,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn soft_delete(pool: &PgPool, user_id: &UserId, id: VehicleId) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update vehicles set deleted_at = now() where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stored image keys `(image, thumbnail, content type)`.
pub type ImageKeys = (Option<String>, Option<String>, Option<String>);

/// Sets (or with `None`s clears) the image; returns the keys it replaced, or `None` if no such vehicle.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn set_image(
    pool: &PgPool,
    user_id: &UserId,
    id: VehicleId,
    keys: ImageKeys,
) -> sqlx::Result<Option<ImageKeys>> {
    let mut tx = pool.begin().await?;
    let old: Option<ImageKeys> = sqlx::query!(
        "select image_key, thumb_key, image_content_type from vehicles
         where user_id = $1 and id = $2 and deleted_at is null for update",
        user_id.as_str(),
        id.0,
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.image_key, r.thumb_key, r.image_content_type));
    if old.is_none() {
        return Ok(None);
    }
    sqlx::query!(
        "update vehicles set image_key = $3, thumb_key = $4, image_content_type = $5
         where user_id = $1 and id = $2",
        user_id.as_str(),
        id.0,
        keys.0,
        keys.1,
        keys.2,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(old)
}

/// The vehicle's current odometer, if the vehicle is the user's and live (other features ask this).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn odometer(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: VehicleId,
) -> sqlx::Result<Option<Reading>> {
    sqlx::query_as!(
        Reading,
        r#"select odometer_entered as entered, entered_units as "units: UnitSystem", odometer_km as km
             from vehicles where user_id = $1 and id = $2 and deleted_at is null"#,
        user_id.as_str(),
        id.0,
    )
    .fetch_optional(conn)
    .await
}

/// As [`odometer`], locking the row (`for update`) until the transaction ends.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn odometer_for_update(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: VehicleId,
) -> sqlx::Result<Option<Reading>> {
    sqlx::query_as!(
        Reading,
        r#"select odometer_entered as entered, entered_units as "units: UnitSystem", odometer_km as km
             from vehicles
            where user_id = $1 and id = $2 and deleted_at is null
              for update"#,
        user_id.as_str(),
        id.0,
    )
    .fetch_optional(conn)
    .await
}

/// Moves the odometer forward to `reading` (never back: compared in kilometres). Returns whether
/// it moved.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn advance_odometer(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: VehicleId,
    reading: Reading,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update vehicles set odometer_entered = $3, entered_units = $4, odometer_km = $5
         where user_id = $1 and id = $2 and deleted_at is null and odometer_km < $5",
        user_id.as_str(),
        id.0,
        reading.entered,
        reading.units.as_str(),
        reading.km,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Of `ids`, the vehicles that are not deleted: `(id, owner, odometer, name)`. For background jobs
/// that run across users; the caller checks the owner against its own row.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn live_by_ids(
    pool: &PgPool,
    ids: &[VehicleId],
) -> sqlx::Result<Vec<(VehicleId, String, Reading, String)>> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    let rows = sqlx::query!(
        r#"select id as "id: VehicleId", user_id, odometer_entered,
                  entered_units as "entered_units: UnitSystem", odometer_km,
                  coalesce(nullif(btrim(nickname), ''), concat_ws(' ', year, make, model)) as "name!"
             from vehicles
            where id = any($1) and deleted_at is null"#,
        &ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let odometer = Reading {
                entered: r.odometer_entered,
                units: r.entered_units,
                km: r.odometer_km,
            };
            (r.id, r.user_id, odometer, r.name)
        })
        .collect())
}

/// Live vehicles per user among `user_ids` (the admin's user list; across users by design).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn counts_by_user(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query!(
        r#"select user_id, count(*) as "n!" from vehicles
            where user_id = any($1) and deleted_at is null group by user_id"#,
        user_ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.n)).collect())
}

/// How many live vehicles (of any user) were saved with a catalog entry's name, in any letter
/// case: a make, a model of `make`, a trim, an engine or a transmission.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn catalog_usage(
    conn: &mut PgConnection,
    kind: &str,
    name: &str,
    make: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from vehicles
            where deleted_at is null
              and case $1
                    when 'make' then lower(make) = lower($2)
                    when 'model' then lower(model) = lower($2) and lower(make) = lower($3)
                    when 'trim' then lower(trim_level) = lower($2)
                    when 'engine' then lower(engine) = lower($2)
                    when 'transmission' then lower(transmission) = lower($2)
                    else false
                  end"#,
        kind,
        name,
        make,
    )
    .fetch_one(conn)
    .await
}

/// The user's live vehicle called `nickname` (any letter case), the oldest if several are.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn by_nickname(
    conn: &mut PgConnection,
    user_id: &UserId,
    nickname: &str,
) -> sqlx::Result<Option<VehicleId>> {
    sqlx::query_scalar!(
        r#"select id as "id: VehicleId" from vehicles
            where user_id = $1 and deleted_at is null and lower(nickname) = lower($2)
            order by created_at limit 1"#,
        user_id.as_str(),
        nickname,
    )
    .fetch_optional(conn)
    .await
}

/// Every live vehicle of the user, oldest first (the export).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn all(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<VehicleRow>> {
    vehicle_rows!(
        "select ",
        " from vehicles where user_id = $1 and deleted_at is null order by created_at, id",
        user_id.as_str(),
    )
    .fetch_all(pool)
    .await
}

/// Every stored file of the user's vehicles, deleted ones included (the account's erasure).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn file_keys(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<String>> {
    let rows = sqlx::query!(
        "select image_key, thumb_key from vehicles where user_id = $1",
        user_id.as_str(),
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .flat_map(|r| [r.image_key, r.thumb_key])
        .flatten()
        .collect())
}

/// The user's live vehicle an exported one is taken to be when importing it again: the same VIN,
/// else the same nickname, else (neither given) the same year, make and model.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn find_like(
    conn: &mut PgConnection,
    user_id: &UserId,
    vin: Option<&str>,
    nickname: Option<&str>,
    year: i32,
    make: &str,
    model: &str,
) -> sqlx::Result<Option<VehicleId>> {
    sqlx::query_scalar!(
        r#"select id as "id: VehicleId" from vehicles
            where user_id = $1 and deleted_at is null
              and (($2::text is not null and vin = $2)
                or ($3::text is not null and lower(nickname) = lower($3))
                or ($2::text is null and $3::text is null and year = $4
                    and lower(make) = lower($5) and lower(model) = lower($6)))
            order by (vin is not distinct from $2) desc, created_at limit 1"#,
        user_id.as_str(),
        vin,
        nickname,
        i16::try_from(year).unwrap_or(i16::MAX),
        make,
        model,
    )
    .fetch_optional(conn)
    .await
}

/// The fuel type of the user's live vehicle, if it has one.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn fuel_type(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: VehicleId,
) -> sqlx::Result<Option<String>> {
    Ok(sqlx::query_scalar!(
        "select fuel_type from vehicles where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0,
    )
    .fetch_optional(conn)
    .await?
    .flatten())
}
