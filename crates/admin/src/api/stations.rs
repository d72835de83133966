//! `/api/admin/stations/community`: community stations waiting for review, and approving or
//! rejecting one (with a reason the reporter sees), audited.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use mvp_core::extract::path_id;
use mvp_core::pagination::{Page, total_header};
use mvp_core::validate::optional_text;
use mvp_core::{AdminUser, AppError, AppJson, AppResult, AppState, ClientInfo};
use mvp_types::FieldError;
use mvp_types::admin::ModerateStation;
use mvp_types::ids::CommunityStationId;
use mvp_types::limits::STATION_REVIEW_REASON_MAX;
use mvp_types::station::{CommunityStation, CommunityStatus};
use serde::Deserialize;

use crate::audit::{self, Actor, Change};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PendingQuery {
    /// Only `pending` is listed (the default).
    pub status: Option<String>,
}

/// Community stations waiting for review, oldest first; `X-Total-Count` says how many.
#[utoipa::path(get, path = "/api/admin/stations/community", tag = "admin", security(("bearer" = [])),
    params(PendingQuery, ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [CommunityStation], headers(("X-Total-Count" = i64))),
              (status = 400, body = mvp_types::ErrorBody), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn pending(
    State(state): State<AppState>,
    _admin: AdminUser,
    page: Page,
    Query(q): Query<PendingQuery>,
) -> AppResult<(HeaderMap, Json<Vec<CommunityStation>>)> {
    match q.status.as_deref().map(str::trim) {
        None | Some("" | "pending") => {}
        Some(_) => {
            return Err(AppError::validation(
                "status",
                "only pending stations are listed here",
            ));
        }
    }
    let mut conn = state.db.acquire().await?;
    let (stations, total) =
        mvp_stations::pending_stations(&mut conn, page.limit, page.offset).await?;
    Ok((total_header(total), Json(stations)))
}

/// The action a review is audited as.
fn action(status: CommunityStatus) -> &'static str {
    match status {
        CommunityStatus::Approved => "station.approve",
        CommunityStatus::Rejected => "station.reject",
        CommunityStatus::Pending => "station.reopen",
    }
}

/// Approves or rejects a community station (or sends it back to pending). A rejection needs a
/// reason, which the reporter sees.
#[utoipa::path(patch, path = "/api/admin/stations/community/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = CommunityStationId, Path)), request_body = ModerateStation,
    responses((status = 200, body = CommunityStation), (status = 400, body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn moderate(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path(raw): Path<String>,
    AppJson(body): AppJson<ModerateStation>,
) -> AppResult<Json<CommunityStation>> {
    let id: CommunityStationId = path_id(&raw, "station")?;
    let mut details = Vec::new();
    let reason = optional_text(
        &mut details,
        "reason",
        body.reason,
        STATION_REVIEW_REASON_MAX,
    );
    if body.status == CommunityStatus::Rejected && reason.is_none() {
        details.push(FieldError::new(
            "reason",
            "say why it is rejected (the reporter sees it)",
        ));
    }
    if !details.is_empty() {
        return Err(AppError::validation_many(details));
    }
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let (before, after) =
        mvp_stations::moderate(&mut tx, id, body.status, reason.as_deref(), &actor.user_id)
            .await?
            .ok_or(AppError::NotFound("station"))?;
    audit::record(
        &mut tx,
        &actor,
        Change::new(action(body.status), "community_station", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(station = %id, status = body.status.as_str(), "community station reviewed");
    Ok(Json(after))
}
