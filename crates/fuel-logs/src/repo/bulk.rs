//! The bulk reads and writes: live fill-ups per user (the admin's list), the importer's keys and
//! batch insert, and the export's stream of every log.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use mvp_types::ids::{FuelLogId, UserId, VehicleId};
use mvp_types::user::UnitSystem;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

use super::FuelRow;
use crate::domain::NewFuelLog;

/// Live fill-ups per user among `user_ids` (the admin's user list; across users by design).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn counts_by_user(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<HashMap<String, i64>> {
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
