//! Many service records in one transaction (the importer of mvp-user-export): each checked as the
//! API checks one, a record with the same vehicle, date and odometer as one already kept skipped as
//! a duplicate, then each vehicle's schedules and odometer brought up to date once.

use std::collections::HashSet;

use chrono::NaiveDate;
use mvp_core::AppResult;
use mvp_types::ids::{UserId, VehicleId};
use mvp_types::maintenance::{RecordInput, ScheduleInput};
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::repo;

/// What an import did: the number written and every line left out, with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub imported: u64,
    pub skipped: Vec<(u64, String)>,
    pub vehicles: Vec<VehicleId>,
}

/// Imports `records` (each with its line in the file) typed in `units`; every vehicle named must be
/// the user's live vehicle (404 otherwise). Runs in the caller's transaction.
pub async fn import(
    conn: &mut PgConnection,
    user_id: &UserId,
    units: UnitSystem,
    records: Vec<(u64, RecordInput)>,
) -> AppResult<Outcome> {
    let mut vehicles: Vec<VehicleId> = records.iter().filter_map(|(_, r)| r.vehicle_id).collect();
    vehicles.sort();
    vehicles.dedup();
    mvp_vehicles::lock(conn, user_id, &vehicles).await?;
    let mut seen: HashSet<(VehicleId, NaiveDate, Option<Decimal>)> = HashSet::new();
    for vehicle_id in &vehicles {
        for (date, km) in repo::record_keys(conn, user_id, *vehicle_id).await? {
            seen.insert((*vehicle_id, date, km.map(|k| k.normalize())));
        }
    }
    let mut outcome = Outcome::default();
    let mut touched: Vec<(VehicleId, Option<Reading>)> = Vec::new();
    for (line, input) in records {
        let fields = match crate::parse::record(input) {
            Ok(fields) => fields,
            Err(invalid) => {
                outcome.skipped.push((line, invalid.to_string()));
                continue;
            }
        };
        let odometer = fields
            .odometer_reading
            .map(|value| Reading::entered(value, units));
        let key = (
            fields.vehicle_id,
            fields.date,
            odometer.map(|o| o.km.normalize()),
        );
        if !seen.insert(key) {
            outcome.skipped.push((line, "duplicate".to_owned()));
            continue;
        }
        repo::insert_record(conn, user_id, &fields, units, odometer).await?;
        outcome.imported += 1;
        touched.push((fields.vehicle_id, odometer));
    }
    for vehicle_id in &vehicles {
        let readings = touched.iter().filter(|(v, _)| v == vehicle_id);
        let top = readings.filter_map(|(_, r)| *r).max_by_key(|r| r.km);
        if touched.iter().any(|(v, _)| v == vehicle_id) {
            repo::refresh_record_service(conn, user_id, *vehicle_id).await?;
            outcome.vehicles.push(*vehicle_id);
        }
        if let Some(reading) = top {
            mvp_vehicles::advance_odometer(conn, user_id, *vehicle_id, reading).await?;
        }
    }
    outcome.skipped.sort();
    Ok(outcome)
}

/// Adds `schedules` (as the API would receive them, distances in `units`) unless the vehicle already
/// has a live schedule for the same category and subtypes; returns how many were added and why each
/// other one was not.
pub async fn schedules(
    conn: &mut PgConnection,
    user_id: &UserId,
    units: UnitSystem,
    schedules: Vec<ScheduleInput>,
) -> AppResult<(u64, Vec<String>)> {
    let mut added = 0;
    let mut skipped = Vec::new();
    let today = chrono::Utc::now().date_naive();
    for input in schedules {
        let fields = match crate::parse::schedule(input) {
            Ok(fields) => fields,
            Err(invalid) => {
                skipped.push(format!("schedule: {invalid}"));
                continue;
            }
        };
        mvp_vehicles::lock(conn, user_id, &[fields.vehicle_id]).await?;
        let exists = repo::schedule_exists(
            conn,
            user_id,
            fields.vehicle_id,
            &fields.category,
            &fields.subtypes,
        )
        .await?;
        if exists {
            skipped.push(format!(
                "schedule {}: duplicate",
                fields.subtypes.join(", ")
            ));
            continue;
        }
        let odometer = mvp_vehicles::require(conn, user_id, fields.vehicle_id).await?;
        let d = crate::api::distances(&fields, units, None, Some(odometer));
        repo::insert_schedule(conn, user_id, &fields, &d, today).await?;
        repo::refresh_record_service(conn, user_id, fields.vehicle_id).await?;
        added += 1;
    }
    Ok((added, skipped))
}
