//! Handlers of `/api/fuel-logs*` (logs.rs) and `/api/vehicles/{id}/fuel-stats` (stats.rs), with the
//! helpers both use here: the DTO in the user's units, the odometer checks, the vehicle's odometer.

use std::str::FromStr;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use mvp_core::extract::path_id;
use mvp_core::http::created;
use mvp_core::reads::KeptRead;
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser, Page};
use mvp_types::fuel::{FuelLog, FuelLogInput, FuelStats, MonthlyFuel};
use mvp_types::ids::{FuelLogId, UserId};
use mvp_types::units::{
    EfficiencyUnit, Reading, VolumeKind, distance_from_km, half_even, price_per_unit,
    volume_from_canonical,
};
use mvp_types::user::{UnitSystem, UserPreferences};
use rust_decimal::Decimal;
use serde::Deserialize;
use sqlx::PgConnection;

use crate::domain::{NewFuelLog, kind_of};
use crate::months;
use crate::repo::{self, FuelRow, ListFilter};
use crate::station;

const NOT_FOUND: AppError = AppError::NotFound("fuel log");

/// A stored log in the user's units.
pub(crate) fn to_dto(row: FuelRow, prefs: &UserPreferences) -> FuelLog {
    let to = prefs.unit_system;
    let from = row.entered_units;
    let kind = kind_of(&row.fuel_type);
    let same = from == to;
    let unit = EfficiencyUnit::for_user(to, kind, prefs.efficiency_unit.as_deref());
    let efficiency = row
        .interval_km
        .zip(row.interval_volume)
        .and_then(|(km, volume)| unit.compute(km, volume));
    FuelLog {
        id: row.id,
        vehicle_id: row.vehicle_id,
        date_time: row.date_time,
        odometer_reading: if same {
            row.odometer_entered
        } else {
            row.odometer_km.map(|km| distance_from_km(km, to))
        },
        trip_distance: row.trip_entered.map(|t| {
            if same {
                t
            } else {
                distance_from_km(mvp_types::units::distance_to_km(t, from), to)
            }
        }),
        fuel_units: if same {
            row.fuel_units_entered
        } else {
            volume_from_canonical(row.volume, to, kind)
        },
        cost_per_unit: price_per_unit(row.cost_per_unit_entered, from, to, kind),
        total_cost: row.total_cost,
        fuel_type: row.fuel_type,
        fuel_grade: row.fuel_grade,
        full_fill: row.full_fill,
        missed_previous: row.missed_previous,
        station_id: row.station_id,
        station: None,
        location_name: row.location_name,
        notes: row.notes,
        efficiency,
        efficiency_unit: unit.as_str().to_owned(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

async fn preferences(state: &AppState, user: &AuthUser) -> AppResult<UserPreferences> {
    Ok(mvp_user_preferences::get(state, &user.user_id).await?)
}

/// Refuses an odometer that is not above every earlier reading and below every later one.
async fn check_odometer(
    conn: &mut PgConnection,
    user: &AuthUser,
    log: &NewFuelLog,
    except: Option<FuelLogId>,
) -> AppResult<()> {
    if log.odometer_km().is_none() {
        return Ok(());
    }
    let (before, after) =
        repo::odometer_bounds(conn, &user.user_id, log.vehicle_id, log.date_time, except).await?;
    Ok(log.check_odometer(before, after)?)
}

/// Moves the vehicle's odometer forward when this reading is beyond it: the whole number typed, in
/// the units it was typed in, and the reading's exact kilometres.
pub(crate) async fn advance_vehicle(
    conn: &mut PgConnection,
    user_id: &UserId,
    log: &NewFuelLog,
) -> AppResult<()> {
    if let (Some(reading), Some(km)) = (log.odometer, log.odometer_km())
        && let Ok(entered) = i64::from_str(&reading.trunc().to_string())
    {
        let reading = Reading {
            entered,
            units: log.units,
            km,
        };
        mvp_vehicles::advance_odometer(conn, user_id, log.vehicle_id, reading).await?;
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(rename = "vehicleId")]
    pub vehicle_id: Option<String>,
    /// RFC 3339; inclusive.
    pub from: Option<String>,
    /// RFC 3339; inclusive.
    pub to: Option<String>,
}

fn time_param(field: &str, value: Option<&str>) -> AppResult<Option<DateTime<Utc>>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(|d| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
            })
            .map_err(|_| {
                AppError::validation(field, format!("{text:?} is not a date or RFC 3339 time"))
            }),
    }
}

mod logs;
mod stats;

pub use logs::*;
pub use stats::*;

/// The log as the response shows it: read back in the caller's transaction or connection, in the
/// user's units, with its station.
async fn answer(
    conn: &mut PgConnection,
    user: &AuthUser,
    id: FuelLogId,
    prefs: &UserPreferences,
) -> AppResult<FuelLog> {
    let row = repo::find(&mut *conn, &user.user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    let mut dto = [to_dto(row, prefs)];
    station::attach(conn, &user.user_id, &mut dto).await?;
    let [dto] = dto;
    Ok(dto)
}
