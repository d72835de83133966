//! Handlers of `/api/vehicles*`.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mvp_core::error::DbResultExt as _;
use mvp_core::extract::{field_bytes, path_id};
use mvp_core::http::created;
use mvp_core::reads::KeptRead;
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser, Page};
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use mvp_types::vehicle::{Vehicle, VehicleInput};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::{VehicleFields, parse_vin};
use crate::image::{self, Kind};
use crate::repo;

const NOT_FOUND: AppError = AppError::NotFound("vehicle");

/// Parses the body, decoding the VIN first when it is needed to fill year/make/model.
pub(crate) async fn fields(pool: &sqlx::PgPool, input: VehicleInput) -> AppResult<VehicleFields> {
    let vin = parse_vin(&input)?;
    let needs_decode = input.year.is_none()
        || input.make.as_deref().is_none_or(|m| m.trim().is_empty())
        || input.model.as_deref().is_none_or(|m| m.trim().is_empty());
    let decoded = match (&vin, needs_decode) {
        (Some(vin), true) => Some(mvp_platform::decode_vin(pool, vin).await?),
        _ => None,
    };
    Ok(VehicleFields::parse(input, vin, decoded.as_ref())?)
}

/// The unit system the user reads and types distances in.
async fn units(state: &AppState, user: &AuthUser) -> AppResult<UnitSystem> {
    Ok(mvp_user_preferences::get(state, &user.user_id)
        .await?
        .unit_system)
}

pub(crate) fn duplicate_vin() -> AppError {
    AppError::Conflict("you already have a vehicle with this VIN".to_owned())
}

/// The user's vehicles, newest first.
#[utoipa::path(get, path = "/api/vehicles", tag = "vehicles", security(("bearer" = [])),
    params(("limit" = Option<i64>, Query, description = "1–500, default 100"),
           ("offset" = Option<i64>, Query, description = "default 0")),
    responses((status = 200, body = [Vehicle], headers(("X-Total-Count" = i64, description = "all the user's vehicles")))))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    page: Page,
    kept: KeptRead,
) -> AppResult<Response> {
    if let Some(hit) = kept.hit() {
        return Ok(hit);
    }
    let ((rows, total), units) = tokio::try_join!(
        async {
            repo::list(&state.db, &user.user_id, page)
                .await
                .map_err(AppError::from)
        },
        units(&state, &user),
    )?;
    let vehicles: Vec<Vehicle> = rows.into_iter().map(|r| r.into_dto(units)).collect();
    kept.keep(Some(total), &vehicles)
}

/// Adds a vehicle. `year`, `make` and `model` are required unless a decodable `vin` supplies them.
#[utoipa::path(post, path = "/api/vehicles", tag = "vehicles", security(("bearer" = [])),
    request_body = VehicleInput,
    responses((status = 201, body = Vehicle, headers(("Location" = String))),
              (status = 400, body = mvp_types::ErrorBody),
              (status = 409, description = "Same VIN as another of your vehicles", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<VehicleInput>,
) -> AppResult<Response> {
    let fields = fields(&state.db, input).await?;
    let units = units(&state, &user).await?;
    let odometer = Reading::entered(fields.odometer_reading, units);
    let row = repo::insert(&state.db, &user.user_id, &fields, odometer)
        .await
        .on_constraint("vehicles_user_vin_key", duplicate_vin)?;
    Ok(created(
        &format!("/api/vehicles/{}", row.id),
        row.into_dto(units),
    ))
}

/// One vehicle.
#[utoipa::path(get, path = "/api/vehicles/{id}", tag = "vehicles", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vehicle), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(vehicle_id = %id))]
pub async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<Json<Vehicle>> {
    let id = path_id(&id, "vehicle")?;
    let (row, units) = tokio::try_join!(
        async {
            repo::find(&state.db, &user.user_id, id)
                .await?
                .ok_or(NOT_FOUND)
        },
        units(&state, &user),
    )?;
    Ok(Json(row.into_dto(units)))
}

/// Replaces a vehicle with the representation sent. The odometer cannot go down unless
/// `odometerCorrection: true` is sent.
#[utoipa::path(put, path = "/api/vehicles/{id}", tag = "vehicles", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = VehicleInput,
    responses((status = 200, body = Vehicle), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody), (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(vehicle_id = %id))]
pub async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<VehicleInput>,
) -> AppResult<Json<Vehicle>> {
    let id = path_id(&id, "vehicle")?;
    let user_id = &user.user_id;
    let current = repo::find(&state.db, user_id, id).await?.ok_or(NOT_FOUND)?;
    let units = units(&state, &user).await?;
    let shown = current.odometer().shown(units);
    let correction = input.odometer_correction;
    let mut input = input;
    if input.odometer_reading.is_none() {
        input.odometer_reading = Some(shown);
    }
    let fields = fields(&state.db, input).await?;
    let odometer = Reading::resent(Some(current.odometer()), fields.odometer_reading, units);
    if odometer.km < current.odometer_km && !correction {
        return Err(AppError::validation(
            "odometerReading",
            format!(
                "lower than the current reading ({shown}); send odometerCorrection: true to correct a mistake"
            ),
        ));
    }
    let row = repo::update(&state.db, user_id, id, &fields, odometer)
        .await
        .on_constraint("vehicles_user_vin_key", duplicate_vin)?
        .ok_or(NOT_FOUND)?;
    Ok(Json(row.into_dto(units)))
}

/// Deletes a vehicle (soft: its history is kept, it disappears from every list and route).
#[utoipa::path(delete, path = "/api/vehicles/{id}", tag = "vehicles", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(vehicle_id = %id))]
pub async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = path_id(&id, "vehicle")?;
    if repo::soft_delete(&state.db, &user.user_id, id).await? {
        crate::forget_owned(&state, &user.user_id, id);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(NOT_FOUND)
    }
}

/// Reads the multipart field `image`, refusing more than `limit` bytes.
async fn read_image(multipart: Multipart, limit: usize) -> AppResult<Vec<u8>> {
    let too_large = || {
        AppError::PayloadTooLarge(format!(
            "the image is larger than {} MiB",
            limit / (1024 * 1024)
        ))
    };
    field_bytes(multipart, "image", limit, too_large)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "image",
                "send the photo in a multipart field named \"image\"",
            )
        })
}

/// Makes `bytes` (a JPEG, PNG or WebP) the photo of the user's vehicle `id`, with a thumbnail; the
/// photo it replaces is removed.
pub(crate) async fn replace_image(
    state: &AppState,
    user_id: &mvp_types::ids::UserId,
    id: mvp_types::ids::VehicleId,
    bytes: Vec<u8>,
) -> AppResult<()> {
    let kind: Kind = image::sniff(&bytes).ok_or_else(|| {
        AppError::UnsupportedMediaType("the photo must be a JPEG, PNG or WebP image".to_owned())
    })?;
    // At most `limits.image_jobs` photos are decoded at once; each is measured from its header first.
    let processed = state
        .work
        .images
        .run_blocking(move || image::process(&bytes, kind))
        .await?
        .map_err(|e| {
            if e.is_too_large() {
                AppError::PayloadTooLarge(e.to_string())
            } else {
                AppError::UnsupportedMediaType(e.to_string())
            }
        })?;
    let name = Uuid::new_v4().simple();
    let image_key = format!("vehicle-images/{id}/{name}.{}", kind.extension());
    let thumb_key = format!("vehicle-images/{id}/{name}-thumb.jpg");
    state.storage.put(&image_key, processed.original).await?;
    state.storage.put(&thumb_key, processed.thumbnail).await?;
    let keys = (
        Some(image_key.clone()),
        Some(thumb_key.clone()),
        Some(kind.content_type().to_owned()),
    );
    let Some(old) = repo::set_image(&state.db, user_id, id, keys).await? else {
        // Deleted meanwhile: leave nothing behind.
        state.storage.delete(&image_key).await?;
        state.storage.delete(&thumb_key).await?;
        return Err(NOT_FOUND);
    };
    for key in [old.0, old.1].into_iter().flatten() {
        if let Err(err) = state.storage.delete(&key).await {
            tracing::warn!(error = %format!("{err:#}"), "could not remove a replaced image");
        }
    }
    Ok(())
}

/// Sets the vehicle's photo (multipart field `image`: JPEG, PNG or WebP, judged by content).
#[utoipa::path(put, path = "/api/vehicles/{id}/image", tag = "vehicles", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", description = "field `image`"),
    responses((status = 200, body = Vehicle), (status = 404, body = mvp_types::ErrorBody),
              (status = 413, body = mvp_types::ErrorBody), (status = 415, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(vehicle_id = %id))]
pub async fn put_image(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    multipart: Multipart,
) -> AppResult<Json<Vehicle>> {
    let id = path_id(&id, "vehicle")?;
    let user_id = &user.user_id;
    repo::find(&state.db, user_id, id).await?.ok_or(NOT_FOUND)?;
    let bytes = read_image(multipart, state.config.storage.image_max_bytes).await?;
    replace_image(&state, user_id, id, bytes).await?;
    let row = repo::find(&state.db, user_id, id).await?.ok_or(NOT_FOUND)?;
    Ok(Json(row.into_dto(units(&state, &user).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImageQuery {
    /// `thumb` for the 512 px thumbnail.
    pub size: Option<String>,
}

/// The vehicle's photo (`?size=thumb` for the thumbnail).
#[utoipa::path(get, path = "/api/vehicles/{id}/image", tag = "vehicles", security(("bearer" = [])),
    params(("id" = Uuid, Path), ImageQuery),
    responses((status = 200, description = "The image bytes", content_type = "image/*"),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(vehicle_id = %id))]
pub async fn get_image(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(query): Query<ImageQuery>,
) -> AppResult<Response> {
    let id = path_id(&id, "vehicle")?;
    let row = repo::find(&state.db, &user.user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    let thumb = query.size.as_deref() == Some("thumb");
    let (key, content_type) = match (thumb, row.image_key, row.thumb_key, row.image_content_type) {
        (true, Some(_), Some(thumb), _) => (thumb, "image/jpeg".to_owned()),
        (false, Some(image), _, Some(ct)) => (image, ct),
        _ => return Err(AppError::NotFound("image")),
    };
    let bytes = state.storage.get(&key).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// Removes the vehicle's photo. Idempotent: a vehicle without one answers 204 too (it has none,
/// which is what was asked); an unknown vehicle is 404.
#[utoipa::path(delete, path = "/api/vehicles/{id}/image", tag = "vehicles", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Removed, or there was none"), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(vehicle_id = %id))]
pub async fn delete_image(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = path_id(&id, "vehicle")?;
    let old = repo::set_image(&state.db, &user.user_id, id, (None, None, None))
        .await?
        .ok_or(NOT_FOUND)?;
    for key in [old.0, old.1].into_iter().flatten() {
        state.storage.delete(&key).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
