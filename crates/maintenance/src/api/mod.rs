//! Handlers of `/api/maintenance/*`: records (records.rs) and schedules (schedules.rs), with the
//! helpers both use here.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use mvp_core::extract::path_id;
use mvp_core::http::created;
use mvp_core::pagination::total_header;
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser, Page};
use mvp_types::ids::{DocumentId, VehicleId};
use mvp_types::limits::DEFAULT_REMINDER_DAYS;
use mvp_types::maintenance::{
    MaintenanceRecord, MaintenanceSchedule, RecordInput, ScheduleInput, TemplateRequest,
};
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use serde::Deserialize;
use sqlx::PgConnection;

use crate::domain::{CATEGORIES, RecordFields, ScheduleFields, Status, TEMPLATES};
use crate::repo::{self, RecordRow};
use crate::{parse, status};

/// The vehicle's current odometer: its own reading, or its records' highest when that is further
/// (compared in kilometres); a records' reading is shown in `units`.
async fn vehicle_odometer(
    conn: &mut PgConnection,
    user: &AuthUser,
    vehicle_id: VehicleId,
    units: UnitSystem,
) -> AppResult<Option<Reading>> {
    let vehicle = mvp_vehicles::require(conn, &user.user_id, vehicle_id).await?;
    let records = repo::max_record_odometer(conn, &user.user_id, vehicle_id).await?;
    Ok(Some(match records {
        Some(km) if km > vehicle.km => Reading::of_km(km, units),
        _ => vehicle,
    }))
}

/// For a write: locks the vehicle `vehicle_id` and `also` (the one a changed record or schedule
/// leaves) — `mvp_vehicles::lock`, so writes on one vehicle queue instead of deadlocking — and
/// returns `vehicle_id`'s odometer as [`vehicle_odometer`] does.
async fn lock_vehicles(
    conn: &mut PgConnection,
    user: &AuthUser,
    vehicle_id: VehicleId,
    also: Option<VehicleId>,
    units: UnitSystem,
) -> AppResult<Option<Reading>> {
    let ids: Vec<VehicleId> = std::iter::once(vehicle_id).chain(also).collect();
    mvp_vehicles::lock(conn, &user.user_id, &ids).await?;
    vehicle_odometer(conn, user, vehicle_id, units).await
}

/// The odometer for a schedule's vehicle: `None` when the vehicle is gone (deleted), an error only
/// when the database fails.
async fn schedule_odometer(
    conn: &mut PgConnection,
    user: &AuthUser,
    vehicle_id: VehicleId,
    units: UnitSystem,
) -> AppResult<Option<i64>> {
    match vehicle_odometer(conn, user, vehicle_id, units).await {
        Ok(reading) => Ok(reading.map(|r| r.shown(units))),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The unit system the user reads and types distances in.
async fn units(state: &AppState, user: &AuthUser) -> AppResult<UnitSystem> {
    let prefs = mvp_user_preferences::get(state, &user.user_id).await?;
    Ok(prefs.unit_system)
}

fn record_dto(r: RecordRow, units: UnitSystem) -> MaintenanceRecord {
    let odometer_reading = r.odometer().map(|o| o.shown(units));
    MaintenanceRecord {
        id: r.id,
        vehicle_id: r.vehicle_id,
        date: r.date,
        odometer_reading,
        category: r.category,
        subtypes: r.subtypes,
        cost: r.cost,
        shop_name: r.shop_name,
        notes: r.notes,
        document_ids: r.document_ids,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Every document a record refers to must be the user's live document of the record's vehicle.
async fn check_documents(
    conn: &mut PgConnection,
    user: &AuthUser,
    fields: &RecordFields,
) -> AppResult<()> {
    let found = mvp_documents::documents_of_vehicle(
        conn,
        &user.user_id,
        fields.vehicle_id,
        &fields.document_ids,
    )
    .await?;
    if let Some(missing) = fields.document_ids.iter().find(|id| !found.contains(id)) {
        return Err(AppError::validation(
            "documentIds",
            format!("{missing} is not one of your documents for this vehicle"),
        ));
    }
    Ok(())
}

/// Records as sent, without the documents deleted since they were attached.
pub(crate) async fn records_dto(
    state: &AppState,
    user: &AuthUser,
    rows: Vec<RecordRow>,
) -> AppResult<Vec<MaintenanceRecord>> {
    let ids: Vec<DocumentId> = rows
        .iter()
        .flat_map(|r| r.document_ids.iter().copied())
        .collect();
    let live = mvp_documents::live_documents(&state.db, &user.user_id, &ids).await?;
    let units = units(state, user).await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            r.document_ids.retain(|id| live.contains(id));
            record_dto(r, units)
        })
        .collect())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VehicleFilter {
    #[serde(rename = "vehicleId")]
    pub vehicle_id: Option<String>,
}

async fn filter_vehicle(
    state: &AppState,
    user: &AuthUser,
    filter: &VehicleFilter,
) -> AppResult<Option<VehicleId>> {
    mvp_vehicles::filter(state, &user.user_id, filter.vehicle_id.as_deref()).await
}

mod records;
mod schedules;

pub use records::*;
pub use schedules::*;
