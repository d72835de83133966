//! Handlers of `/api/maintenance/*`.

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
use mvp_types::user::UnitSystem;
use serde::Deserialize;
use sqlx::PgConnection;

use crate::domain::{CATEGORIES, RecordFields, ScheduleFields, Status, TEMPLATES};
use crate::repo::{self, RecordRow};
use crate::{parse, status};

async fn vehicle_odometer(
    conn: &mut PgConnection,
    user: &AuthUser,
    vehicle_id: VehicleId,
) -> AppResult<Option<i64>> {
    let vehicle = mvp_vehicles::require(conn, user.user_id.as_str(), vehicle_id).await?;
    let records = repo::max_record_odometer(conn, user.user_id.as_str(), vehicle_id).await?;
    Ok(Some(records.map_or(vehicle, |r| r.max(vehicle))))
}

/// For a write: locks the vehicle `vehicle_id` and `also` (the one a changed record or schedule
/// leaves) — `mvp_vehicles::lock`, so writes on one vehicle queue instead of deadlocking — and
/// returns `vehicle_id`'s odometer as [`vehicle_odometer`] does.
async fn lock_vehicles(
    conn: &mut PgConnection,
    user: &AuthUser,
    vehicle_id: VehicleId,
    also: Option<VehicleId>,
) -> AppResult<Option<i64>> {
    let ids: Vec<VehicleId> = std::iter::once(vehicle_id).chain(also).collect();
    mvp_vehicles::lock(conn, user.user_id.as_str(), &ids).await?;
    vehicle_odometer(conn, user, vehicle_id).await
}

/// The odometer for a schedule's vehicle: `None` when the vehicle is gone (deleted), an error only
/// when the database fails.
async fn schedule_odometer(
    conn: &mut PgConnection,
    user: &AuthUser,
    vehicle_id: VehicleId,
) -> AppResult<Option<i64>> {
    match vehicle_odometer(conn, user, vehicle_id).await {
        Err(AppError::NotFound(_)) => Ok(None),
        other => other,
    }
}

async fn metric(state: &AppState, user: &AuthUser) -> AppResult<bool> {
    let prefs = mvp_user_preferences::get(&state.db, user.user_id.as_str()).await?;
    Ok(prefs.unit_system == UnitSystem::Metric)
}

fn record_dto(r: RecordRow) -> MaintenanceRecord {
    MaintenanceRecord {
        id: r.id,
        vehicle_id: r.vehicle_id,
        date: r.date,
        odometer_reading: r.odometer_reading,
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
        user.user_id.as_str(),
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
async fn records_dto(
    state: &AppState,
    user: &AuthUser,
    rows: Vec<RecordRow>,
) -> AppResult<Vec<MaintenanceRecord>> {
    let ids: Vec<DocumentId> = rows
        .iter()
        .flat_map(|r| r.document_ids.iter().copied())
        .collect();
    let live = mvp_documents::live_documents(&state.db, user.user_id.as_str(), &ids).await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            r.document_ids.retain(|id| live.contains(id));
            record_dto(r)
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
    mvp_vehicles::filter(
        &state.db,
        user.user_id.as_str(),
        filter.vehicle_id.as_deref(),
    )
    .await
}

/// Service records, newest first.
#[utoipa::path(get, path = "/api/maintenance/records", tag = "maintenance", security(("bearer" = [])),
    params(VehicleFilter, ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [MaintenanceRecord])))]
#[tracing::instrument(skip_all)]
pub async fn list_records(
    State(state): State<AppState>,
    user: AuthUser,
    page: Page,
    Query(filter): Query<VehicleFilter>,
) -> AppResult<(HeaderMap, Json<Vec<MaintenanceRecord>>)> {
    let vehicle = filter_vehicle(&state, &user, &filter).await?;
    let (rows, total) = repo::list_records(
        &state.db,
        user.user_id.as_str(),
        vehicle,
        page.limit,
        page.offset,
    )
    .await?;
    Ok((
        total_header(total),
        Json(records_dto(&state, &user, rows).await?),
    ))
}

/// Records a service. A record whose subtypes cover a schedule's moves that schedule's last service.
#[utoipa::path(post, path = "/api/maintenance/records", tag = "maintenance", security(("bearer" = [])),
    request_body = RecordInput,
    responses((status = 201, body = MaintenanceRecord), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_record(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<RecordInput>,
) -> AppResult<Response> {
    let fields = parse::record(input)?;
    let user_id = user.user_id.as_str();
    let mut tx = state.db.begin().await?;
    lock_vehicles(&mut tx, &user, fields.vehicle_id, None).await?;
    check_documents(&mut tx, &user, &fields).await?;
    let id = repo::insert_record(&mut tx, user_id, &fields).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    if let Some(reading) = fields.odometer_reading {
        mvp_vehicles::advance_odometer(&mut tx, user_id, fields.vehicle_id, reading).await?;
    }
    let row = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    tx.commit().await?;
    Ok(created(
        &format!("/api/maintenance/records/{id}"),
        record_dto(row),
    ))
}

/// One record.
#[utoipa::path(get, path = "/api/maintenance/records/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = MaintenanceRecord), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_record(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<Json<MaintenanceRecord>> {
    let id = path_id(&id, "record")?;
    let mut conn = state.db.acquire().await?;
    let row = repo::find_record(&mut conn, user.user_id.as_str(), id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    drop(conn);
    let mut records = records_dto(&state, &user, vec![row]).await?;
    records.pop().map(Json).ok_or(AppError::NotFound("record"))
}

/// Replaces a record; the schedules it covered (before and after) are recomputed.
#[utoipa::path(put, path = "/api/maintenance/records/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = RecordInput,
    responses((status = 200, body = MaintenanceRecord), (status = 400, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update_record(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<RecordInput>,
) -> AppResult<Json<MaintenanceRecord>> {
    let id = path_id(&id, "record")?;
    let user_id = user.user_id.as_str();
    let mut tx = state.db.begin().await?;
    let old = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    let fields = parse::record(input)?;
    lock_vehicles(&mut tx, &user, fields.vehicle_id, Some(old.vehicle_id)).await?;
    check_documents(&mut tx, &user, &fields).await?;
    repo::update_record(&mut tx, user_id, id, &fields).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    if old.vehicle_id != fields.vehicle_id {
        repo::refresh_record_service(&mut tx, user_id, old.vehicle_id).await?;
    }
    if let Some(reading) = fields.odometer_reading {
        mvp_vehicles::advance_odometer(&mut tx, user_id, fields.vehicle_id, reading).await?;
    }
    let row = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    tx.commit().await?;
    Ok(Json(record_dto(row)))
}

/// Deletes a record (soft); the schedules it had advanced fall back to the previous service.
#[utoipa::path(delete, path = "/api/maintenance/records/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204, description = "Deleted"), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete_record(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = path_id(&id, "record")?;
    let user_id = user.user_id.as_str();
    let mut tx = state.db.begin().await?;
    let old = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    // The vehicle may be deleted already: then nothing else writes its schedules either.
    match lock_vehicles(&mut tx, &user, old.vehicle_id, None).await {
        Ok(_) | Err(AppError::NotFound(_)) => {}
        Err(other) => return Err(other),
    }
    repo::delete_record(&mut tx, user_id, id).await?;
    repo::refresh_record_service(&mut tx, user_id, old.vehicle_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn schedule_dto(
    state: &AppState,
    user: &AuthUser,
    row: repo::ScheduleRow,
    metric: bool,
) -> AppResult<MaintenanceSchedule> {
    let mut conn = state.db.acquire().await?;
    let odometer = schedule_odometer(&mut conn, user, row.vehicle_id).await?;
    let due = status::compute(&row, Utc::now().date_naive(), odometer, metric);
    Ok(status::to_dto(row, &due))
}

async fn schedules_with_due(
    state: &AppState,
    user: &AuthUser,
    vehicle: Option<VehicleId>,
) -> AppResult<Vec<(MaintenanceSchedule, crate::domain::Due)>> {
    let metric = metric(state, user).await?;
    let rows = repo::list_schedules(&state.db, user.user_id.as_str(), vehicle).await?;
    let mut odometers: BTreeMap<VehicleId, Option<i64>> = BTreeMap::new();
    let mut conn = state.db.acquire().await?;
    let today = Utc::now().date_naive();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let odometer = match odometers.get(&row.vehicle_id) {
            Some(o) => *o,
            None => {
                // A schedule of a deleted vehicle has no odometer; it is listed but not urgent.
                let o = schedule_odometer(&mut conn, user, row.vehicle_id).await?;
                odometers.insert(row.vehicle_id, o);
                o
            }
        };
        let due = status::compute(&row, today, odometer, metric);
        out.push((status::to_dto(row, &due), due));
    }
    Ok(out)
}

/// Schedules with their next due point and status.
#[utoipa::path(get, path = "/api/maintenance/schedules", tag = "maintenance", security(("bearer" = [])),
    params(VehicleFilter), responses((status = 200, body = [MaintenanceSchedule])))]
#[tracing::instrument(skip_all)]
pub async fn list_schedules(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<VehicleFilter>,
) -> AppResult<Json<Vec<MaintenanceSchedule>>> {
    let vehicle = filter_vehicle(&state, &user, &filter).await?;
    Ok(Json(
        schedules_with_due(&state, &user, vehicle)
            .await?
            .into_iter()
            .map(|(s, _)| s)
            .collect(),
    ))
}

async fn create_schedule_from(
    state: &AppState,
    user: &AuthUser,
    fields: ScheduleFields,
) -> AppResult<Response> {
    let user_id = user.user_id.as_str();
    let metric = metric(state, user).await?;
    let mut tx = state.db.begin().await?;
    let odometer = lock_vehicles(&mut tx, user, fields.vehicle_id, None).await?;
    let id =
        repo::insert_schedule(&mut tx, user_id, &fields, Utc::now().date_naive(), odometer).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    let row = repo::find_schedule(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    tx.commit().await?;
    let dto = schedule_dto(state, user, row, metric).await?;
    Ok(created(&format!("/api/maintenance/schedules/{id}"), dto))
}

/// Adds a schedule: months and/or distance (at least one), whichever comes first.
#[utoipa::path(post, path = "/api/maintenance/schedules", tag = "maintenance", security(("bearer" = [])),
    request_body = ScheduleInput,
    responses((status = 201, body = MaintenanceSchedule), (status = 400, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_schedule(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<ScheduleInput>,
) -> AppResult<Response> {
    let fields = parse::schedule(input)?;
    create_schedule_from(&state, &user, fields).await
}

/// Adds a starter schedule (generic intervals, not manufacturer data) to a vehicle.
#[utoipa::path(post, path = "/api/maintenance/schedules/templates/{key}", tag = "maintenance", security(("bearer" = [])),
    params(("key" = String, Path, description = "oil_change, tire_rotation, air_filter, cabin_air_filter, brake_fluid, coolant")),
    request_body = TemplateRequest,
    responses((status = 201, body = MaintenanceSchedule), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_from_template(
    State(state): State<AppState>,
    user: AuthUser,
    Path(key): Path<String>,
    AppJson(body): AppJson<TemplateRequest>,
) -> AppResult<Response> {
    let template = TEMPLATES
        .iter()
        .find(|t| t.key == key)
        .ok_or(AppError::NotFound("template"))?;
    let metric = metric(&state, &user).await?;
    let distance = if metric { template.km } else { template.miles };
    let fields = ScheduleFields {
        vehicle_id: body.vehicle_id,
        category: "routine_maintenance".to_owned(),
        subtypes: template.subtypes.iter().map(|s| (*s).to_owned()).collect(),
        interval_months: i32::try_from(template.months).ok(),
        interval_distance: (distance > 0).then_some(distance),
        last_service_date: None,
        last_service_odometer: None,
        email_notifications: false,
        reminder_days_before: vec![DEFAULT_REMINDER_DAYS],
        is_active: true,
    };
    create_schedule_from(&state, &user, fields).await
}

/// One schedule.
#[utoipa::path(get, path = "/api/maintenance/schedules/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = MaintenanceSchedule), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_schedule(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<Json<MaintenanceSchedule>> {
    let id = path_id(&id, "schedule")?;
    let metric = metric(&state, &user).await?;
    let row = {
        let mut conn = state.db.acquire().await?;
        repo::find_schedule(&mut conn, user.user_id.as_str(), id)
            .await?
            .ok_or(AppError::NotFound("schedule"))?
    };
    Ok(Json(schedule_dto(&state, &user, row, metric).await?))
}

/// Replaces a schedule (`nextDue*` and `status` are computed and ignored if sent).
#[utoipa::path(put, path = "/api/maintenance/schedules/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ScheduleInput,
    responses((status = 200, body = MaintenanceSchedule), (status = 400, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn update_schedule(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<ScheduleInput>,
) -> AppResult<Json<MaintenanceSchedule>> {
    let id = path_id(&id, "schedule")?;
    let user_id = user.user_id.as_str();
    let metric = metric(&state, &user).await?;
    let mut tx = state.db.begin().await?;
    let old = repo::find_schedule(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    let fields = parse::schedule(input)?;
    lock_vehicles(&mut tx, &user, fields.vehicle_id, Some(old.vehicle_id)).await?;
    repo::update_schedule(&mut tx, user_id, id, &fields).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    let row = repo::find_schedule(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    tx.commit().await?;
    Ok(Json(schedule_dto(&state, &user, row, metric).await?))
}

/// Deletes a schedule (soft).
#[utoipa::path(delete, path = "/api/maintenance/schedules/{id}", tag = "maintenance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204, description = "Deleted"), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete_schedule(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = path_id(&id, "schedule")?;
    let mut conn = state.db.acquire().await?;
    if repo::delete_schedule(&mut conn, user.user_id.as_str(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("schedule"))
    }
}

/// Active schedules that are due soon or overdue, most urgent first (overdue before due soon; then
/// the fewest days, then the least distance, left).
#[utoipa::path(get, path = "/api/maintenance/upcoming", tag = "maintenance", security(("bearer" = [])),
    params(VehicleFilter), responses((status = 200, body = [MaintenanceSchedule])))]
#[tracing::instrument(skip_all)]
pub async fn upcoming(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filter): Query<VehicleFilter>,
) -> AppResult<Json<Vec<MaintenanceSchedule>>> {
    let vehicle = filter_vehicle(&state, &user, &filter).await?;
    let mut due: Vec<_> = schedules_with_due(&state, &user, vehicle)
        .await?
        .into_iter()
        .filter(|(s, d)| s.is_active && d.status != Status::Ok)
        .collect();
    due.sort_by_key(|(_, d)| {
        (
            std::cmp::Reverse(d.status),
            d.days_left.unwrap_or(i64::MAX),
            d.distance_left.unwrap_or(i64::MAX),
        )
    });
    Ok(Json(due.into_iter().map(|(s, _)| s).collect()))
}

/// The subtypes of each category (the list validation uses).
#[utoipa::path(get, path = "/api/maintenance/subtypes", tag = "maintenance", security(("bearer" = [])),
    responses((status = 200, body = Object)))]
#[tracing::instrument(skip_all)]
pub async fn subtypes(_user: AuthUser) -> Json<BTreeMap<&'static str, &'static [&'static str]>> {
    Json(CATEGORIES.iter().copied().collect())
}
