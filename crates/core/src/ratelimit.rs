//! Fixed-window rate limits (login, signup, resend-verification …), counted in Redis so every replica
//! shares them, and in-process when Redis is absent or failing — a limit is never silently lifted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::error::AppError;

#[derive(Clone)]
pub struct RateLimiter {
    cache: Cache,
    local: Arc<Mutex<HashMap<String, (u64, Instant)>>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").finish_non_exhaustive()
    }
}

/// One limit: at most `max` hits per `window` for a key.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u64,
    pub window: Duration,
}

impl RateLimiter {
    pub fn new(cache: Cache) -> Self {
        Self {
            cache,
            local: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Counts a hit on `key`; `Err(RateLimited)` with the seconds until the window ends when over.
    pub async fn hit(&self, key: &str, limit: Limit) -> Result<(), AppError> {
        let full = format!("rl:{key}");
        let (count, ttl) = match self.cache.incr_window(&full, limit.window).await {
            Some(counted) => counted,
            None => self.hit_local(&full, limit.window),
        };
        if count > limit.max {
            tracing::info!(
                limit = key.split(':').next().unwrap_or(""),
                "rate limit reached"
            );
            return Err(AppError::RateLimited {
                retry_after_secs: ttl.as_secs().max(1),
            });
        }
        Ok(())
    }

    fn hit_local(&self, key: &str, window: Duration) -> (u64, Duration) {
        let now = Instant::now();
        let Ok(mut map) = self.local.lock() else {
            return (0, window);
        };
        if map.len() > 50_000 {
            map.retain(|_, (_, ends)| *ends > now);
        }
        let entry = map.entry(key.to_owned()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        (entry.0, entry.1.saturating_duration_since(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_hit_after_the_maximum_is_refused_with_retry_after() {
        let limiter = RateLimiter::new(Cache::memory("t:"));
        let limit = Limit {
            max: 3,
            window: Duration::from_secs(60),
        };
        for _ in 0..3 {
            assert!(limiter.hit("login:a", limit).await.is_ok());
        }
        match limiter.hit("login:a", limit).await {
            Err(AppError::RateLimited { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("{other:?}"),
        }
        // Another key has its own budget.
        assert!(limiter.hit("login:b", limit).await.is_ok());
    }
}
