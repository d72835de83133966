//! Handlers of `/api/stations*`: search, saved stations, community reports and price reports.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mvp_core::http::created;
use mvp_core::pagination::{Page, total_header};
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser};
use mvp_types::ids::CommunityStationId;
use mvp_types::station::{
    CommunityStation, CommunityStationInput, PriceReportInput, SavedStation, SavedStationInput,
    Station, StationPrice,
};
use serde::Deserialize;

use crate::domain::{NewCommunity, NewPrice, NewSaved, SAME_STATION_M, Search, SearchParams};
use crate::repo::{self, CommunityRow, SavedRow};

const NOT_FOUND: AppError = AppError::NotFound("station");

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Degrees, −90..90 (with `longitude`; optional when `query` is given).
    pub latitude: Option<String>,
    /// Degrees, −180..180.
    pub longitude: Option<String>,
    /// Metres, above 0 and at most 50,000; default 5,000.
    pub radius: Option<String>,
    /// Free text ("Shell Main St"), at most 200 characters.
    pub query: Option<String>,
}

/// Stations near a point (or matching a text): Google Places when a key is configured, merged
/// with approved community stations and the user's saved ones, nearest first. `X-Degraded: 1` when
/// Google could not be asked (the result then comes from the cache or from community and saved
/// stations).
#[utoipa::path(get, path = "/api/stations/search", tag = "stations", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = [Station], headers(("X-Degraded" = Option<String>, description = "1 when Google Places could not be asked"))),
              (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn search(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let search = Search::parse(&SearchParams {
        latitude: query.latitude.as_deref(),
        longitude: query.longitude.as_deref(),
        radius: query.radius.as_deref(),
        query: query.query.as_deref(),
    })?;
    let outcome = crate::search::run(&state, &user.user_id, &search).await?;
    let mut response = Json(outcome.stations).into_response();
    if outcome.degraded {
        response
            .headers_mut()
            .insert("x-degraded", HeaderValue::from_static("1"));
    }
    Ok(response)
}

fn saved_dto(row: SavedRow, prices: Vec<StationPrice>) -> SavedStation {
    SavedStation {
        place_id: row.place_id,
        name: row.name,
        address: row.address,
        latitude: row.latitude,
        longitude: row.longitude,
        nickname: row.nickname,
        notes: row.notes,
        is_favorite: row.is_favorite,
        source: row.source,
        prices,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The location of a saved station (a `placeId` may hold characters a path cannot).
fn saved_location(place_id: &str) -> String {
    format!(
        "/api/stations/saved/{}",
        mvp_core::config::percent_encode(place_id)
    )
}

/// The user's saved stations with their latest prices: favourites first, then newest.
#[utoipa::path(get, path = "/api/stations/saved", tag = "stations", security(("bearer" = [])),
    responses((status = 200, body = [SavedStation], headers(("X-Total-Count" = i64)))))]
#[tracing::instrument(skip_all)]
pub async fn saved_list(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<(HeaderMap, Json<Vec<SavedStation>>)> {
    let mut conn = state.db.acquire().await?;
    let list = saved_all(&mut conn, &user.user_id).await?;
    let total = i64::try_from(list.len()).unwrap_or(i64::MAX);
    Ok((total_header(total), Json(list)))
}

/// Every saved station of the user with its latest prices.
pub(crate) async fn saved_all(
    conn: &mut sqlx::PgConnection,
    user_id: &mvp_types::ids::UserId,
) -> AppResult<Vec<SavedStation>> {
    let rows = repo::saved(conn, user_id).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.place_id.clone()).collect();
    let mut prices = repo::latest_prices(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let p = prices.remove(&r.place_id).unwrap_or_default();
            saved_dto(r, p)
        })
        .collect())
}

async fn saved_answer(
    conn: &mut sqlx::PgConnection,
    user: &AuthUser,
    place_id: &str,
) -> AppResult<SavedStation> {
    let row = repo::saved_one(conn, &user.user_id, place_id)
        .await?
        .ok_or(NOT_FOUND)?;
    let mut prices = repo::latest_prices(conn, std::slice::from_ref(&row.place_id)).await?;
    let p = prices.remove(&row.place_id).unwrap_or_default();
    Ok(saved_dto(row, p))
}

/// Saves a station (from a search result). A community station must be one the user can see;
/// the same `placeId` twice → 409.
#[utoipa::path(post, path = "/api/stations/saved", tag = "stations", security(("bearer" = [])),
    request_body = SavedStationInput,
    responses((status = 201, body = SavedStation), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, description = "A community station the user cannot see", body = mvp_types::ErrorBody),
              (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn saved_create(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<SavedStationInput>,
) -> AppResult<Response> {
    let station = NewSaved::parse(input, None)?;
    let mut tx = state.db.begin().await?;
    if let Ok(id) = station.place_id.parse::<CommunityStationId>()
        && !repo::community_visible(&mut tx, &user.user_id, id).await?
    {
        return Err(NOT_FOUND);
    }
    if !repo::insert_saved(&mut tx, &user.user_id, &station).await? {
        return Err(AppError::Conflict(
            "this station is saved already".to_owned(),
        ));
    }
    let body = saved_answer(&mut tx, &user, &station.place_id).await?;
    tx.commit().await?;
    Ok(created(&saved_location(&station.place_id), body))
}

/// One saved station.
#[utoipa::path(get, path = "/api/stations/saved/{placeId}", tag = "stations", security(("bearer" = [])),
    params(("placeId" = String, Path)),
    responses((status = 200, body = SavedStation), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn saved_get(
    State(state): State<AppState>,
    user: AuthUser,
    Path(place_id): Path<String>,
) -> AppResult<Json<SavedStation>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(saved_answer(&mut conn, &user, &place_id).await?))
}

/// Replaces a saved station's name, address, location, nickname, notes and favourite flag.
#[utoipa::path(put, path = "/api/stations/saved/{placeId}", tag = "stations", security(("bearer" = [])),
    params(("placeId" = String, Path)), request_body = SavedStationInput,
    responses((status = 200, body = SavedStation), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn saved_update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(place_id): Path<String>,
    AppJson(input): AppJson<SavedStationInput>,
) -> AppResult<Json<SavedStation>> {
    let station = NewSaved::parse(input, Some(&place_id))?;
    let mut tx = state.db.begin().await?;
    if !repo::update_saved(&mut tx, &user.user_id, &station).await? {
        return Err(NOT_FOUND);
    }
    let body = saved_answer(&mut tx, &user, &place_id).await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// Forgets a saved station (fill-ups that name it keep their `stationId`).
#[utoipa::path(delete, path = "/api/stations/saved/{placeId}", tag = "stations", security(("bearer" = [])),
    params(("placeId" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn saved_delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(place_id): Path<String>,
) -> AppResult<StatusCode> {
    let mut conn = state.db.acquire().await?;
    if repo::delete_saved(&mut conn, &user.user_id, &place_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(NOT_FOUND)
    }
}

pub(crate) fn community_dto(row: CommunityRow) -> CommunityStation {
    CommunityStation {
        id: row.id,
        place_id: row.id.to_string(),
        name: row.name,
        address: row.address,
        latitude: row.latitude,
        longitude: row.longitude,
        brand: row.brand,
        fuel_types: row.fuel_types,
        status: row.status,
        reason: row.reason,
        created_at: row.created_at,
        reviewed_at: row.reviewed_at,
    }
}

/// Reports a station that search does not know. It is `pending` — seen only by its reporter —
/// until an admin approves it. The same name within 30 m of a station the user can see → 409.
#[utoipa::path(post, path = "/api/stations/community", tag = "stations", security(("bearer" = [])),
    request_body = CommunityStationInput,
    responses((status = 201, body = CommunityStation), (status = 400, body = mvp_types::ErrorBody),
              (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn community_create(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(input): AppJson<CommunityStationInput>,
) -> AppResult<Response> {
    let station = NewCommunity::parse(input)?;
    let mut tx = state.db.begin().await?;
    let near =
        repo::community_near(&mut tx, &user.user_id, station.point, SAME_STATION_M, None).await?;
    if near
        .iter()
        .any(|n| n.name.to_lowercase() == station.name.to_lowercase())
    {
        return Err(AppError::Conflict(
            "a station of that name is already reported here".to_owned(),
        ));
    }
    let id = CommunityStationId::new();
    repo::insert_community(&mut tx, &user.user_id, id, &station).await?;
    let (rows, _) = repo::community_of(&mut tx, &user.user_id, 1, 0).await?;
    let row = rows.into_iter().find(|r| r.id == id).ok_or(NOT_FOUND)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(community_dto(row))).into_response())
}

/// The stations this user reported, newest first, with their review status.
#[utoipa::path(get, path = "/api/stations/community/mine", tag = "stations", security(("bearer" = [])),
    params(("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [CommunityStation], headers(("X-Total-Count" = i64)))))]
#[tracing::instrument(skip_all)]
pub async fn community_mine(
    State(state): State<AppState>,
    user: AuthUser,
    page: Page,
) -> AppResult<(HeaderMap, Json<Vec<CommunityStation>>)> {
    let mut conn = state.db.acquire().await?;
    let (rows, total) =
        repo::community_of(&mut conn, &user.user_id, page.limit, page.offset).await?;
    Ok((
        total_header(total),
        Json(rows.into_iter().map(community_dto).collect()),
    ))
}

/// Reports a pump price at a community station (its id) or a Google place (its `placeId`, as a
/// search returned it). Above 0 and below `stations.price_ceiling`; at most
/// `stations.price_reports_per_hour` reports per user and station an hour (then 429).
#[utoipa::path(post, path = "/api/stations/community/{id}/prices", tag = "stations", security(("bearer" = [])),
    params(("id" = String, Path, description = "A community station's id or a Google placeId")),
    request_body = PriceReportInput,
    responses((status = 201, body = StationPrice), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody),
              (status = 429, body = mvp_types::ErrorBody, headers(("Retry-After" = i64)))))]
#[tracing::instrument(skip_all)]
pub async fn report_price(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<PriceReportInput>,
) -> AppResult<Response> {
    let config = &state.config.stations;
    let price = NewPrice::parse(input, config.price_ceiling)?;
    let mut tx = state.db.begin().await?;
    if !crate::visible(&mut tx, &user.user_id, &id).await? {
        return Err(NOT_FOUND);
    }
    let (recent, oldest) = repo::lock_recent_reports(&mut tx, &user.user_id, &id).await?;
    if recent >= i64::from(config.price_reports_per_hour) {
        let wait = oldest.map_or(3600, |t| {
            (t + chrono::Duration::hours(1) - chrono::Utc::now())
                .num_seconds()
                .clamp(1, 3600)
        });
        return Err(AppError::RateLimited {
            retry_after_secs: u64::try_from(wait).unwrap_or(1),
        });
    }
    let stored = repo::insert_price(&mut tx, &user.user_id, &id, &price).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}
