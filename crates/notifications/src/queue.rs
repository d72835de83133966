//! Queries on `notification_deliveries`: queue a message (once per idempotency key), claim due ones
//! with `FOR UPDATE SKIP LOCKED` and a lease, and record how a send ended.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Ntfy,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Ntfy => "ntfy",
            Self::Webhook => "webhook",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "ntfy" => Self::Ntfy,
            "webhook" => Self::Webhook,
            _ => Self::Email,
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub idempotency_key: String,
    pub user_id: Option<&'a str>,
    pub kind: &'a str,
    pub channel: Channel,
    /// An e-mail address, or the push URL.
    pub recipient: &'a str,
    pub subject: &'a str,
    /// The text body (a webhook's JSON).
    pub text_body: &'a str,
    pub html_body: Option<&'a str>,
    /// When it may go out: the caller's clock (a job run for a chosen time), else the database's now.
    pub due_at: Option<DateTime<Utc>>,
}

/// Queues a message in the caller's transaction. `None` when one with the same key exists already.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn enqueue(conn: &mut PgConnection, d: &NewDelivery<'_>) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "insert into notification_deliveries
             (id, idempotency_key, user_id, kind, channel, recipient, subject, text_body, html_body,
              next_attempt_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, now()))
         on conflict (idempotency_key) do nothing
         returning id",
        Uuid::now_v7(),
        d.idempotency_key,
        d.user_id,
        d.kind,
        d.channel.as_str(),
        d.recipient,
        d.subject,
        d.text_body,
        d.html_body,
        d.due_at,
    )
    .fetch_optional(conn)
    .await
}

/// One message to each channel a user has on: the rendered e-mail to `email`, the short `body` to
/// the ntfy topic, the JSON `webhook` body to the webhook URL; each keyed `<key>:<channel>`.
#[derive(Debug, Clone)]
pub struct Fanout<'a> {
    pub key: &'a str,
    pub user_id: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub body: &'a str,
    pub webhook: &'a str,
    pub email: Option<&'a str>,
    pub ntfy_url: Option<&'a str>,
    pub webhook_url: Option<&'a str>,
    pub due_at: Option<DateTime<Utc>>,
}

/// Queues a fan-out in the caller's transaction; returns what was queued (a key queued before is
/// left out).
pub async fn enqueue_fanout(
    conn: &mut PgConnection,
    f: &Fanout<'_>,
) -> sqlx::Result<Vec<(Channel, Uuid)>> {
    let mut queued = Vec::new();
    for (channel, recipient, text, html) in [
        (Channel::Email, f.email, f.text, Some(f.html)),
        (Channel::Ntfy, f.ntfy_url, f.body, None),
        (Channel::Webhook, f.webhook_url, f.webhook, None),
    ] {
        let Some(recipient) = recipient else { continue };
        let id = enqueue(
            &mut *conn,
            &NewDelivery {
                idempotency_key: format!("{}:{}", f.key, channel.as_str()),
                user_id: Some(f.user_id),
                kind: f.kind,
                channel,
                recipient,
                subject: f.subject,
                text_body: text,
                html_body: html,
                due_at: f.due_at,
            },
        )
        .await?;
        queued.extend(id.map(|id| (channel, id)));
    }
    Ok(queued)
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub user_id: Option<String>,
    pub kind: String,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    /// Tries so far, this one included.
    pub attempts: i32,
}

/// Claims up to `limit` messages due at `now` (queued and due, or `sending` with a lease that ran
/// out: its sender died), or only `only` when given. Rows another sender is claiming are skipped,
/// so two senders never take the same message.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: i64,
    lease_secs: f64,
    only: Option<Uuid>,
) -> sqlx::Result<Vec<Claimed>> {
    let rows = sqlx::query!(
        r#"with picked as (
               select id from notification_deliveries
                where ((status = 'queued' and next_attempt_at <= $1)
                       or (status = 'sending' and locked_until < $1))
                  and ($4::uuid is null or id = $4)
                order by next_attempt_at, id
                limit $2
                for update skip locked)
           update notification_deliveries d
              set status = 'sending', attempts = d.attempts + 1,
                  locked_until = $1 + make_interval(secs => $3)
             from picked
            where d.id = picked.id
        returning d.id, d.user_id, d.kind, d.channel, d.recipient, d.subject, d.text_body,
                  d.html_body, d.attempts"#,
        now,
        limit,
        lease_secs,
        only,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Claimed {
            id: r.id,
            user_id: r.user_id,
            kind: r.kind,
            channel: Channel::parse(&r.channel),
            recipient: r.recipient,
            subject: r.subject,
            text_body: r.text_body,
            html_body: r.html_body,
            attempts: r.attempts,
        })
        .collect())
}

/// Records `ids` as sent, in one statement.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn mark_sent(pool: &PgPool, ids: &[Uuid], now: DateTime<Utc>) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "update notification_deliveries
            set status = 'sent', sent_at = $2, locked_until = null, last_error = null
          where id = any($1)",
        ids,
        now,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Back to the queue until `at`. `count_attempt: false` gives the try back (our configuration was
/// wrong, not the message).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn retry_at(
    pool: &PgPool,
    id: Uuid,
    at: DateTime<Utc>,
    error: &str,
    count_attempt: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update notification_deliveries
            set status = 'queued', next_attempt_at = $2, locked_until = null, last_error = $3,
                attempts = case when $4 then attempts else greatest(attempts - 1, 0) end
          where id = $1",
        id,
        at,
        error,
        count_attempt,
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn mark_failed(pool: &PgPool, id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "update notification_deliveries
            set status = 'failed', locked_until = null, last_error = $2
          where id = $1",
        id,
        error,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// How many messages wait (queued or being sent) and how many failed for good.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn backlog(pool: &PgPool) -> sqlx::Result<(i64, i64)> {
    let row = sqlx::query!(
        r#"select count(*) filter (where status in ('queued', 'sending')) as "waiting!",
                  count(*) filter (where status = 'failed') as "failed!"
             from notification_deliveries"#
    )
    .fetch_one(pool)
    .await?;
    Ok((row.waiting, row.failed))
}
