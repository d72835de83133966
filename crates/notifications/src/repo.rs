//! Queries on `notification_settings`, `notifications`, `notification_logs`, `email_templates` and
//! `calendar_feeds`, each scoped by user id (the reminder job names each row's own user).

use mvp_types::ids::UserId;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use mvp_types::ids::{NotificationId, VehicleId};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::templates::Parts;

/// A user's channels; the defaults when nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRow {
    pub email_enabled: bool,
    pub ntfy_url: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub due_soon_days: i32,
}

impl Default for SettingsRow {
    fn default() -> Self {
        Self {
            email_enabled: true,
            ntfy_url: None,
            webhook_url: None,
            webhook_secret: None,
            due_soon_days: 30,
        }
    }
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn settings(pool: &PgPool, user_id: &UserId) -> sqlx::Result<SettingsRow> {
    Ok(sqlx::query_as!(
        SettingsRow,
        "select email_enabled, ntfy_url, webhook_url, webhook_secret, due_soon_days
           from notification_settings where user_id = $1",
        user_id.as_str(),
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or_default())
}

/// The stored settings of each of `user_ids` that has some.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn settings_of(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<HashMap<String, SettingsRow>> {
    Ok(sqlx::query!(
        "select user_id, email_enabled, ntfy_url, webhook_url, webhook_secret, due_soon_days
           from notification_settings where user_id = any($1)",
        user_ids,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        (
            r.user_id,
            SettingsRow {
                email_enabled: r.email_enabled,
                ntfy_url: r.ntfy_url,
                webhook_url: r.webhook_url,
                webhook_secret: r.webhook_secret,
                due_soon_days: r.due_soon_days,
            },
        )
    })
    .collect())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn save_settings(pool: &PgPool, user_id: &UserId, s: &SettingsRow) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into notification_settings
             (user_id, email_enabled, ntfy_url, webhook_url, webhook_secret, due_soon_days)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (user_id) do update
            set email_enabled = excluded.email_enabled, ntfy_url = excluded.ntfy_url,
                webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret,
                due_soon_days = excluded.due_soon_days, updated_at = now()",
        user_id.as_str(),
        s.email_enabled,
        s.ntfy_url,
        s.webhook_url,
        s.webhook_secret,
        s.due_soon_days,
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn webhook_secret(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Option<String>> {
    Ok(sqlx::query_scalar!(
        "select webhook_secret from notification_settings
          where user_id = $1 and webhook_url is not null",
        user_id.as_str(),
    )
    .fetch_optional(pool)
    .await?
    .flatten())
}

/// Records a reminder once per subject, status and due point; whether it is new.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn log_once(
    conn: &mut PgConnection,
    kind: &str,
    user_id: &UserId,
    subject_id: Uuid,
    status: &str,
    due_key: &str,
    today: NaiveDate,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into notification_logs (id, user_id, kind, subject_id, status, due_key, sent_on)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (kind, subject_id, status, due_key) do nothing",
        Uuid::now_v7(),
        user_id.as_str(),
        kind,
        subject_id,
        status,
        due_key,
        today,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A new entry of the notification centre.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub vehicle_id: Option<VehicleId>,
    pub subject_id: Option<Uuid>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_notification(
    conn: &mut PgConnection,
    n: &NewNotification<'_>,
) -> sqlx::Result<NotificationId> {
    let id = NotificationId::new();
    sqlx::query!(
        "insert into notifications (id, user_id, kind, title, body, vehicle_id, subject_id)
         values ($1, $2, $3, $4, $5, $6, $7)",
        id.0,
        n.user_id,
        n.kind,
        n.title,
        n.body,
        n.vehicle_id.map(|v| v.0),
        n.subject_id,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct NotificationRow {
    pub id: NotificationId,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub vehicle_id: Option<VehicleId>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of the user's notification centre, newest first, and the total.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn list(
    pool: &PgPool,
    user_id: &UserId,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<NotificationRow>, i64)> {
    let rows = sqlx::query_as!(
        NotificationRow,
        r#"select id as "id: NotificationId", kind, title, body,
                  vehicle_id as "vehicle_id: VehicleId", created_at, read_at
             from notifications
            where user_id = $1 and (not $2 or read_at is null)
            order by created_at desc, id desc limit $3 offset $4"#,
        user_id.as_str(),
        unread_only,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from notifications
            where user_id = $1 and (not $2 or read_at is null)"#,
        user_id.as_str(),
        unread_only,
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn unread_count(pool: &PgPool, user_id: &UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from notifications where user_id = $1 and read_at is null"#,
        user_id.as_str(),
    )
    .fetch_one(pool)
    .await
}

/// Marks one entry read (kept as first read); `false` when the user has no such entry.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn mark_read(pool: &PgPool, user_id: &UserId, id: NotificationId) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update notifications set read_at = coalesce(read_at, now())
          where user_id = $1 and id = $2",
        user_id.as_str(),
        id.0,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn mark_all_read(pool: &PgPool, user_id: &UserId) -> sqlx::Result<i64> {
    let done = sqlx::query!(
        "update notifications set read_at = now() where user_id = $1 and read_at is null",
        user_id.as_str(),
    )
    .execute(pool)
    .await?;
    Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
}

#[derive(Debug, Clone)]
pub struct TemplateRow {
    pub key: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub variables: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

impl TemplateRow {
    pub fn parts(&self) -> Parts {
        Parts {
            subject: self.subject.clone(),
            text_body: self.text_body.clone(),
            html_body: self.html_body.clone(),
        }
    }
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn templates(pool: &PgPool) -> sqlx::Result<Vec<TemplateRow>> {
    sqlx::query_as!(
        TemplateRow,
        "select key, subject, text_body, html_body, variables, updated_at
           from email_templates order by key"
    )
    .fetch_all(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn template<'e>(
    conn: impl sqlx::PgExecutor<'e>,
    key: &str,
) -> sqlx::Result<Option<TemplateRow>> {
    sqlx::query_as!(
        TemplateRow,
        "select key, subject, text_body, html_body, variables, updated_at
           from email_templates where key = $1",
        key,
    )
    .fetch_optional(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn save_template(
    conn: &mut PgConnection,
    key: &str,
    parts: &Parts,
    updated_by: &str,
) -> sqlx::Result<Option<TemplateRow>> {
    sqlx::query_as!(
        TemplateRow,
        "update email_templates
            set subject = $2, text_body = $3, html_body = $4, updated_by = $5, updated_at = now()
          where key = $1
        returning key, subject, text_body, html_body, variables, updated_at",
        key,
        parts.subject,
        parts.text_body,
        parts.html_body,
        updated_by,
    )
    .fetch_optional(conn)
    .await
}

/// The user's calendar token, made on first use.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn calendar_token(pool: &PgPool, user_id: &UserId) -> sqlx::Result<String> {
    sqlx::query!(
        "insert into calendar_feeds (user_id, token) values ($1, $2)
         on conflict (user_id) do nothing",
        user_id.as_str(),
        mvp_core::secret::random_token(),
    )
    .execute(pool)
    .await?;
    sqlx::query_scalar!(
        "select token from calendar_feeds where user_id = $1",
        user_id.as_str()
    )
    .fetch_one(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn rotate_calendar_token(pool: &PgPool, user_id: &UserId) -> sqlx::Result<String> {
    sqlx::query_scalar!(
        "insert into calendar_feeds (user_id, token) values ($1, $2)
         on conflict (user_id) do update set token = excluded.token, created_at = now()
         returning token",
        user_id.as_str(),
        mvp_core::secret::random_token(),
    )
    .fetch_one(pool)
    .await
}

/// Whose feed a token opens.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn calendar_owner(pool: &PgPool, token: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("select user_id from calendar_feeds where token = $1", token)
        .fetch_optional(pool)
        .await
}
