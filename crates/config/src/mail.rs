//! The `mail` and `notifications` sections: which transport sends e-mail, its address and secrets,
//! how the delivery queue retries, and how often the reminder job runs.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// How e-mail leaves the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// One JSON file per message under `<data dir>/outbox/` (development, `make run`).
    Outbox,
    /// A real SMTP connection (`mail.smtp_url`).
    Smtp,
    /// The Resend HTTP API (`mail.resend_base_url`, the `resend-api-key` secret).
    Resend,
}

impl MailTransport {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outbox => "outbox",
            Self::Smtp => "smtp",
            Self::Resend => "resend",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub from: String,
    pub smtp_url: Option<SecretString>,
    pub smtp_password: Option<SecretString>,
    pub resend_base_url: String,
    pub resend_api_key: Option<SecretString>,
    /// Messages sent at once (and SMTP connections kept open).
    pub concurrency: u32,
    pub max_attempts: u32,
    pub retry_base_secs: u64,
    pub deliver_interval_secs: u64,
    pub send_timeout_secs: u64,
}

impl MailConfig {
    /// The SMTP URL to connect with: a password from the `smtp-password` secret is put into a URL
    /// that names a user without one (as `database.password` is).
    pub fn smtp_connect_url(&self) -> Option<SecretString> {
        self.smtp_url
            .as_ref()
            .map(|url| crate::settings::with_password(url, self.smtp_password.as_ref()))
    }

    pub fn deliver_interval(&self) -> Duration {
        Duration::from_secs(self.deliver_interval_secs)
    }

    pub fn send_timeout(&self) -> Duration {
        Duration::from_secs(self.send_timeout_secs)
    }

    pub(crate) fn check(&self, problems: &mut Vec<(String, String)>) {
        let from = self.from.trim();
        let address = from
            .rsplit_once('<')
            .map_or(from, |(_, rest)| rest.trim_end_matches('>'));
        if !address.contains('@') || from.contains(['\r', '\n']) {
            problems.push((
                "mail.from".into(),
                format!("{from:?} is not an e-mail address (e.g. \"MotoVaultPro <noreply@example.com>\")"),
            ));
        }
        match self.transport {
            MailTransport::Outbox => {}
            MailTransport::Smtp => match &self.smtp_url {
                None => problems.push((
                    "mail.smtp_url".into(),
                    "is required when mail.transport is smtp".into(),
                )),
                Some(url) => {
                    let url = url.expose_secret();
                    if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                        problems.push((
                            "mail.smtp_url".into(),
                            "must start with smtp:// or smtps:// (the value is not shown)".into(),
                        ));
                    }
                }
            },
            MailTransport::Resend => {
                if self
                    .resend_api_key
                    .as_ref()
                    .is_none_or(|k| k.expose_secret().trim().is_empty())
                {
                    problems.push((
                        "mail.resend_api_key".into(),
                        "is required when mail.transport is resend (secret file resend-api-key)"
                            .into(),
                    ));
                }
                crate::validate::check_http_url(
                    "mail.resend_base_url",
                    &self.resend_base_url,
                    problems,
                );
            }
        }
        if !(1..=100).contains(&self.concurrency) {
            problems.push(("mail.concurrency".into(), "must be from 1 to 100".into()));
        }
        for (key, value) in [
            ("mail.max_attempts", u64::from(self.max_attempts)),
            ("mail.retry_base_secs", self.retry_base_secs),
            ("mail.deliver_interval_secs", self.deliver_interval_secs),
            ("mail.send_timeout_secs", self.send_timeout_secs),
        ] {
            if value == 0 {
                problems.push((key.into(), "must be at least 1".into()));
            }
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    pub reminder_interval_secs: u64,
    /// Allow `http://` and loopback/private push URLs (tests with local receivers).
    pub allow_private_push_urls: bool,
}

impl NotificationsConfig {
    pub fn reminder_interval(&self) -> Duration {
        Duration::from_secs(self.reminder_interval_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str, password: Option<&str>) -> MailConfig {
        MailConfig {
            transport: MailTransport::Smtp,
            from: "a@b.c".to_owned(),
            smtp_url: Some(SecretString::from(url.to_owned())),
            smtp_password: password.map(|p| SecretString::from(p.to_owned())),
            resend_base_url: String::new(),
            resend_api_key: None,
            concurrency: 10,
            max_attempts: 8,
            retry_base_secs: 30,
            deliver_interval_secs: 5,
            send_timeout_secs: 30,
        }
    }

    #[test]
    fn a_secret_password_fills_an_smtp_url_without_one() {
        let url = |c: MailConfig| {
            c.smtp_connect_url()
                .map(|u| u.expose_secret().to_owned())
                .unwrap_or_default()
        };
        assert_eq!(
            url(config(
                "smtps://mailer@mail.example.com:465",
                Some("p@ss word")
            )),
            "smtps://mailer:p%40ss%20word@mail.example.com:465"
        );
        assert_eq!(url(config("smtp://u:x@h:25", Some("p"))), "smtp://u:x@h:25");
        assert_eq!(url(config("smtp://h:25", Some("p"))), "smtp://h:25");
    }
}
