//! Handlers of `/api/fuel-logs*` and `/api/vehicles/{id}/fuel-stats`.

use std::str::FromStr;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use mvp_core::extract::path_id;
use mvp_core::http::created;
use mvp_core::pagination::total_header;
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser, Page};
use mvp_types::fuel::{FuelLog, FuelLogInput, FuelStats, MonthlyFuel};
use mvp_types::ids::{FuelLogId, VehicleId};
use mvp_types::units::{
    EfficiencyUnit, VolumeKind, distance_from_km, half_even, price_per_unit, volume_from_canonical,
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
fn to_dto(row: FuelRow, prefs: &UserPreferences) -> FuelLog {
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
    Ok(mvp_user_preferences::get(&state.db, user.user_id.as_str()).await?)
}

/// The vehicle must be the user's live vehicle: anything else is a 404, like an unknown id.
async fn require_vehicle(
    conn: &mut PgConnection,
    user: &AuthUser,
    vehicle_id: VehicleId,
) -> AppResult<i64> {
    mvp_vehicles::require(conn, user.user_id.as_str(), vehicle_id).await
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
    let (before, after) = repo::odometer_bounds(
        conn,
        user.user_id.as_str(),
        log.vehicle_id,
        log.date_time,
        except,
    )
    .await?;
    Ok(log.check_odometer(before, after)?)
}

/// Moves the vehicle's odometer forward when this reading is beyond it.
async fn advance_vehicle(
    conn: &mut PgConnection,
    user: &AuthUser,
    log: &NewFuelLog,
) -> AppResult<()> {
    if let Some(reading) = log.odometer {
        let whole = reading.trunc();
        if let Ok(value) = i64::from_str(&whole.to_string()) {
            mvp_vehicles::advance_odometer(conn, user.user_id.as_str(), log.vehicle_id, value)
                .await?;
        }
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

/// The user's fill-ups, newest first, optionally for one vehicle and a time range.
#[utoipa::path(get, path = "/api/fuel-logs", tag = "fuel", security(("bearer" = [])),
    params(ListQuery, ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [FuelLog], headers(("X-Total-Count" = i64)))))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    page: Page,
    Query(query): Query<ListQuery>,
) -> AppResult<(HeaderMap, Json<Vec<FuelLog>>)> {
    let vehicle_id = mvp_vehicles::filter(
        &state.db,
        user.user_id.as_str(),
        query.vehicle_id.as_deref(),
    )
    .await?;
    let filter = ListFilter {
        vehicle_id,
        from: time_param("from", query.from.as_deref())?,
        to: time_param("to", query.to.as_deref())?,
    };
    let prefs = preferences(&state, &user).await?;
    let user_id = user.user_id.as_str();
    let (rows, total) = match (filter.vehicle_id, filter.from, filter.to) {
        // One vehicle, no range: the roll-up knows the count without counting every row.
        (Some(vehicle_id), None, None) => {
            let rows = repo::page(&state.db, user_id, vehicle_id, page.limit, page.offset).await?;
            let months = months::months(&state.db, user_id, vehicle_id, &prefs.time_zone).await?;
            (rows, months.iter().map(|m| m.log_count).sum())
        }
        _ => repo::list(&state.db, user_id, &filter, page.limit, page.offset).await?,
    };
    let mut logs: Vec<FuelLog> = rows.into_iter().map(|r| to_dto(r, &prefs)).collect();
    station::attach_pooled(&state.db, &user.user_id, &mut logs).await?;
    Ok((total_header(total), Json(logs)))
}

/// Records a fill-up. Numbers are in the user's units; send `costPerUnit` or `totalCost` (or both).
#[utoipa::path(post, path = "/api/fuel-logs", tag = "fuel", security(("bearer" = [])),
    request_body = FuelLogInput,
    responses((status = 201, body = FuelLog), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, description = "Not your vehicle", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<FuelLogInput>,
) -> AppResult<Response> {
    let prefs = preferences(&state, &user).await?;
    let log = NewFuelLog::parse(input, prefs.unit_system)?;
    let mut tx = state.db.begin().await?;
    mvp_vehicles::lock(&mut tx, user.user_id.as_str(), &[log.vehicle_id]).await?;
    station::check(&mut tx, &user.user_id, log.station_id.as_deref(), None).await?;
    check_odometer(&mut tx, &user, &log, None).await?;
    let id = repo::insert(&mut tx, user.user_id.as_str(), &log).await?;
    repo::recompute(
        &mut tx,
        user.user_id.as_str(),
        log.vehicle_id,
        log.date_time,
        &prefs.time_zone,
    )
    .await?;
    advance_vehicle(&mut tx, &user, &log).await?;
    let row = repo::find(&mut tx, user.user_id.as_str(), id)
        .await?
        .ok_or(NOT_FOUND)?;
    let mut dto = [to_dto(row, &prefs)];
    station::attach(&mut tx, &user.user_id, &mut dto).await?;
    tx.commit().await?;
    let [dto] = dto;
    Ok(created(&format!("/api/fuel-logs/{id}"), dto))
}

/// One fill-up.
#[utoipa::path(get, path = "/api/fuel-logs/{id}", tag = "fuel", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = FuelLog), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<Json<FuelLog>> {
    let id = path_id(&id, "fuel log")?;
    let prefs = preferences(&state, &user).await?;
    let mut conn = state.db.acquire().await?;
    let row = repo::find(&mut conn, user.user_id.as_str(), id)
        .await?
        .ok_or(NOT_FOUND)?;
    let mut dto = [to_dto(row, &prefs)];
    station::attach(&mut conn, &user.user_id, &mut dto).await?;
    let [dto] = dto;
    Ok(Json(dto))
}

/// Replaces a fill-up; the economy of every later fill-up of the vehicle follows.
#[utoipa::path(put, path = "/api/fuel-logs/{id}", tag = "fuel", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = FuelLogInput,
    responses((status = 200, body = FuelLog), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<FuelLogInput>,
) -> AppResult<Json<FuelLog>> {
    let id = path_id(&id, "fuel log")?;
    let prefs = preferences(&state, &user).await?;
    let mut tx = state.db.begin().await?;
    let old = repo::find(&mut tx, user.user_id.as_str(), id)
        .await?
        .ok_or(NOT_FOUND)?;
    let log = NewFuelLog::parse(input, prefs.unit_system)?;
    // Both vehicles' chains are recomputed when the fill-up moves.
    mvp_vehicles::lock(
        &mut tx,
        user.user_id.as_str(),
        &[log.vehicle_id, old.vehicle_id],
    )
    .await?;
    station::check(
        &mut tx,
        &user.user_id,
        log.station_id.as_deref(),
        old.station_id.as_deref(),
    )
    .await?;
    check_odometer(&mut tx, &user, &log, Some(id)).await?;
    repo::update(&mut tx, user.user_id.as_str(), id, &log).await?;
    let from = old.date_time.min(log.date_time);
    repo::recompute(
        &mut tx,
        user.user_id.as_str(),
        log.vehicle_id,
        from,
        &prefs.time_zone,
    )
    .await?;
    if old.vehicle_id != log.vehicle_id {
        repo::recompute(
            &mut tx,
            user.user_id.as_str(),
            old.vehicle_id,
            old.date_time,
            &prefs.time_zone,
        )
        .await?;
    }
    advance_vehicle(&mut tx, &user, &log).await?;
    let row = repo::find(&mut tx, user.user_id.as_str(), id)
        .await?
        .ok_or(NOT_FOUND)?;
    let mut dto = [to_dto(row, &prefs)];
    station::attach(&mut tx, &user.user_id, &mut dto).await?;
    tx.commit().await?;
    let [dto] = dto;
    Ok(Json(dto))
}

/// Deletes a fill-up (soft); later economy is recomputed without it.
#[utoipa::path(delete, path = "/api/fuel-logs/{id}", tag = "fuel", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = path_id(&id, "fuel log")?;
    let prefs = preferences(&state, &user).await?;
    let mut tx = state.db.begin().await?;
    let old = repo::find(&mut tx, user.user_id.as_str(), id)
        .await?
        .ok_or(NOT_FOUND)?;
    // A deleted vehicle's fill-ups have no other writer to queue behind.
    match mvp_vehicles::lock(&mut tx, user.user_id.as_str(), &[old.vehicle_id]).await {
        Ok(()) | Err(AppError::NotFound(_)) => {}
        Err(other) => return Err(other),
    }
    repo::soft_delete(&mut tx, user.user_id.as_str(), id).await?;
    repo::recompute(
        &mut tx,
        user.user_id.as_str(),
        old.vehicle_id,
        old.date_time,
        &prefs.time_zone,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Totals, economy and a monthly breakdown for one vehicle, in the user's units and currency.
#[utoipa::path(get, path = "/api/vehicles/{id}/fuel-stats", tag = "fuel", security(("bearer" = [])),
    params(("id" = Uuid, Path), StatsQuery),
    responses((status = 200, body = FuelStats), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn stats(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(query): Query<StatsQuery>,
) -> AppResult<Json<FuelStats>> {
    let vehicle_id = path_id(&id, "vehicle")?;
    let from = time_param("from", query.from.as_deref())?;
    let to = time_param("to", query.to.as_deref())?;
    {
        let mut conn = state.db.acquire().await?;
        require_vehicle(&mut conn, &user, vehicle_id).await?;
    }
    let prefs = preferences(&state, &user).await?;
    let system = prefs.unit_system;
    let user_id = user.user_id.as_str();
    let months = if from.is_none() && to.is_none() {
        months::months(&state.db, user_id, vehicle_id, &prefs.time_zone).await?
    } else {
        months::months_in_range(&state.db, user_id, vehicle_id, &prefs.time_zone, from, to).await?
    };
    let sum = |f: fn(&months::MonthTotals) -> Decimal| months.iter().map(f).sum::<Decimal>();
    let log_count: i64 = months.iter().map(|m| m.log_count).sum();
    let liquid_count: i64 = months.iter().map(|m| m.liquid_count).sum();
    let electric = log_count > 0 && liquid_count == 0;
    let kind = if electric {
        VolumeKind::Energy
    } else {
        VolumeKind::Liquid
    };
    let unit = EfficiencyUnit::for_user(system, kind, prefs.efficiency_unit.as_deref());
    let (interval_km, interval_volume, volume) = if electric {
        (
            sum(|m| m.energy_interval_km),
            sum(|m| m.energy_interval_volume),
            sum(|m| m.energy_volume),
        )
    } else {
        (
            sum(|m| m.liquid_interval_km),
            sum(|m| m.liquid_interval_volume),
            sum(|m| m.liquid_volume),
        )
    };
    let average = unit.compute(interval_km, interval_volume);
    let last = repo::last_interval(&state.db, user_id, vehicle_id, electric, from, to)
        .await?
        .and_then(|(km, v)| unit.compute(km, v));
    let total_cost = sum(|m| m.total_cost);
    let distance = distance_from_km(sum(|m| m.distance_km), system);
    let cost_per_distance = (distance > Decimal::ZERO).then(|| half_even(total_cost / distance, 4));
    let monthly = months
        .iter()
        .map(|m| MonthlyFuel {
            month: m.month.format("%Y-%m").to_string(),
            total_cost: m.total_cost,
            fuel_units: half_even(
                volume_from_canonical(
                    if electric {
                        m.energy_volume
                    } else {
                        m.liquid_volume
                    },
                    system,
                    kind,
                ),
                3,
            ),
            distance: half_even(distance_from_km(m.distance_km, system), 1),
        })
        .collect();
    let (distance_unit, volume_unit) = match (system, kind) {
        (UnitSystem::Imperial, VolumeKind::Liquid) => ("mi", "gal"),
        (UnitSystem::Metric, VolumeKind::Liquid) => ("km", "l"),
        (UnitSystem::Imperial, VolumeKind::Energy) => ("mi", "kWh"),
        (UnitSystem::Metric, VolumeKind::Energy) => ("km", "kWh"),
    };
    Ok(Json(FuelStats {
        log_count,
        total_cost,
        total_fuel_units: half_even(volume_from_canonical(volume, system, kind), 3),
        total_distance: half_even(distance, 1),
        average_efficiency: average,
        last_efficiency: last,
        cost_per_distance,
        efficiency_unit: unit.as_str().to_owned(),
        distance_unit: distance_unit.to_owned(),
        volume_unit: volume_unit.to_owned(),
        currency: prefs.currency_code,
        monthly,
    }))
}
