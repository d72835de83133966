//! mvp-notifications: everything that tells a user something. Maintenance and documents say what
//! is due ([`mvp_maintenance::due_schedules`], [`mvp_documents::with_expiry`]); this capsule's
//! reminder job ([`remind`]) turns each crossing into a notification-centre entry and queued
//! messages (e-mail from database templates, ntfy, signed webhooks), and the deliver job
//! ([`deliver::Deliverer`]) sends the queue through SMTP, Resend or the outbox with retries. It also
//! serves the bell's summary, the centre, the user's channel settings and a calendar feed. Other
//! capsules queue e-mail with [`queue_email`] and may try it at once with [`send_now`].

pub mod admin;
pub mod api;
pub mod calendar;
pub mod deliver;
pub mod push;
pub mod queue;
pub mod remind;
pub mod repo;
pub mod templates;
pub mod transport;

use mvp_core::{AppError, AppResult, AppState, AuthUser};
use mvp_types::notification::NotificationSettings;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub use deliver::{DeliverReport, Deliverer};
pub use remind::ReminderReport;

use crate::queue::{Channel, NewDelivery};
use crate::templates::Vars;

/// An e-mail to queue from a template.
#[derive(Debug, Clone)]
pub struct Email<'a> {
    pub user_id: Option<&'a str>,
    pub to: &'a str,
    /// `verify_email`, `password_reset`, …
    pub template: &'static str,
    pub vars: Vars,
    /// Queueing the same key twice queues one message.
    pub idempotency_key: String,
}

/// Renders `email`'s template and queues it in the caller's transaction (or on the pool). Returns
/// the delivery id (`None` when that key was queued before).
pub async fn queue_email(
    conn: &mut sqlx::PgConnection,
    email: &Email<'_>,
) -> AppResult<Option<Uuid>> {
    let template = repo::template(&mut *conn, email.template)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the e-mail template {} is missing", email.template))?;
    let rendered = templates::render(&template.parts(), &email.vars).map_err(|(field, e)| {
        anyhow::anyhow!(
            "the e-mail template {} does not render ({field}: {e})",
            email.template
        )
    })?;
    Ok(queue::enqueue(
        conn,
        &NewDelivery {
            idempotency_key: email.idempotency_key.clone(),
            user_id: email.user_id,
            kind: email.template,
            channel: Channel::Email,
            recipient: email.to,
            subject: &rendered.subject,
            text_body: &rendered.text,
            html_body: Some(&rendered.html),
            due_at: None,
        },
    )
    .await?)
}

/// Tries a queued message now, through the configured transport. A failure is logged and left to
/// the deliver job's retries; it never fails the caller.
pub async fn send_now(state: &AppState, id: Uuid) {
    let result = match Deliverer::from_state(state) {
        Ok(deliverer) => deliverer.send_now(id).await,
        Err(err) => Err(err),
    };
    if let Err(err) = result {
        tracing::warn!(error = %format!("{err:#}"), %id, "sending at once failed; the deliver job will retry");
    }
}

/// Queues a test message to each channel that is on, adds it to the centre, and tries it at once.
/// Returns the channels.
pub(crate) async fn send_test_message(
    state: &AppState,
    user: &AuthUser,
    settings: &NotificationSettings,
) -> AppResult<Vec<String>> {
    let user_id = user.user_id.as_str();
    let key = format!("test:{}", Uuid::now_v7());
    let template = repo::template(&state.db, "test_message")
        .await?
        .ok_or(AppError::NotFound("email template"))?;
    let mut tx = state.db.begin().await?;
    let app_url = state
        .config
        .server
        .public_url
        .trim_end_matches('/')
        .to_owned();
    let email = settings.email_address.as_deref().filter(|_| settings.email);
    let vars = Vars::from([
        ("email", email.unwrap_or("your devices").to_owned()),
        ("app_url", app_url),
    ]);
    let rendered = templates::render(&template.parts(), &vars).map_err(|(field, e)| {
        anyhow::anyhow!("the test template does not render ({field}: {e})")
    })?;
    let body = rendered.text.trim().to_owned();
    let webhook_body = serde_json::json!({
        "kind": "test_message", "title": rendered.subject, "body": body,
        "createdAt": chrono::Utc::now(),
    })
    .to_string();
    let queued = queue::enqueue_fanout(
        &mut tx,
        &queue::Fanout {
            key: &key,
            user_id,
            kind: "test_message",
            subject: &rendered.subject,
            text: &rendered.text,
            html: &rendered.html,
            body: &body,
            webhook: &webhook_body,
            email,
            ntfy_url: settings.ntfy_url.as_deref(),
            webhook_url: settings.webhook_url.as_deref(),
            due_at: None,
        },
    )
    .await?;
    let channels: Vec<String> = queued.iter().map(|(c, _)| c.as_str().to_owned()).collect();
    if channels.is_empty() {
        return Ok(channels);
    }
    repo::insert_notification(
        &mut tx,
        &repo::NewNotification {
            user_id,
            kind: "test_message",
            title: &rendered.subject,
            body: &body,
            vehicle_id: None,
            subject_id: None,
        },
    )
    .await?;
    tx.commit().await?;
    for (_, id) in queued {
        send_now(state, id).await;
    }
    Ok(channels)
}

/// Reminders for everyone at `now` (the `reminders` job). Links in messages start at `app_url`.
pub async fn run_reminders(
    pool: &PgPool,
    app_url: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<ReminderReport> {
    remind::run(pool, app_url, now).await
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::summary))
        .routes(routes!(api::list))
        .routes(routes!(api::mark_read))
        .routes(routes!(api::mark_all_read))
        .routes(routes!(api::get_settings, api::put_settings))
        .routes(routes!(api::send_test))
        .routes(routes!(api::calendar_url))
        .routes(routes!(api::rotate_calendar))
        .routes(routes!(api::feed))
        .routes(routes!(admin::list))
        .routes(routes!(admin::get, admin::put))
        .routes(routes!(admin::preview))
}
