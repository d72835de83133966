//! What other capsules ask of one of the user's vehicles: its odometer (read, locked, moved
//! forward) and its fuel type.

use mvp_types::ids::{UserId, VehicleId};
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use sqlx::PgConnection;

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
