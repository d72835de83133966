//! The user's routes: the summary for the bell, the notification centre, notification settings
//! (with a test message) and the calendar feed.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mvp_core::pagination::{Page, total_header};
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser};
use mvp_types::FieldError;
use mvp_types::ids::NotificationId;
use mvp_types::maintenance::ScheduleStatus;
use mvp_types::notification::{
    CalendarFeed, DueMaintenance, ExpiringDocument, MarkedRead, Notification, NotificationSettings,
    NotificationSummary, TestMessage, UpdateNotificationSettings,
};
use serde::Deserialize;

use crate::calendar::{self, Event};
use crate::remind::{DUE_SOON_DAYS_MAX, Due};
use crate::repo::{self, NotificationRow, SettingsRow};

fn to_dto(row: NotificationRow) -> Notification {
    Notification {
        id: row.id,
        kind: row.kind,
        title: row.title,
        body: row.body,
        vehicle_id: row.vehicle_id,
        created_at: row.created_at,
        read_at: row.read_at,
    }
}

/// What is due or expiring now, and the unread count (the bell and the dashboard's toasts).
#[utoipa::path(get, path = "/api/notifications/summary", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationSummary), (status = 401, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn summary(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<NotificationSummary>> {
    let user_id = &user.user_id;
    let due = Due::load(
        &state.db,
        Some(user_id.as_str()),
        chrono::Utc::now(),
        false,
        false,
    )
    .await?;
    let mut maintenance: Vec<DueMaintenance> = due
        .schedules
        .iter()
        .map(|s| DueMaintenance {
            vehicle_id: s.vehicle_id,
            schedule_id: s.schedule_id,
            title: s.title.clone(),
            vehicle_name: due.vehicle_name(s.vehicle_id),
            status: s.status,
            due_date: s.next_date,
            due_odometer: s.next_odometer,
        })
        .collect();
    // Overdue first, then the soonest date.
    maintenance.sort_by_key(|m| (m.status != ScheduleStatus::Overdue, m.due_date));
    let documents = due
        .documents
        .iter()
        .map(|d| ExpiringDocument {
            vehicle_id: d.document.vehicle_id,
            document_id: d.document.id,
            title: d.document.title.clone(),
            vehicle_name: due.vehicle_name(d.document.vehicle_id),
            expiration_date: d.document.expiration_date,
            status: d.status,
        })
        .collect();
    let unread = repo::unread_count(&state.db, user_id).await?;
    Ok(Json(NotificationSummary {
        maintenance,
        documents,
        unread,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true`: unread entries only.
    unread: Option<String>,
}

/// The notification centre, newest first.
#[utoipa::path(get, path = "/api/notifications", tag = "notifications", security(("bearer" = [])),
    params(ListQuery, ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [Notification], headers(("X-Total-Count" = i64))),
              (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    page: Page,
    Query(query): Query<ListQuery>,
) -> AppResult<(HeaderMap, Json<Vec<Notification>>)> {
    let unread_only = match query.unread.as_deref().map(str::trim) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::validation("unread", "must be true or false")),
    };
    let (rows, total) = repo::list(
        &state.db,
        &user.user_id,
        unread_only,
        page.limit,
        page.offset,
    )
    .await?;
    Ok((
        total_header(total),
        Json(rows.into_iter().map(to_dto).collect()),
    ))
}

/// Marks one entry read.
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = NotificationId, Path)),
    responses((status = 204), (status = 400, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn mark_read(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id: NotificationId = mvp_core::extract::path_id(&id, "notification")?;
    if repo::mark_read(&state.db, &user.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound("notification"))
    }
}

/// Marks every entry read.
#[utoipa::path(post, path = "/api/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedRead)))]
#[tracing::instrument(skip_all)]
pub async fn mark_all_read(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<MarkedRead>> {
    let marked = repo::mark_all_read(&state.db, &user.user_id).await?;
    Ok(Json(MarkedRead { marked }))
}

async fn settings_dto(
    state: &AppState,
    user: &AuthUser,
    row: SettingsRow,
) -> AppResult<NotificationSettings> {
    let profile = mvp_user_profile::current(&state.db, user).await?;
    Ok(NotificationSettings {
        email: row.email_enabled,
        ntfy_url: row.ntfy_url,
        webhook_url: row.webhook_url,
        webhook_secret: row.webhook_secret,
        due_soon_days: row.due_soon_days,
        email_address: profile.notification_email.or(profile.email),
    })
}

/// The user's reminder channels.
#[utoipa::path(get, path = "/api/user/notification-settings", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationSettings)))]
#[tracing::instrument(skip_all)]
pub async fn get_settings(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<NotificationSettings>> {
    let row = repo::settings(&state.db, &user.user_id).await?;
    Ok(Json(settings_dto(&state, &user, row).await?))
}

/// Changes the reminder channels. Push URLs must be https and resolve to public addresses.
#[utoipa::path(put, path = "/api/user/notification-settings", tag = "notifications", security(("bearer" = [])),
    request_body = UpdateNotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 400, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put_settings(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(body): AppJson<UpdateNotificationSettings>,
) -> AppResult<Json<NotificationSettings>> {
    let user_id = &user.user_id;
    let mut row = repo::settings(&state.db, user_id).await?;
    let allow_private = state.config.notifications.allow_private_push_urls;
    let mut problems: Vec<FieldError> = Vec::new();
    if let Some(email) = body.email {
        row.email_enabled = email;
    }
    if let Some(days) = body.due_soon_days {
        match i32::try_from(days) {
            Ok(d) if (1..=DUE_SOON_DAYS_MAX).contains(&d) => row.due_soon_days = d,
            _ => problems.push(FieldError::new(
                "dueSoonDays",
                format!("must be a whole number from 1 to {DUE_SOON_DAYS_MAX}"),
            )),
        }
    }
    for (field, value, slot) in [
        ("ntfyUrl", body.ntfy_url, &mut row.ntfy_url),
        ("webhookUrl", body.webhook_url, &mut row.webhook_url),
    ] {
        let Some(raw) = value else { continue };
        let raw = raw.trim();
        if raw.is_empty() {
            *slot = None;
            continue;
        }
        match crate::push::check_url(raw, allow_private).await {
            Ok(url) => *slot = Some(url.to_string()),
            Err(message) => problems.push(FieldError::new(field, message)),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::validation_many(problems));
    }
    if row.webhook_url.is_none() {
        row.webhook_secret = None;
    } else if row.webhook_secret.is_none() || body.rotate_webhook_secret == Some(true) {
        row.webhook_secret = Some(mvp_core::secret::random_token());
    }
    repo::save_settings(&state.db, user_id, &row).await?;
    Ok(Json(settings_dto(&state, &user, row).await?))
}

/// Sends a test message to every channel that is on, and adds it to the notification centre.
#[utoipa::path(post, path = "/api/user/notification-settings/test", tag = "notifications", security(("bearer" = [])),
    responses((status = 202, body = TestMessage), (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn send_test(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<(StatusCode, Json<TestMessage>)> {
    let row = repo::settings(&state.db, &user.user_id).await?;
    let settings = settings_dto(&state, &user, row).await?;
    let channels = crate::send_test_message(&state, &user, &settings).await?;
    if channels.is_empty() {
        return Err(AppError::Conflict(
            "no channel is on: turn e-mail on or add an ntfy or webhook URL".to_owned(),
        ));
    }
    Ok((StatusCode::ACCEPTED, Json(TestMessage { channels })))
}

fn feed_url(state: &AppState, token: &str) -> String {
    format!(
        "{}/api/calendar/{token}.ics",
        state.config.server.public_url.trim_end_matches('/')
    )
}

/// The secret address of the user's calendar feed.
#[utoipa::path(get, path = "/api/user/calendar", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = CalendarFeed)))]
#[tracing::instrument(skip_all)]
pub async fn calendar_url(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<CalendarFeed>> {
    let token = repo::calendar_token(&state.db, &user.user_id).await?;
    Ok(Json(CalendarFeed {
        url: feed_url(&state, &token),
    }))
}

/// Replaces the feed's token: the old address stops working.
#[utoipa::path(post, path = "/api/user/calendar/rotate", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = CalendarFeed)))]
#[tracing::instrument(skip_all)]
pub async fn rotate_calendar(
    State(state): State<AppState>,
    user: AuthUser,
) -> AppResult<Json<CalendarFeed>> {
    let token = repo::rotate_calendar_token(&state.db, &user.user_id).await?;
    Ok(Json(CalendarFeed {
        url: feed_url(&state, &token),
    }))
}

/// The calendar feed (public: the token is the key). One all-day event per schedule's next due date
/// and per document expiry.
#[utoipa::path(get, path = "/api/calendar/{file}", tag = "notifications",
    params(("file" = String, Path, description = "`<token>.ics`")),
    responses((status = 200, content_type = "text/calendar", body = String),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token = file
        .strip_suffix(".ics")
        .filter(|t| !t.is_empty() && t.len() <= 64)
        .ok_or(AppError::NotFound("calendar"))?;
    let user_id = repo::calendar_owner(&state.db, token)
        .await?
        .ok_or(AppError::NotFound("calendar"))?;
    let now = chrono::Utc::now();
    let due = Due::load(&state.db, Some(&user_id), now, true, true).await?;
    let mut events: Vec<Event> = due
        .schedules
        .iter()
        .filter_map(|s| {
            let date = s.next_date?;
            let vehicle = due.vehicle_name(s.vehicle_id);
            Some(Event {
                uid: format!("schedule-{}-{date}@motovaultpro", s.schedule_id),
                date,
                summary: format!("{} due: {vehicle}", s.title),
                description: format!(
                    "{} on {vehicle} is due {}.",
                    s.title,
                    crate::remind::due_text(Some(date), s.next_odometer, due.day(&user_id).metric)
                ),
            })
        })
        .collect();
    events.extend(due.documents.iter().map(|d| {
        let doc = &d.document;
        let vehicle = due.vehicle_name(doc.vehicle_id);
        Event {
            uid: format!("document-{}-{}@motovaultpro", doc.id, doc.expiration_date),
            date: doc.expiration_date,
            summary: format!("{} expires: {vehicle}", doc.title),
            description: format!(
                "Your {} document \"{}\" for {vehicle} expires on {}.",
                doc.document_type.replace('_', " "),
                doc.title,
                doc.expiration_date
            ),
        }
    }));
    events.sort_by(|a, b| (a.date, &a.uid).cmp(&(b.date, &b.uid)));
    let body = calendar::render("MotoVaultPro reminders", &events, now);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
