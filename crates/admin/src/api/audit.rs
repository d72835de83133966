//! `GET /api/admin/audit-logs`: the audit log, newest first, filtered.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use mvp_core::pagination::{Page, total_header};
use mvp_core::validate::single_line_text;
use mvp_core::{AdminUser, AppError, AppResult, AppState};
use mvp_types::FieldError;
use mvp_types::admin::AuditLog;
use mvp_types::limits::AUDIT_FILTER_MAX;
use serde::Deserialize;

use crate::audit::{self, Filter};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    /// An action (`admin.grant`) or a family of them (`catalog` matches `catalog.make.create`).
    pub action: Option<String>,
    /// The acting admin's user id.
    pub actor: Option<String>,
    /// `user`, `catalog_option`, `catalog_entry`, `community_station`, `email_template` …
    pub target_type: Option<String>,
    /// From this time on (RFC 3339).
    pub since: Option<String>,
    /// Before this time (RFC 3339).
    pub until: Option<String>,
}

fn time(
    field: &str,
    value: Option<String>,
    details: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let value = single_line_text(details, field, value, AUDIT_FILTER_MAX)?;
    match DateTime::parse_from_rfc3339(&value) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            details.push(FieldError::new(
                field,
                format!("{value:?} is not an RFC 3339 time such as 2026-01-31T00:00:00Z"),
            ));
            None
        }
    }
}

impl AuditQuery {
    fn parse(self) -> AppResult<Filter> {
        let mut details = Vec::new();
        let filter = Filter {
            since: time("since", self.since, &mut details),
            until: time("until", self.until, &mut details),
            action: single_line_text(&mut details, "action", self.action, AUDIT_FILTER_MAX),
            actor: single_line_text(&mut details, "actor", self.actor, AUDIT_FILTER_MAX),
            target_type: single_line_text(
                &mut details,
                "targetType",
                self.target_type,
                AUDIT_FILTER_MAX,
            ),
        };
        if details.is_empty() {
            Ok(filter)
        } else {
            Err(AppError::validation_many(details))
        }
    }
}

/// The audit log, newest first; `X-Total-Count` says how many rows match.
#[utoipa::path(get, path = "/api/admin/audit-logs", tag = "admin", security(("bearer" = [])),
    params(AuditQuery, ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [AuditLog], headers(("X-Total-Count" = i64))),
              (status = 400, body = mvp_types::ErrorBody), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    page: Page,
    Query(query): Query<AuditQuery>,
) -> AppResult<(HeaderMap, Json<Vec<AuditLog>>)> {
    let filter = query.parse()?;
    let (rows, total) = audit::list(&state.db, &filter, page.limit, page.offset).await?;
    Ok((total_header(total), Json(rows)))
}
