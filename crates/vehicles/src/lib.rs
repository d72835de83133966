//! mvp-vehicles: the user's vehicles — CRUD with soft delete, VIN-assisted entry (a decodable VIN
//! fills an empty year/make/model), odometer that only moves forward unless corrected, and a photo
//! with a thumbnail. Other features ask this crate whether a vehicle is the user's ([`require`] in
//! writes; [`owned`], [`filter`] in reads), which of a set of vehicles are live ([`live`], for jobs
//! across users) and move its odometer forward ([`advance_odometer`]); the admin capsule counts
//! vehicles per user ([`counts_by_user`]) and per catalog name ([`catalog_usage`]). They never
//! touch the table.

pub mod api;
pub mod domain;
pub mod image;
pub mod repo;

use axum::extract::DefaultBodyLimit;
use mvp_core::extract::path_id;
use mvp_core::{AppError, AppResult, AppState};
use mvp_types::ids::UserId;
use std::collections::HashMap;
use std::time::Duration;

use mvp_core::error::DbResultExt as _;
use mvp_types::admin::CatalogKind;
use mvp_types::ids::VehicleId;
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use mvp_types::vehicle::{Vehicle, VehicleInput};
use sqlx::{PgConnection, PgPool};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Multipart overhead allowed on top of the image limit.
const MULTIPART_SLACK: usize = 64 * 1024;

/// The odometer of the user's live vehicle `vehicle_id`; anything else (unknown, deleted, another
/// user's) is the same 404 `vehicle not found`.
pub async fn require(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
) -> AppResult<Reading> {
    repo::odometer(conn, user_id, vehicle_id)
        .await?
        .ok_or(AppError::NotFound("vehicle"))
}

/// Locks the user's live vehicles `ids` (their rows, until `conn`'s transaction ends), in ascending
/// id order. Every write that changes what hangs off a vehicle (its fill-ups and their economy chain,
/// maintenance records and schedules, the odometer) takes this first, so two writes on one vehicle
/// queue instead of locking rows in opposite orders and deadlocking. An id that is not the user's
/// live vehicle is the same 404 as [`require`].
pub async fn lock(conn: &mut PgConnection, user_id: &UserId, ids: &[VehicleId]) -> AppResult<()> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for id in ids {
        repo::odometer_for_update(conn, user_id, id)
            .await?
            .ok_or(AppError::NotFound("vehicle"))?;
    }
    Ok(())
}

/// Moves the user's vehicle's odometer forward to `reading` (never back: a shorter reading, in
/// kilometres, is ignored). Returns whether it moved. For records that carry a reading (fill-ups,
/// maintenance); the reading keeps the units it was entered in.
pub async fn advance_odometer(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    reading: Reading,
) -> sqlx::Result<bool> {
    repo::advance_odometer(conn, user_id, vehicle_id, reading).await
}

/// A live vehicle as another capsule's background job needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveVehicle {
    pub user_id: String,
    pub odometer: Reading,
    /// The nickname, else "year make model" (for messages to the owner).
    pub name: String,
}

/// Of `ids`, the vehicles that are not deleted, by id (a job across users: compare `user_id` with
/// the owner of the row that named the vehicle).
pub async fn live(
    pool: &PgPool,
    ids: &[VehicleId],
) -> sqlx::Result<HashMap<VehicleId, LiveVehicle>> {
    Ok(repo::live_by_ids(pool, ids)
        .await?
        .into_iter()
        .map(|(id, user_id, odometer, name)| {
            (
                id,
                LiveVehicle {
                    user_id,
                    odometer,
                    name,
                },
            )
        })
        .collect())
}

/// A list's optional `?vehicleId=`: blank means every vehicle; otherwise it must be a UUID (400) of
/// one of the user's live vehicles (404), checked by [`owned`].
pub async fn filter(
    state: &AppState,
    user_id: &UserId,
    raw: Option<&str>,
) -> AppResult<Option<VehicleId>> {
    let Some(raw) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let id = path_id(raw, "vehicle")?;
    owned(state, user_id, id).await?;
    Ok(Some(id))
}

/// How long this process remembers that a vehicle is the user's and live (for reads).
pub const OWNED_TTL: Duration = Duration::from_secs(5);

/// Under the user's near keys, which a replica drops when it hears of the user's write elsewhere.
fn owned_key(user_id: &UserId, vehicle_id: VehicleId) -> String {
    mvp_core::reads::user_key(user_id, &format!("vehicle-owned:{}", vehicle_id.0))
}

/// For reads that show what hangs off a vehicle (a list's filter, its statistics): the same 404 as
/// [`require`] unless `vehicle_id` is the user's live vehicle. A yes is remembered in this process
/// for [`OWNED_TTL`] (a vehicle never changes owner; its deletion here forgets it, on another
/// replica it shows within that time), a no never is. Writes take [`require`] or [`lock`].
pub async fn owned(state: &AppState, user_id: &UserId, vehicle_id: VehicleId) -> AppResult<()> {
    let key = owned_key(user_id, vehicle_id);
    if state.cache.near_only(&key).is_some() {
        return Ok(());
    }
    let ticket = state.cache.near_ticket();
    let mut conn = state.db.acquire().await?;
    require(&mut conn, user_id, vehicle_id).await?;
    state
        .cache
        .set_near_since(ticket, &key, vec![1u8].into(), OWNED_TTL);
    Ok(())
}

/// Forgets that `vehicle_id` is live (it was deleted).
pub(crate) fn forget_owned(state: &AppState, user_id: &UserId, vehicle_id: VehicleId) {
    state.cache.forget_near_key(&owned_key(user_id, vehicle_id));
}

/// Live vehicles per user, for each of `user_ids` that has any (the admin's user list).
pub use repo::counts_by_user;

/// How many live vehicles, of any user, were saved with this catalog entry's name (any letter
/// case): the admin capsule refuses to delete an entry still in use.
pub async fn catalog_usage(
    conn: &mut PgConnection,
    kind: CatalogKind,
    name: &str,
    make: Option<&str>,
) -> sqlx::Result<i64> {
    repo::catalog_usage(conn, kind.as_str(), name, make).await
}

/// The user's live vehicle called `nickname` (any letter case), if any (the importer).
pub async fn by_nickname(
    conn: &mut PgConnection,
    user_id: &UserId,
    nickname: &str,
) -> sqlx::Result<Option<VehicleId>> {
    repo::by_nickname(conn, user_id, nickname).await
}

/// Adds a vehicle in `conn`'s transaction with the rules of `POST /api/vehicles` (a VIN is decoded
/// through `pool` when year, make or model are missing); `input`'s odometer is in `units`.
pub async fn create(
    conn: &mut PgConnection,
    pool: &PgPool,
    user_id: &UserId,
    input: VehicleInput,
    units: UnitSystem,
) -> AppResult<VehicleId> {
    let fields = api::fields(pool, input).await?;
    let odometer = Reading::entered(fields.odometer_reading, units);
    let row = repo::insert(conn, user_id, &fields, odometer)
        .await
        .on_constraint("vehicles_user_vin_key", api::duplicate_vin)?;
    Ok(row.id)
}

/// The user's live vehicle an exported `vehicle` is taken to be on a second import (same VIN, else
/// nickname, else year, make and model), if any.
pub async fn find_like(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle: &VehicleInput,
) -> sqlx::Result<Option<VehicleId>> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let vin = text(&vehicle.vin).map(|v| v.to_uppercase());
    repo::find_like(
        conn,
        user_id,
        vin.as_deref(),
        text(&vehicle.nickname).as_deref(),
        vehicle.year.unwrap_or_default(),
        vehicle.make.as_deref().unwrap_or_default().trim(),
        vehicle.model.as_deref().unwrap_or_default().trim(),
    )
    .await
}

/// The fuel type the user gave their live vehicle, if any (the importer's default for fill-ups).
pub async fn fuel_type(
    conn: &mut PgConnection,
    user_id: &UserId,
    id: VehicleId,
) -> sqlx::Result<Option<String>> {
    repo::fuel_type(conn, user_id, id).await
}

/// Makes `bytes` (a JPEG, PNG or WebP) the photo of the user's vehicle `id` with a thumbnail, as
/// `PUT /api/vehicles/{id}/image` does (the importer of an export archive).
pub async fn import_photo(
    state: &AppState,
    user_id: &UserId,
    id: VehicleId,
    bytes: Vec<u8>,
) -> AppResult<()> {
    api::replace_image(state, user_id, id, bytes).await
}

/// A vehicle as the export writes it: the API's representation and its photo's storage key and
/// content type, if it has one.
#[derive(Debug, Clone)]
pub struct Exported {
    pub vehicle: Vehicle,
    pub image: Option<(String, String)>,
}

/// Every live vehicle of the user, oldest first, in `units`.
pub async fn export(
    pool: &PgPool,
    user_id: &UserId,
    units: UnitSystem,
) -> sqlx::Result<Vec<Exported>> {
    Ok(repo::all(pool, user_id)
        .await?
        .into_iter()
        .map(|row| {
            let image = row.image_key.clone().zip(row.image_content_type.clone());
            Exported {
                vehicle: row.into_dto(units),
                image,
            }
        })
        .collect())
}

/// The storage keys of every photo and thumbnail of the user's vehicles, deleted vehicles included
/// (erasing the account removes the files).
pub async fn file_keys(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<String>> {
    repo::file_keys(pool, user_id).await
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
