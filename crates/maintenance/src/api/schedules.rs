//! `/api/maintenance/schedules*`, `/api/maintenance/upcoming` and the subtype list.

use super::*;

async fn schedule_dto(
    state: &AppState,
    user: &AuthUser,
    row: repo::ScheduleRow,
    units: UnitSystem,
) -> AppResult<MaintenanceSchedule> {
    let mut conn = state.db.acquire().await?;
    let odometer = schedule_odometer(&mut conn, user, row.vehicle_id, units).await?;
    let due = status::compute(&row, Utc::now().date_naive(), odometer, units);
    Ok(status::to_dto(row, &due, units))
}

/// What a schedule's form sent, in `units`, as it is to be stored. A distance sent back unchanged
/// keeps its kilometres exactly (see `Reading::resent`): the interval and the entered last service
/// of `old`, or for the last service the records' one the form was showing.
pub(crate) fn distances(
    fields: &ScheduleFields,
    units: UnitSystem,
    old: Option<&repo::ScheduleRow>,
    baseline: Option<Reading>,
) -> repo::ScheduleDistances {
    let interval = fields
        .interval_distance
        .map(|v| Reading::resent(old.and_then(|o| o.interval()), v, units));
    let last_service = fields.last_service_odometer.map(|v| {
        let shown = old.and_then(|o| {
            let record = o.record_service_km.map(|km| Reading::of_km(km, units));
            o.last_service()
                .filter(|r| r.shown(units) == v)
                .or(record.filter(|r| r.shown(units) == v))
        });
        Reading::resent(shown, v, units)
    });
    repo::ScheduleDistances {
        units,
        interval,
        last_service,
        baseline: baseline.map(|b| Reading::resent(Some(b), b.shown(units), units)),
    }
}

pub(crate) async fn schedules_with_due(
    state: &AppState,
    user: &AuthUser,
    vehicle: Option<VehicleId>,
) -> AppResult<Vec<(MaintenanceSchedule, crate::domain::Due)>> {
    let units = units(state, user).await?;
    let rows = repo::list_schedules(&state.db, &user.user_id, vehicle).await?;
    let mut odometers: BTreeMap<VehicleId, Option<i64>> = BTreeMap::new();
    let mut conn = state.db.acquire().await?;
    let today = Utc::now().date_naive();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let odometer = match odometers.get(&row.vehicle_id) {
            Some(o) => *o,
            None => {
                // A schedule of a deleted vehicle has no odometer; it is listed but not urgent.
                let o = schedule_odometer(&mut conn, user, row.vehicle_id, units).await?;
                odometers.insert(row.vehicle_id, o);
                o
            }
        };
        let due = status::compute(&row, today, odometer, units);
        out.push((status::to_dto(row, &due, units), due));
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
    let user_id = &user.user_id;
    let units = units(state, user).await?;
    let mut tx = state.db.begin().await?;
    let odometer = lock_vehicles(&mut tx, user, fields.vehicle_id, None, units).await?;
    let d = distances(&fields, units, None, odometer);
    let id = repo::insert_schedule(&mut tx, user_id, &fields, &d, Utc::now().date_naive()).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    let row = repo::find_schedule(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    tx.commit().await?;
    let dto = schedule_dto(state, user, row, units).await?;
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
    let units = units(&state, &user).await?;
    let distance = match units {
        UnitSystem::Metric => template.km,
        UnitSystem::Imperial => template.miles,
    };
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
    let units = units(&state, &user).await?;
    let row = {
        let mut conn = state.db.acquire().await?;
        repo::find_schedule(&mut conn, &user.user_id, id)
            .await?
            .ok_or(AppError::NotFound("schedule"))?
    };
    Ok(Json(schedule_dto(&state, &user, row, units).await?))
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
    let user_id = &user.user_id;
    let units = units(&state, &user).await?;
    let mut tx = state.db.begin().await?;
    let old = repo::find_schedule(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    let fields = parse::schedule(input)?;
    lock_vehicles(
        &mut tx,
        &user,
        fields.vehicle_id,
        Some(old.vehicle_id),
        units,
    )
    .await?;
    let d = distances(&fields, units, Some(&old), old.baseline());
    repo::update_schedule(&mut tx, user_id, id, &fields, &d).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    let row = repo::find_schedule(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    tx.commit().await?;
    Ok(Json(schedule_dto(&state, &user, row, units).await?))
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
    if repo::delete_schedule(&mut conn, &user.user_id, id).await? {
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
