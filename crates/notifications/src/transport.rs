//! How e-mail leaves the server, behind one trait: the outbox (JSON files, development), SMTP (lettre
//! over a real connection: plain, STARTTLS or implicit TLS) and the Resend HTTP API. Each send says
//! whether a failure is worth retrying, is final, or is the operator's configuration.

use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncTransport as _, Message, Tokio1Executor};
use mvp_core::config::{MailConfig, MailTransport};
use mvp_core::outbox::{self, OutboxMessage};
use secrecy::{ExposeSecret, SecretString};

/// One e-mail, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The delivery's id: the Message-ID's left part and Resend's idempotency key.
    pub id: uuid::Uuid,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Why a send failed, and so what happens to the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Connection refused, a timeout, 429, 5xx, an SMTP 4xx: try again later.
    #[error("temporary: {0}")]
    Temporary(String),
    /// The message can never go out as it is (a refused address, a 4xx the API will not change its
    /// mind about): marked failed.
    #[error("permanent: {0}")]
    Permanent(String),
    /// Our side is wrong (a bad API key, rejected SMTP credentials): kept queued, logged once, and the
    /// health endpoint says so until a send works.
    #[error("configuration: {0}")]
    Configuration(String),
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// An e-mail transport.
pub trait Transport: Send + Sync {
    fn name(&self) -> &'static str;
    fn send<'a>(&'a self, mail: &'a Mail) -> SendFuture<'a>;
}

/// The transport `mail.transport` names.
pub fn from_config(
    config: &MailConfig,
    data_dir: PathBuf,
    http: reqwest::Client,
) -> anyhow::Result<Box<dyn Transport>> {
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| anyhow::anyhow!("mail.from is not an address: {e}"))?;
    Ok(match config.transport {
        MailTransport::Outbox => Box::new(Outbox { data_dir }),
        MailTransport::Smtp => Box::new(Smtp::new(config, from)?),
        MailTransport::Resend => Box::new(Resend {
            base_url: config.resend_base_url.trim_end_matches('/').to_owned(),
            key: config
                .resend_api_key
                .clone()
                .ok_or_else(|| anyhow::anyhow!("mail.resend_api_key is not set"))?,
            from: config.from.clone(),
            http,
            timeout: config.send_timeout(),
        }),
    })
}

/// One JSON file per message under `<data dir>/outbox/`.
pub struct Outbox {
    pub data_dir: PathBuf,
}

impl Transport for Outbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    fn send<'a>(&'a self, mail: &'a Mail) -> SendFuture<'a> {
        Box::pin(async move {
            let message = OutboxMessage {
                kind: mail.kind.clone(),
                to: mail.to.clone(),
                subject: mail.subject.clone(),
                text: mail.text.clone(),
                created_at: Utc::now(),
            };
            outbox::write(&self.data_dir, &message)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Temporary(format!("{e:#}")))
        })
    }
}

/// SMTP through a pooled lettre transport.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The whole send's limit: lettre's own timeout does not cover a server that accepts the
    /// connection and never greets, which held a delivery run forever.
    timeout: Duration,
}

impl Smtp {
    fn new(config: &MailConfig, from: Mailbox) -> anyhow::Result<Self> {
        let url = config
            .smtp_connect_url()
            .ok_or_else(|| anyhow::anyhow!("mail.smtp_url is not set"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("mail.smtp_url cannot be used: {e}"))?
            .timeout(Some(config.send_timeout()))
            .pool_config(PoolConfig::new().max_size(config.concurrency))
            .build();
        Ok(Self {
            transport,
            from,
            timeout: config.send_timeout(),
        })
    }
}

impl Transport for Smtp {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn send<'a>(&'a self, mail: &'a Mail) -> SendFuture<'a> {
        Box::pin(async move {
            let to: Mailbox = mail
                .to
                .parse()
                .map_err(|e| SendError::Permanent(format!("recipient is not an address: {e}")))?;
            let builder = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(mail.subject.clone())
                .message_id(Some(format!("<{}@motovaultpro>", mail.id)));
            let message = match &mail.html {
                Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                    mail.text.clone(),
                    html.clone(),
                )),
                None => builder
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text.clone()),
            }
            .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
            match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(classify_smtp(&e)),
                Err(_) => Err(SendError::Temporary(format!(
                    "SMTP: no answer within {} s",
                    self.timeout.as_secs()
                ))),
            }
        })
    }
}

fn classify_smtp(err: &lettre::transport::smtp::Error) -> SendError {
    let code = err.status().map(|c| c.to_string());
    let text = match &code {
        Some(code) => format!("SMTP {code}: {err}"),
        None => format!("SMTP: {err}"),
    };
    // 530/534/535: authentication required or refused — the credentials are ours to fix.
    if code
        .as_deref()
        .is_some_and(|c| matches!(c, "530" | "534" | "535"))
    {
        SendError::Configuration(text)
    } else if err.is_permanent() {
        SendError::Permanent(text)
    } else {
        SendError::Temporary(text)
    }
}

/// The Resend HTTP API: `POST {base}/emails` with a bearer key.
pub struct Resend {
    base_url: String,
    key: SecretString,
    from: String,
    http: reqwest::Client,
    timeout: Duration,
}

impl Transport for Resend {
    fn name(&self) -> &'static str {
        "resend"
    }

    fn send<'a>(&'a self, mail: &'a Mail) -> SendFuture<'a> {
        Box::pin(async move {
            let mut body = serde_json::json!({
                "from": self.from,
                "to": [mail.to],
                "subject": mail.subject,
                "text": mail.text,
            });
            if let Some(html) = &mail.html {
                body["html"] = serde_json::Value::String(html.clone());
            }
            let response = self
                .http
                .post(format!("{}/emails", self.base_url))
                .bearer_auth(self.key.expose_secret())
                .header("Idempotency-Key", mail.id.to_string())
                .timeout(self.timeout)
                .json(&body)
                .send()
                .await
                .map_err(|e| SendError::Temporary(format!("Resend unreachable: {e}")))?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            // Resend's error body is `{"statusCode","name","message"}`; keep its name and message.
            let detail: serde_json::Value = response.json().await.unwrap_or_default();
            let text = format!(
                "Resend {}: {} {}",
                status.as_u16(),
                detail["name"].as_str().unwrap_or_default(),
                detail["message"].as_str().unwrap_or_default()
            );
            Err(match status.as_u16() {
                401 | 403 => SendError::Configuration(text),
                408 | 409 | 429 => SendError::Temporary(text),
                s if s >= 500 => SendError::Temporary(text),
                _ => SendError::Permanent(text),
            })
        })
    }
}
