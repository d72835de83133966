//! `/api/admin/users` and `/api/admin/admins`: the user list with what each user keeps, and admin
//! grants (the last admin cannot be removed).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use mvp_core::admin::Revoked;
use mvp_core::pagination::{Page, total_header};
use mvp_core::validate::single_line_text;
use mvp_core::{AdminUser, AppError, AppJson, AppResult, AppState, ClientInfo};
use mvp_types::admin::{AdminGrant, AdminUserSummary, GrantAdmin};
use mvp_types::ids::UserId;
use mvp_types::limits as l;
use serde::Deserialize;

use crate::audit::{self, Actor, Change};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// A part of the e-mail address or user id (any letter case).
    pub query: Option<String>,
}

/// Users, newest first, with their vehicles, fill-ups, documents, bytes stored and admin flag.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("bearer" = [])),
    params(UserQuery, ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [AdminUserSummary], headers(("X-Total-Count" = i64))),
              (status = 400, body = mvp_types::ErrorBody), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    page: Page,
    Query(q): Query<UserQuery>,
) -> AppResult<(HeaderMap, Json<Vec<AdminUserSummary>>)> {
    let mut details = Vec::new();
    let query = single_line_text(&mut details, "query", q.query, l::ADMIN_QUERY_MAX);
    if !details.is_empty() {
        return Err(AppError::validation_many(details));
    }
    let (rows, total) =
        mvp_user_profile::list_users(&state.db, query.as_deref(), page.limit, page.offset).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
    let vehicles = mvp_vehicles::counts_by_user(&state.db, &ids).await?;
    let fuel_logs = mvp_fuel_logs::counts_by_user(&state.db, &ids).await?;
    let documents = mvp_documents::usage_by_user(&state.db, &ids).await?;
    let pairs: Vec<(String, Option<String>)> = rows
        .iter()
        .map(|r| (r.user_id.clone(), r.email.clone()))
        .collect();
    let admins = mvp_core::admin::admins_among(&state.db, &pairs).await?;
    let users = rows
        .into_iter()
        .map(|r| {
            let (document_count, bytes_used) =
                documents.get(&r.user_id).copied().unwrap_or_default();
            AdminUserSummary {
                vehicle_count: vehicles.get(&r.user_id).copied().unwrap_or_default(),
                fuel_log_count: fuel_logs.get(&r.user_id).copied().unwrap_or_default(),
                document_count,
                bytes_used,
                is_admin: admins.contains(&r.user_id),
                id: r.user_id,
                email: r.email,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
            }
        })
        .collect();
    Ok((total_header(total), Json(users)))
}

/// A user id as the API names it: the token's `sub`, one line of 1–255 characters.
fn user_id(field: &str, raw: &str) -> AppResult<UserId> {
    let mut details = Vec::new();
    match single_line_text(
        &mut details,
        field,
        Some(raw.to_owned()),
        l::ADMIN_USER_ID_MAX,
    ) {
        Some(id) if details.is_empty() => Ok(UserId(id)),
        _ => Err(AppError::validation(
            field,
            format!(
                "must be a user id (one line of 1–{} characters)",
                l::ADMIN_USER_ID_MAX
            ),
        )),
    }
}

/// Makes a user an admin (by user id). 201 with the grant; 200 when they already were one.
#[utoipa::path(post, path = "/api/admin/admins", tag = "admin", security(("bearer" = [])),
    request_body = GrantAdmin,
    responses((status = 201, body = AdminGrant), (status = 200, description = "Already an admin", body = AdminGrant),
              (status = 400, body = mvp_types::ErrorBody), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn grant(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    AppJson(body): AppJson<GrantAdmin>,
) -> AppResult<(StatusCode, Json<AdminGrant>)> {
    let target = user_id("userId", &body.user_id)?;
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let (grant, added) = mvp_core::admin::grant_user(&mut tx, &target, &actor.user_id).await?;
    let grant = AdminGrant {
        user_id: grant.user_id,
        granted_by: grant.granted_by,
        granted_at: grant.granted_at,
    };
    if added {
        audit::record(
            &mut tx,
            &actor,
            Change::new("admin.grant", "user", target.as_str()).after(&grant),
        )
        .await?;
    }
    tx.commit().await?;
    if added {
        tracing::info!(target_user = %target.short(), "admin granted");
    }
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(grant)))
}

/// Takes admin away from a user (their grant by id, and one to their e-mail). 404 when they are not
/// an admin; 409 when nobody would be left.
#[utoipa::path(delete, path = "/api/admin/admins/{userId}", tag = "admin", security(("bearer" = [])),
    params(("userId" = String, Path)),
    responses((status = 204), (status = 400, body = mvp_types::ErrorBody), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody),
              (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn revoke(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path(raw): Path<String>,
) -> AppResult<StatusCode> {
    let target = user_id("userId", &raw)?;
    let actor = Actor::new(&admin, &client);
    let email = mvp_user_profile::email_of(&state.db, &target).await?;
    let mut tx = state.db.begin().await?;
    match mvp_core::admin::revoke(&mut tx, &target, email.as_deref()).await? {
        Revoked::NotAdmin => return Err(AppError::NotFound("admin")),
        Revoked::LastAdmin => {
            return Err(AppError::Conflict(
                "this is the last admin: grant someone else first".to_owned(),
            ));
        }
        Revoked::Revoked => {}
    }
    audit::record(
        &mut tx,
        &actor,
        Change::new("admin.revoke", "user", target.as_str())
            .before(&serde_json::json!({ "userId": target.as_str(), "isAdmin": true })),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(target_user = %target.short(), "admin revoked");
    Ok(StatusCode::NO_CONTENT)
}
