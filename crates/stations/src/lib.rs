//! mvp-stations: gas stations. Search near a point or for a text through Google Places (API (New),
//! cached in Redis, never a 500 when Google is down: [`search`]), merged with community stations
//! users report (pending until an admin approves them) and each user's saved stations; pump prices
//! users report, the latest per fuel type. Fuel logs name a station by its `placeId`; they ask
//! [`visible`] before storing one and [`refs`] for the names they show. The admin capsule reviews
//! reports with [`pending_stations`] and [`moderate`].

pub mod api;
pub mod domain;
pub mod geo;
pub mod google;
pub mod repo;
pub mod search;

use std::collections::HashMap;

use mvp_core::{AppResult, AppState};
use mvp_types::ids::{CommunityStationId, UserId};
use mvp_types::station::{CommunityStation, CommunityStatus, StationRef};
use sqlx::PgConnection;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Whether `user` can see the station `place_id` names: one they saved, a community station that is
/// approved or their own, or a Google place a search returned.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn visible(conn: &mut PgConnection, user: &UserId, place_id: &str) -> AppResult<bool> {
    if repo::saved_one(conn, user, place_id).await?.is_some() {
        return Ok(true);
    }
    Ok(match place_id.parse::<CommunityStationId>() {
        Ok(id) => repo::community_visible(conn, user, id).await?,
        Err(_) => repo::place_known(conn, place_id).await?,
    })
}

/// The `{placeId, name, address}` of each of `place_ids` that `user` can see (see [`visible`]).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn refs(
    conn: &mut PgConnection,
    user: &UserId,
    place_ids: &[String],
) -> AppResult<HashMap<String, StationRef>> {
    if place_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(repo::refs(conn, user, place_ids).await?)
}

/// Community stations waiting for review, oldest first, and how many (for the admin capsule).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn pending_stations(
    conn: &mut PgConnection,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<CommunityStation>, i64)> {
    let (rows, total) = repo::pending(conn, limit, offset).await?;
    Ok((rows.into_iter().map(api::community_dto).collect(), total))
}

/// Approves or rejects (or sends back to pending) a community station in the caller's transaction,
/// so the admin capsule can write its audit row beside it. Returns the station before and after,
/// or `None` when there is no such station.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn moderate(
    conn: &mut PgConnection,
    id: CommunityStationId,
    status: CommunityStatus,
    reason: Option<&str>,
    reviewer: &UserId,
) -> AppResult<Option<(CommunityStation, CommunityStation)>> {
    let Some(before) = repo::community_for_review(conn, id).await? else {
        return Ok(None);
    };
    repo::review(conn, id, status, reason, reviewer).await?;
    let after = repo::community_for_review(conn, id)
        .await?
        .ok_or(mvp_core::AppError::NotFound("station"))?;
    Ok(Some((
        api::community_dto(before),
        api::community_dto(after),
    )))
}

/// Every saved station of the user, as `GET /api/stations/saved` lists them (the export).
pub async fn saved_stations(
    pool: &sqlx::PgPool,
    user_id: &UserId,
) -> AppResult<Vec<mvp_types::station::SavedStation>> {
    let mut conn = pool.acquire().await?;
    api::saved_all(&mut conn, user_id).await
}

/// Saves `stations` (as the API would receive them; the importer of an export archive) in the
/// caller's transaction: one already saved, a community station the user cannot see or a body the
/// API would refuse is left out with the reason. Returns how many were saved.
pub async fn import_saved(
    conn: &mut PgConnection,
    user: &UserId,
    stations: Vec<mvp_types::station::SavedStationInput>,
) -> AppResult<(u64, Vec<String>)> {
    let mut saved = 0;
    let mut skipped = Vec::new();
    for input in stations {
        let station = match domain::NewSaved::parse(input, None) {
            Ok(station) => station,
            Err(invalid) => {
                skipped.push(format!("saved station: {invalid}"));
                continue;
            }
        };
        if let Ok(id) = station.place_id.parse::<CommunityStationId>()
            && !repo::community_visible(conn, user, id).await?
        {
            skipped.push(format!(
                "saved station {}: not visible to you",
                station.name
            ));
            continue;
        }
        if repo::insert_saved(conn, user, &station).await? {
            saved += 1;
        } else {
            skipped.push(format!("saved station {}: duplicate", station.name));
        }
    }
    Ok((saved, skipped))
}

/// Keeps what the user gave the community after their account is erased: the stations they
/// reported and the prices they sent stay, no longer tied to them (`reported_by` / `user_id` set
/// to `erased`). Their saved stations are left to the erasure.
pub async fn anonymize(conn: &mut PgConnection, user_id: &UserId) -> sqlx::Result<()> {
    repo::anonymize(conn, user_id).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::search))
        .routes(routes!(api::saved_list, api::saved_create))
        .routes(routes!(
            api::saved_get,
            api::saved_update,
            api::saved_delete
        ))
        .routes(routes!(api::community_create))
        .routes(routes!(api::community_mine))
        .routes(routes!(api::report_price))
}
