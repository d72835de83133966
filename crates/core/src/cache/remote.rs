//! The Redis side of the cache: one multiplexed connection, every command bounded by the timeout,
//! a failure logged and answered as a miss, and a reconnect tried at most every 2 s.

use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use tokio::sync::Mutex;

use super::RECONNECT_EVERY;

pub(super) struct RedisBackend {
    pub(super) client: redis::Client,
    pub(super) timeout: Duration,
    pub(super) manager: Mutex<ManagerSlot>,
}

pub(super) struct ManagerSlot {
    pub(super) manager: Option<ConnectionManager>,
    pub(super) last_attempt: Option<Instant>,
}

/// Escapes Redis glob characters so a prefix matches literally.
pub(super) fn escape_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl RedisBackend {
    /// Runs one command within the timeout; `None` on any failure (logged).
    pub(super) async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Option<T> {
        let mut conn = self.connection().await?;
        match tokio::time::timeout(self.timeout, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "redis command failed; treating as a cache miss");
                if err.is_unrecoverable_error() || err.is_connection_dropped() || err.is_io_error()
                {
                    self.drop_connection().await;
                }
                None
            }
            Err(_) => {
                tracing::warn!(
                    timeout_ms = self.timeout.as_millis() as u64,
                    "redis command timed out"
                );
                None
            }
        }
    }

    pub(super) async fn run_pipe<T: redis::FromRedisValue>(
        &self,
        pipe: redis::Pipeline,
    ) -> Option<T> {
        let mut conn = self.connection().await?;
        match tokio::time::timeout(self.timeout, pipe.query_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "redis pipeline failed");
                if err.is_unrecoverable_error() || err.is_connection_dropped() || err.is_io_error()
                {
                    self.drop_connection().await;
                }
                None
            }
            Err(_) => {
                tracing::warn!("redis pipeline timed out");
                None
            }
        }
    }

    pub(super) async fn connection(&self) -> Option<ConnectionManager> {
        let mut slot = self.manager.lock().await;
        if let Some(manager) = &slot.manager {
            return Some(manager.clone());
        }
        if slot
            .last_attempt
            .is_some_and(|at| at.elapsed() < RECONNECT_EVERY)
        {
            return None;
        }
        slot.last_attempt = Some(Instant::now());
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        match tokio::time::timeout(
            self.timeout * 4,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        {
            Ok(Ok(manager)) => {
                tracing::info!("connected to redis");
                slot.manager = Some(manager.clone());
                Some(manager)
            }
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "redis is not reachable; serving without it");
                None
            }
            Err(_) => {
                tracing::warn!("redis connection timed out; serving without it");
                None
            }
        }
    }

    pub(super) async fn drop_connection(&self) {
        let mut slot = self.manager.lock().await;
        slot.manager = None;
    }
}
