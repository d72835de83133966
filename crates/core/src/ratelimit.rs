//! Rate limits (login, signup, resend-verification …) and the progressive back-off after failed
//! logins. Counted in Redis so every replica shares them, and in a map of this limiter's own when
//! Redis is absent or failing — a limit is never silently lifted, and never kept in the same store as
//! cached data: a flood of distinct cache entries cannot evict or clear a counter. (In Redis the
//! deployments run `maxmemory-policy noeviction`, so cached data fails to be written before a counter
//! could be evicted; a failed cache write is a miss.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::error::AppError;

/// Live counters kept in the local map before expired ones are swept.
const LOCAL_SWEEP_AT: usize = 50_000;

#[derive(Clone)]
pub struct RateLimiter {
    /// Redis, when the cache is Redis; `None` keeps everything in `local`.
    shared: Option<Cache>,
    local: Arc<Mutex<HashMap<String, (u64, Instant)>>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("shared", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

/// One limit: at most `max` hits per `window` for a key.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u64,
    pub window: Duration,
}

/// Progressive back-off: the first `free` failures cost nothing; after the n-th failure beyond them
/// the key waits 2^(n-1) seconds (at most `max_wait`) before its next attempt. Failures are forgotten
/// `memory` after the last one, or at once on a success.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub free: u64,
    pub max_wait: Duration,
    pub memory: Duration,
}

impl Backoff {
    /// The wait after `failures` failures.
    pub fn wait_after(&self, failures: u64) -> Duration {
        let over = failures.saturating_sub(self.free);
        if over == 0 {
            return Duration::ZERO;
        }
        let secs = 1u64
            .checked_shl(u32::try_from(over - 1).unwrap_or(u32::MAX))
            .unwrap_or(u64::MAX);
        Duration::from_secs(secs).min(self.max_wait)
    }
}

impl RateLimiter {
    pub fn new(cache: Cache) -> Self {
        Self {
            shared: cache.is_shared().then_some(cache),
            local: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Counts a hit on `key`; `Err(RateLimited)` with the seconds until the window ends when over.
    pub async fn hit(&self, key: &str, limit: Limit) -> Result<(), AppError> {
        let (count, ttl) = self.count(&format!("rl:{key}"), limit.window).await;
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

    /// `Err(RateLimited)` while `key` is waiting after failures.
    pub async fn check_backoff(&self, key: &str) -> Result<(), AppError> {
        let wait_key = format!("rl:wait:{key}");
        let shared = match &self.shared {
            Some(cache) => cache.time_left(&wait_key).await,
            None => None,
        };
        let left = shared.max(self.local_time_left(&wait_key));
        match left {
            Some(left) if !left.is_zero() => {
                tracing::info!(limit = key.split(':').next().unwrap_or(""), "backing off");
                Err(AppError::RateLimited {
                    retry_after_secs: left.as_secs_f64().ceil() as u64,
                })
            }
            _ => Ok(()),
        }
    }

    /// Records a failure on `key` and starts the wait it earns.
    pub async fn fail(&self, key: &str, backoff: Backoff) {
        let (failures, _) = self.count(&format!("rl:fail:{key}"), backoff.memory).await;
        let wait = backoff.wait_after(failures);
        if wait.is_zero() {
            return;
        }
        let wait_key = format!("rl:wait:{key}");
        if let Some(cache) = &self.shared {
            cache.set_bytes(&wait_key, b"1".to_vec(), wait).await;
        }
        // Kept here too, so a Redis that fails right after cannot lift the wait.
        self.set_local(&wait_key, wait);
    }

    /// Forgets `key`'s failures (a successful login).
    pub async fn succeed(&self, key: &str) {
        let keys = [format!("rl:fail:{key}"), format!("rl:wait:{key}")];
        if let Some(cache) = &self.shared {
            for k in &keys {
                cache.delete(k).await;
            }
        }
        if let Ok(mut map) = self.local.lock() {
            for k in &keys {
                map.remove(k);
            }
        }
    }

    async fn count(&self, key: &str, window: Duration) -> (u64, Duration) {
        if let Some(cache) = &self.shared
            && let Some(counted) = cache.incr_window(key, window).await
        {
            return counted;
        }
        self.count_local(key, window)
    }

    fn count_local(&self, key: &str, window: Duration) -> (u64, Duration) {
        let now = Instant::now();
        let Ok(mut map) = self.local.lock() else {
            return (0, window);
        };
        if map.len() > LOCAL_SWEEP_AT {
            // Only expired counters go; a live one is never dropped to make room.
            map.retain(|_, (_, ends)| *ends > now);
        }
        let entry = map.entry(key.to_owned()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        (entry.0, entry.1.saturating_duration_since(now))
    }

    fn set_local(&self, key: &str, ttl: Duration) {
        if let Ok(mut map) = self.local.lock() {
            map.insert(key.to_owned(), (1, Instant::now() + ttl));
        }
    }

    fn local_time_left(&self, key: &str) -> Option<Duration> {
        let now = Instant::now();
        let map = self.local.lock().ok()?;
        map.get(key)
            .map(|(_, ends)| ends.saturating_duration_since(now))
            .filter(|left| !left.is_zero())
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

    #[tokio::test]
    async fn a_cache_flood_does_not_clear_a_counter() {
        let cache = Cache::memory("t:");
        let limiter = RateLimiter::new(cache.clone());
        let limit = Limit {
            max: 2,
            window: Duration::from_secs(60),
        };
        for _ in 0..2 {
            assert!(limiter.hit("login:victim", limit).await.is_ok());
        }
        // 25,000 distinct cached entries: the in-process cache sheds everything it holds.
        for i in 0..25_000 {
            cache
                .set_bytes(&format!("catalog:{i}"), vec![1], Duration::from_secs(60))
                .await;
        }
        assert!(limiter.hit("login:victim", limit).await.is_err());
    }

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_cap() {
        let backoff = Backoff {
            free: 5,
            max_wait: Duration::from_secs(900),
            memory: Duration::from_secs(86_400),
        };
        let waits: Vec<u64> = (1..=8).map(|n| backoff.wait_after(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 1, 2, 4]);
        assert_eq!(backoff.wait_after(40).as_secs(), 900);
        assert_eq!(backoff.wait_after(u64::MAX).as_secs(), 900);
    }

    #[tokio::test]
    async fn failures_earn_a_wait_and_a_success_forgets_them() {
        let limiter = RateLimiter::new(Cache::memory("t:"));
        let backoff = Backoff {
            free: 1,
            max_wait: Duration::from_secs(60),
            memory: Duration::from_secs(600),
        };
        limiter.fail("acct", backoff).await;
        assert!(limiter.check_backoff("acct").await.is_ok());
        limiter.fail("acct", backoff).await;
        assert!(matches!(
            limiter.check_backoff("acct").await,
            Err(AppError::RateLimited {
                retry_after_secs: 1
            })
        ));
        limiter.succeed("acct").await;
        assert!(limiter.check_backoff("acct").await.is_ok());
    }
}
