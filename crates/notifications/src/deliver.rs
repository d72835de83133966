//! The deliver job: claims due messages in batches, sends a few at once through the e-mail
//! transport or the push client, and records the outcome — sent; back in the queue with exponential
//! backoff (temporary failures); failed after `mail.max_attempts` tries or at once when final; or
//! held without counting the try when our own configuration is wrong (which `/api/health` then
//! shows as `mail: degraded`, logged once).

use mvp_types::ids::UserId;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use mvp_core::AppState;
use mvp_core::health::Components;
use mvp_core::outbox::mask_email;
use mvp_types::{ComponentHealth, HealthStatus};
use sqlx::PgPool;
use uuid::Uuid;

use crate::push::PushClient;
use crate::queue::{self, Channel, Claimed};
use crate::repo;
use crate::transport::{self, Mail, SendError, Transport};

/// Messages claimed per query (and marked sent with one statement).
const BATCH: i64 = 100;
/// The longest wait between tries.
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliverReport {
    pub sent: usize,
    /// Put back for a later try.
    pub retried: usize,
    pub failed: usize,
    /// Kept queued because the transport's configuration was refused.
    pub held: usize,
}

/// Sends queued messages; built once per process (the SMTP transport pools its connections).
pub struct Deliverer {
    pool: PgPool,
    transport: Arc<dyn Transport>,
    push: PushClient,
    max_attempts: i32,
    /// Messages sent at once (`mail.concurrency`; the SMTP pool keeps as many connections).
    concurrency: usize,
    retry_base: Duration,
    lease_secs: f64,
    health: Components,
}

impl Deliverer {
    /// From the app's configuration, reporting its health into `state.components`.
    pub fn from_state(state: &AppState) -> anyhow::Result<Self> {
        let config = &state.config;
        let transport = transport::from_config(
            &config.mail,
            config.storage.data_dir.clone(),
            state.http.clone(),
        )?;
        Self::new(
            state.db.clone(),
            Arc::from(transport),
            state.components.clone(),
            &config.mail,
            config.notifications.allow_private_push_urls,
        )
    }

    pub fn new(
        pool: PgPool,
        transport: Arc<dyn Transport>,
        health: Components,
        mail: &mvp_core::config::MailConfig,
        allow_private_push: bool,
    ) -> anyhow::Result<Self> {
        let timeout = mail.send_timeout();
        if health.get("mail").is_none() {
            health.set("mail", ok(transport.name()));
        }
        Ok(Self {
            pool,
            push: PushClient::new(allow_private_push, timeout)?,
            transport,
            max_attempts: i32::try_from(mail.max_attempts).unwrap_or(i32::MAX),
            concurrency: usize::try_from(mail.concurrency).unwrap_or(1).max(1),
            retry_base: Duration::from_secs(mail.retry_base_secs),
            // A claim outlives the slowest send, so a live sender never loses its message.
            lease_secs: (timeout.as_secs_f64() * 2.0).max(60.0),
            health,
        })
    }

    /// Sends everything due at `now`, batch after batch, until nothing due is left.
    pub async fn run(&self, now: DateTime<Utc>) -> anyhow::Result<DeliverReport> {
        let mut report = DeliverReport::default();
        loop {
            let batch = queue::claim(&self.pool, now, BATCH, self.lease_secs, None).await?;
            if batch.is_empty() {
                break;
            }
            let outcomes: Vec<anyhow::Result<Outcome>> = futures_util::stream::iter(batch)
                .map(|m| self.deliver(m, now))
                .buffer_unordered(self.concurrency)
                .collect()
                .await;
            let mut sent = Vec::new();
            for outcome in outcomes {
                match outcome? {
                    Outcome::Sent(id) => sent.push(id),
                    Outcome::Retried => report.retried += 1,
                    Outcome::Failed => report.failed += 1,
                    Outcome::Held => report.held += 1,
                }
            }
            // One statement (one commit) per batch: a commit per message made the disk's flush
            // the bottleneck. A crash between sending and this write leaves the batch's leases to
            // run out and the messages to be sent again — at least once, never lost.
            queue::mark_sent(&self.pool, &sent, now).await?;
            report.sent += sent.len();
        }
        if report != DeliverReport::default() {
            tracing::info!(
                sent = report.sent,
                retried = report.retried,
                failed = report.failed,
                held = report.held,
                transport = self.transport.name(),
                "deliveries"
            );
        }
        Ok(report)
    }

    /// Tries one queued message now (a verification mail right after sign-up). Whatever happens it
    /// stays in the queue's care: a failure is retried by the job.
    pub async fn send_now(&self, id: Uuid) -> anyhow::Result<bool> {
        let now = Utc::now();
        let mut claimed = queue::claim(&self.pool, now, 1, self.lease_secs, Some(id)).await?;
        match claimed.pop() {
            Some(m) => match self.deliver(m, now).await? {
                Outcome::Sent(id) => {
                    queue::mark_sent(&self.pool, &[id], now).await?;
                    Ok(true)
                }
                _ => Ok(false),
            },
            None => Ok(false),
        }
    }

    async fn deliver(&self, m: Claimed, now: DateTime<Utc>) -> anyhow::Result<Outcome> {
        let result = match m.channel {
            Channel::Email => {
                let mail = Mail {
                    id: m.id,
                    kind: m.kind.clone(),
                    to: m.recipient.clone(),
                    subject: m.subject.clone(),
                    text: m.text_body.clone(),
                    html: m.html_body.clone(),
                };
                self.transport.send(&mail).await
            }
            Channel::Ntfy => self.push.ntfy(&m.recipient, &m.subject, &m.text_body).await,
            Channel::Webhook => match self.webhook_secret(&m).await? {
                Some(secret) => {
                    self.push
                        .webhook(&m.recipient, &secret, m.text_body.as_bytes())
                        .await
                }
                None => Err(SendError::Permanent(
                    "the webhook was removed from the settings".to_owned(),
                )),
            },
        };
        let to = shown_recipient(m.channel, &m.recipient);
        let outcome = match result {
            Ok(()) => {
                if m.channel == Channel::Email {
                    let before = self.health.set("mail", ok(self.transport.name()));
                    if before == Some(HealthStatus::Degraded) {
                        tracing::info!(
                            transport = self.transport.name(),
                            "e-mail delivery works again"
                        );
                    }
                }
                tracing::debug!(id = %m.id, kind = %m.kind, channel = m.channel.as_str(), %to, "delivered");
                Outcome::Sent(m.id)
            }
            Err(SendError::Temporary(error)) if m.attempts < self.max_attempts => {
                let at = now + self.backoff(m.attempts);
                queue::retry_at(&self.pool, m.id, at, &error, true).await?;
                tracing::warn!(id = %m.id, kind = %m.kind, channel = m.channel.as_str(), %to,
                    attempts = m.attempts, retry_at = %at, %error, "delivery failed; will retry");
                Outcome::Retried
            }
            Err(SendError::Temporary(error) | SendError::Permanent(error)) => {
                queue::mark_failed(&self.pool, m.id, &error).await?;
                tracing::error!(id = %m.id, kind = %m.kind, channel = m.channel.as_str(), %to,
                    attempts = m.attempts, %error, "delivery failed for good");
                Outcome::Failed
            }
            Err(SendError::Configuration(error)) => {
                let hold = self.retry_base.max(Duration::from_secs(60)) * 10;
                let at =
                    now + chrono::Duration::from_std(hold).unwrap_or(chrono::Duration::hours(1));
                queue::retry_at(&self.pool, m.id, at, &error, false).await?;
                let before = self.health.set(
                    "mail",
                    ComponentHealth {
                        status: HealthStatus::Degraded,
                        latency_ms: None,
                        message: Some(format!(
                            "{} refused our configuration; messages stay queued",
                            self.transport.name()
                        )),
                    },
                );
                if before != Some(HealthStatus::Degraded) {
                    tracing::error!(transport = self.transport.name(), %error,
                        "the mail transport refused our configuration (check the key or credentials); messages stay queued");
                }
                Outcome::Held
            }
        };
        Ok(outcome)
    }

    async fn webhook_secret(&self, m: &Claimed) -> anyhow::Result<Option<String>> {
        let Some(user_id) = &m.user_id else {
            return Ok(None);
        };
        Ok(repo::webhook_secret(&self.pool, &UserId(user_id.clone())).await?)
    }

    /// `retry_base · 2^(attempts − 1)`, at most six hours.
    fn backoff(&self, attempts: i32) -> chrono::Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        let wait = self
            .retry_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(MAX_BACKOFF);
        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6))
    }
}

enum Outcome {
    /// Sent; the caller records it (in bulk).
    Sent(Uuid),
    Retried,
    Failed,
    Held,
}

fn ok(transport: &str) -> ComponentHealth {
    ComponentHealth {
        status: HealthStatus::Ok,
        latency_ms: None,
        message: Some(format!("transport: {transport}")),
    }
}

/// A recipient as logs may show it: a masked address, or a push URL's host.
fn shown_recipient(channel: Channel, recipient: &str) -> String {
    match channel {
        Channel::Email => mask_email(recipient),
        Channel::Ntfy | Channel::Webhook => reqwest::Url::parse(recipient)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "?".to_owned()),
    }
}
