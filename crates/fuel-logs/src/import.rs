//! Many fill-ups in one transaction (the importer of mvp-user-export). Each incoming log is checked as
//! the API checks one — except that the odometer order is checked against the vehicle's fill-ups *and*
//! the ones accepted before it in this import, in time order — and a log with the same vehicle, local
//! date and odometer (or, without an odometer, the same fuel quantity) as one already kept is skipped
//! as a duplicate, so importing a file twice adds nothing. Accepted logs are written in batches and
//! each vehicle's economy chain and monthly roll-up are recomputed once, from its earliest new log.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Bound::{Excluded, Unbounded};

use chrono::{DateTime, NaiveDate, Utc};
use mvp_core::AppResult;
use mvp_types::ids::{UserId, VehicleId};
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::domain::NewFuelLog;
use crate::repo;

/// Rows written per statement.
const BATCH: usize = 2_000;

/// One log to import: where it came from (the file's line), the day the user would call it (their
/// time zone) and the parsed log.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub line: u64,
    pub local_date: NaiveDate,
    pub log: NewFuelLog,
}

/// What an import did: the number written and every line left out, with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub imported: u64,
    pub skipped: Vec<(u64, String)>,
    pub vehicles: Vec<VehicleId>,
}

/// A log's identity for duplicates: the day, and the odometer in km or else the fuel quantity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub date: NaiveDate,
    pub odometer_km: Option<Decimal>,
    pub volume: Decimal,
}

impl Key {
    fn of(date: NaiveDate, odometer_km: Option<Decimal>, volume: Decimal) -> Self {
        Self {
            date,
            odometer_km: odometer_km.map(|km| km.normalize()),
            // The quantity tells two trip-only logs of a day apart; with an odometer it does not.
            volume: if odometer_km.is_some() {
                Decimal::ZERO
            } else {
                volume.normalize()
            },
        }
    }
}

/// Imports `incoming` for `user_id`; every vehicle named must be the user's live vehicle (404
/// otherwise). Runs in the caller's transaction.
pub async fn import(
    conn: &mut PgConnection,
    user_id: &UserId,
    time_zone: &str,
    mut incoming: Vec<Incoming>,
) -> AppResult<Outcome> {
    let mut vehicles: Vec<VehicleId> = incoming.iter().map(|i| i.log.vehicle_id).collect();
    vehicles.sort();
    vehicles.dedup();
    mvp_vehicles::lock(conn, user_id, &vehicles).await?;
    incoming.sort_by(|a, b| {
        (
            a.log.vehicle_id,
            a.log.date_time,
            a.log.odometer_km(),
            a.line,
        )
            .cmp(&(
                b.log.vehicle_id,
                b.log.date_time,
                b.log.odometer_km(),
                b.line,
            ))
    });
    let mut outcome = Outcome::default();
    // Which of `incoming` are written (marked, not copied: an import may hold 100,000).
    let mut keep = vec![false; incoming.len()];
    let mut earliest: HashMap<VehicleId, DateTime<Utc>> = HashMap::new();
    let mut highest: HashMap<VehicleId, NewFuelLog> = HashMap::new();
    for vehicle_id in &vehicles {
        let existing = repo::import_keys(conn, user_id, *vehicle_id, time_zone).await?;
        let mut seen: HashSet<Key> = existing
            .iter()
            .map(|k| Key::of(k.local_date, k.odometer_km, k.volume))
            .collect();
        // (time, km) of every reading kept so far; readings rise with time, so a neighbour's is the
        // bound (as `odometer_bounds` finds it for one log).
        let mut readings: BTreeSet<(DateTime<Utc>, Decimal)> = existing
            .iter()
            .filter_map(|k| k.odometer_km.map(|km| (k.date_time, km)))
            .collect();
        let mine = incoming
            .iter()
            .enumerate()
            .filter(|(_, i)| i.log.vehicle_id == *vehicle_id);
        for (at, item) in mine {
            let log = &item.log;
            let key = Key::of(item.local_date, log.odometer_km(), log.volume());
            if seen.contains(&key) {
                outcome.skipped.push((item.line, "duplicate".to_owned()));
                continue;
            }
            if let Some(km) = log.odometer_km() {
                let bound = (log.date_time, Decimal::MAX);
                let before = readings.range(..=bound).next_back().map(|(_, km)| *km);
                let after = readings
                    .range((Excluded(bound), Unbounded))
                    .next()
                    .map(|(_, km)| *km);
                if let Err(invalid) = log.check_odometer(before, after) {
                    let reason = invalid
                        .0
                        .first()
                        .map(|d| format!("odometer {}: {}", log.odometer.unwrap_or(km), d.message))
                        .unwrap_or_else(|| "odometer out of order".to_owned());
                    outcome.skipped.push((item.line, reason));
                    continue;
                }
                readings.insert((log.date_time, km));
                let top = highest.entry(*vehicle_id).or_insert_with(|| log.clone());
                if top.odometer_km() < Some(km) {
                    *top = log.clone();
                }
            }
            seen.insert(key);
            earliest
                .entry(*vehicle_id)
                .and_modify(|t| *t = (*t).min(log.date_time))
                .or_insert(log.date_time);
            keep[at] = true;
        }
    }
    let accepted: Vec<&NewFuelLog> = incoming
        .iter()
        .zip(&keep)
        .filter_map(|(i, kept)| kept.then_some(&i.log))
        .collect();
    for batch in accepted.chunks(BATCH) {
        repo::insert_many(conn, user_id, batch).await?;
    }
    outcome.imported = accepted.len() as u64;
    for (vehicle_id, from) in &earliest {
        repo::recompute(conn, user_id, *vehicle_id, *from, time_zone).await?;
    }
    for log in highest.values() {
        crate::api::advance_vehicle(conn, user_id, log).await?;
    }
    outcome.vehicles = earliest.keys().copied().collect();
    outcome.vehicles.sort();
    outcome.skipped.sort();
    Ok(outcome)
}
