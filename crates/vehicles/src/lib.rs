//! mvp-vehicles: the user's vehicles — CRUD with soft delete, VIN-assisted entry (a decodable VIN
//! fills an empty year/make/model), odometer that only moves forward unless corrected, and a photo
//! with a thumbnail. Other features ask this crate whether a vehicle is the user's (`repo::odometer`)
//! and move its odometer forward (`repo::advance_odometer`); they never touch the table.

pub mod api;
pub mod domain;
pub mod image;
pub mod repo;

use axum::extract::DefaultBodyLimit;
use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Multipart overhead allowed on top of the image limit.
const MULTIPART_SLACK: usize = 64 * 1024;

pub fn router(image_max_bytes: usize) -> OpenApiRouter<AppState> {
    let images = OpenApiRouter::new()
        .routes(routes!(api::put_image, api::get_image, api::delete_image))
        .layer(DefaultBodyLimit::max(image_max_bytes + MULTIPART_SLACK));
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update, api::delete))
        .merge(images)
}
