//! `/api/maintenance/records*`: service records.

use super::*;

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
    let (rows, total) =
        repo::list_records(&state.db, &user.user_id, vehicle, page.limit, page.offset).await?;
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
    let user_id = &user.user_id;
    let units = units(&state, &user).await?;
    let odometer = fields
        .odometer_reading
        .map(|value| Reading::entered(value, units));
    let mut tx = state.db.begin().await?;
    lock_vehicles(&mut tx, &user, fields.vehicle_id, None, units).await?;
    check_documents(&mut tx, &user, &fields).await?;
    let id = repo::insert_record(&mut tx, user_id, &fields, units, odometer).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    if let Some(reading) = odometer {
        mvp_vehicles::advance_odometer(&mut tx, user_id, fields.vehicle_id, reading).await?;
    }
    let row = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    tx.commit().await?;
    Ok(created(
        &format!("/api/maintenance/records/{id}"),
        record_dto(row, units),
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
    let row = repo::find_record(&mut conn, &user.user_id, id)
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
    let user_id = &user.user_id;
    let units = units(&state, &user).await?;
    let mut tx = state.db.begin().await?;
    let old = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    let fields = parse::record(input)?;
    let odometer = fields
        .odometer_reading
        .map(|value| Reading::resent(old.odometer(), value, units));
    lock_vehicles(
        &mut tx,
        &user,
        fields.vehicle_id,
        Some(old.vehicle_id),
        units,
    )
    .await?;
    check_documents(&mut tx, &user, &fields).await?;
    repo::update_record(&mut tx, user_id, id, &fields, units, odometer).await?;
    repo::refresh_record_service(&mut tx, user_id, fields.vehicle_id).await?;
    if old.vehicle_id != fields.vehicle_id {
        repo::refresh_record_service(&mut tx, user_id, old.vehicle_id).await?;
    }
    if let Some(reading) = odometer {
        mvp_vehicles::advance_odometer(&mut tx, user_id, fields.vehicle_id, reading).await?;
    }
    let row = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    tx.commit().await?;
    Ok(Json(record_dto(row, units)))
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
    let user_id = &user.user_id;
    let mut tx = state.db.begin().await?;
    let old = repo::find_record(&mut tx, user_id, id)
        .await?
        .ok_or(AppError::NotFound("record"))?;
    // The vehicle may be deleted already: then nothing else writes its schedules either. (The
    // units only shape the reading returned, which is not needed here.)
    match lock_vehicles(&mut tx, &user, old.vehicle_id, None, UnitSystem::Metric).await {
        Ok(_) | Err(AppError::NotFound(_)) => {}
        Err(other) => return Err(other),
    }
    repo::delete_record(&mut tx, user_id, id).await?;
    repo::refresh_record_service(&mut tx, user_id, old.vehicle_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
