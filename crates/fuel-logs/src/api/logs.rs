//! `/api/fuel-logs*`: list, create, read, replace and delete fill-ups.

use super::*;

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
    kept: KeptRead,
) -> AppResult<Response> {
    if let Some(hit) = kept.hit() {
        return Ok(hit);
    }
    let vehicle_id =
        mvp_vehicles::filter(&state, &user.user_id, query.vehicle_id.as_deref()).await?;
    let filter = ListFilter {
        vehicle_id,
        from: time_param("from", query.from.as_deref())?,
        to: time_param("to", query.to.as_deref())?,
    };
    let prefs = preferences(&state, &user).await?;
    let user_id = &user.user_id;
    let (rows, total) = match (filter.vehicle_id, filter.from, filter.to) {
        // One vehicle, no range: the roll-up knows the count without counting every row.
        (Some(vehicle_id), None, None) => {
            let rows = repo::page(&state.db, user_id, vehicle_id, page.limit, page.offset).await?;
            let total = match page.total_from(rows.len()) {
                Some(total) => total,
                None => months::log_count(&state.db, user_id, vehicle_id, &prefs.time_zone).await?,
            };
            (rows, total)
        }
        _ => repo::list(&state.db, user_id, &filter, page.limit, page.offset).await?,
    };
    let mut logs: Vec<FuelLog> = rows.into_iter().map(|r| to_dto(r, &prefs)).collect();
    station::attach_pooled(&state.db, &user.user_id, &mut logs).await?;
    kept.keep(Some(total), &logs)
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
    mvp_vehicles::lock(&mut tx, &user.user_id, &[log.vehicle_id]).await?;
    station::check(&mut tx, &user.user_id, log.station_id.as_deref(), None).await?;
    check_odometer(&mut tx, &user, &log, None).await?;
    let row = repo::insert_chained(&mut tx, &user.user_id, &log, &prefs.time_zone).await?;
    advance_vehicle(&mut tx, &user.user_id, &log).await?;
    let id = row.id;
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
    Ok(Json(answer(&mut conn, &user, id, &prefs).await?))
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
    let old = repo::find(&mut tx, &user.user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    let log = NewFuelLog::parse(input, prefs.unit_system)?;
    // Both vehicles' chains are recomputed when the fill-up moves.
    mvp_vehicles::lock(&mut tx, &user.user_id, &[log.vehicle_id, old.vehicle_id]).await?;
    station::check(
        &mut tx,
        &user.user_id,
        log.station_id.as_deref(),
        old.station_id.as_deref(),
    )
    .await?;
    check_odometer(&mut tx, &user, &log, Some(id)).await?;
    repo::update(&mut tx, &user.user_id, id, &log).await?;
    let from = old.date_time.min(log.date_time);
    repo::recompute(
        &mut tx,
        &user.user_id,
        log.vehicle_id,
        from,
        &prefs.time_zone,
    )
    .await?;
    if old.vehicle_id != log.vehicle_id {
        repo::recompute(
            &mut tx,
            &user.user_id,
            old.vehicle_id,
            old.date_time,
            &prefs.time_zone,
        )
        .await?;
    }
    advance_vehicle(&mut tx, &user.user_id, &log).await?;
    let dto = answer(&mut tx, &user, id, &prefs).await?;
    tx.commit().await?;
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
    let old = repo::find(&mut tx, &user.user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    // A deleted vehicle's fill-ups have no other writer to queue behind.
    match mvp_vehicles::lock(&mut tx, &user.user_id, &[old.vehicle_id]).await {
        Ok(()) | Err(AppError::NotFound(_)) => {}
        Err(other) => return Err(other),
    }
    repo::soft_delete(&mut tx, &user.user_id, id).await?;
    repo::recompute(
        &mut tx,
        &user.user_id,
        old.vehicle_id,
        old.date_time,
        &prefs.time_zone,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
