//! `vehicles` queries. Every one on a user's data names the user: another user's vehicle, or a
//! deleted one, is simply not found. This file holds the row, its column list and a vehicle's own
//! reads and writes; `asked` what other capsules ask of a vehicle, `across` the reads across users,
//! `account` the export's, import's and erasure's.

use chrono::{DateTime, NaiveDate, Utc};
use mvp_core::pagination::Page;
use mvp_types::ids::UserId;
use mvp_types::ids::VehicleId;
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use mvp_types::vehicle::Vehicle;
use rust_decimal::Decimal;
use sqlx::PgPool;
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

mod account;
mod across;
mod asked;

pub use account::{all, by_nickname, file_keys, find_like};
pub use across::{catalog_usage, counts_by_user, live_by_ids};
pub use asked::{advance_odometer, fuel_type, odometer, odometer_for_update};

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
