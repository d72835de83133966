//! mvp-stations: gas stations. Search near a point or for a text through Google Places (API (New),
//! cached in Redis, never a 500 when Google is down: [`search`]), merged with community stations
//! users report (pending until an admin approves them) and each user's saved stations; pump prices
//! users report, the latest per fuel type. Fuel logs name a station by its `placeId`; they ask
//! [`visible`] before storing one and [`refs`] for the names they show.

pub mod api;
pub mod domain;
pub mod geo;
pub mod google;
pub mod repo;
pub mod search;

use std::collections::HashMap;

use mvp_core::{AppResult, AppState};
use mvp_types::ids::{CommunityStationId, UserId};
use mvp_types::station::StationRef;
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
