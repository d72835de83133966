//! mvp-vehicles: the user's vehicles — CRUD with soft delete, VIN-assisted entry (a decodable VIN
//! fills an empty year/make/model), odometer that only moves forward unless corrected, and a photo
//! with a thumbnail. Other features ask this crate whether a vehicle is the user's ([`require`],
//! [`filter`]) and move its odometer forward (`repo::advance_odometer`); they never touch the table.

pub mod api;
pub mod domain;
pub mod image;
pub mod repo;

use axum::extract::DefaultBodyLimit;
use mvp_core::extract::path_id;
use mvp_core::{AppError, AppResult, AppState};
use sqlx::{PgConnection, PgPool};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// Multipart overhead allowed on top of the image limit.
const MULTIPART_SLACK: usize = 64 * 1024;

/// The odometer of the user's live vehicle `vehicle_id`; anything else (unknown, deleted, another
/// user's) is the same 404 `vehicle not found`.
pub async fn require(conn: &mut PgConnection, user_id: &str, vehicle_id: Uuid) -> AppResult<i64> {
    repo::odometer(conn, user_id, vehicle_id)
        .await?
        .ok_or(AppError::NotFound("vehicle"))
}

/// A list's optional `?vehicleId=`: blank means every vehicle; otherwise it must be a UUID (400) of
/// one of the user's live vehicles (404).
pub async fn filter(pool: &PgPool, user_id: &str, raw: Option<&str>) -> AppResult<Option<Uuid>> {
    let Some(raw) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let id = path_id(raw, "vehicle")?;
    let mut conn = pool.acquire().await?;
    require(&mut conn, user_id, id).await?;
    Ok(Some(id))
}

pub fn router(image_max_bytes: usize) -> OpenApiRouter<AppState> {
    let images = OpenApiRouter::new()
        .routes(routes!(api::put_image, api::get_image, api::delete_image))
        .layer(DefaultBodyLimit::max(image_max_bytes + MULTIPART_SLACK));
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update, api::delete))
        .merge(images)
}
