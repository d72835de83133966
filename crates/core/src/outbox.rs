//! The outbox: e-mail the app would send, written as one JSON file per message under
//! `<data dir>/outbox/` (and announced in the log without its body, which may hold a one-time link).
//! It is where mail goes until a mail transport (Resend/SMTP) is configured, and what the browser tests
//! read to follow a verification link.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxMessage {
    /// What the message is for (`verify_email`, `maintenance_reminder` …).
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Writes `message` to the outbox and returns its path.
pub async fn write(data_dir: &Path, message: &OutboxMessage) -> anyhow::Result<PathBuf> {
    let dir = data_dir.join("outbox");
    tokio::fs::create_dir_all(&dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let name = format!(
        "{}-{}.json",
        message.created_at.format("%Y%m%dT%H%M%S%.3fZ"),
        uuid::Uuid::new_v4().simple()
    );
    let path = dir.join(name);
    let body = serde_json::to_vec_pretty(message)?;
    tokio::fs::write(&path, body)
        .await
        .with_context(|| format!("cannot write {}", path.display()))?;
    tracing::info!(kind = %message.kind, to = %mask_email(&message.to), "e-mail written to the outbox");
    Ok(path)
}

/// Every message in the outbox, oldest first.
pub async fn read_all(data_dir: &Path) -> Vec<OutboxMessage> {
    let dir = data_dir.join("outbox");
    let mut paths = Vec::new();
    if let Ok(mut entries) = tokio::fs::read_dir(&dir).await {
        while let Ok(Some(entry)) = entries.next_entry().await {
            paths.push(entry.path());
        }
    }
    paths.sort();
    let mut messages = Vec::new();
    for path in paths {
        let bytes = tokio::fs::read(&path).await.unwrap_or_default();
        if let Ok(message) = serde_json::from_slice(&bytes) {
            messages.push(message);
        }
    }
    messages
}

/// `jane.doe@example.com` → `j***@example.com`: enough to tell messages apart, not to identify.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_only_the_first_letter_and_domain() {
        assert_eq!(mask_email("jane.doe@example.com"), "j***@example.com");
        assert_eq!(mask_email("nonsense"), "***");
    }
}
