//! The cache: Redis when configured, an in-process map otherwise. A cache is an optimisation, never a
//! dependency: every Redis failure (down, slow, gone mid-request) is logged and treated as a miss, so
//! requests still succeed from Postgres and health reports `degraded`. The in-process store is in
//! memory.rs, the Redis connection in remote.rs.

mod memory;
mod remote;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mvp_types::{ComponentHealth, HealthStatus};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::config::RedisConfig;

use self::memory::{Entry, Store, live, store};
use self::remote::{ManagerSlot, RedisBackend, escape_glob};

/// Bytes (keys and values) the in-process cache holds; past it moka evicts the entries least likely
/// to be used again, one at a time — never the whole cache.
const MEMORY_BYTES: u64 = 64 * 1024 * 1024;
/// Bytes of the near copy in front of Redis.
const NEAR_BYTES: u64 = 16 * 1024 * 1024;
/// How often a missing Redis connection is retried.
const RECONNECT_EVERY: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("backend", &self.backend_name())
            .field("prefix", &self.inner.prefix)
            .finish()
    }
}

struct Inner {
    prefix: String,
    backend: Backend,
    /// A small in-process copy in front of Redis for hot, rarely changing reads (`get_bytes_near`).
    near: Store,
    /// How many times a near copy was forgotten: a load that started before a forget must not keep
    /// what it read ([`Cache::near_ticket`]).
    forgets: AtomicU64,
}

enum Backend {
    Redis(RedisBackend),
    Memory(Store),
}

impl Cache {
    /// Redis when `redis.url`/`redis.host` is set, else in-process. Never fails: an unreachable Redis
    /// is retried in the background of later calls.
    pub fn from_config(config: &RedisConfig) -> anyhow::Result<Self> {
        let backend = match config.url() {
            Some(url) => {
                let client = redis::Client::open(url.expose_secret()).map_err(|_| {
                    anyhow::anyhow!("redis.url is not a valid Redis URL (not shown)")
                })?;
                Backend::Redis(RedisBackend {
                    client,
                    timeout: config.timeout(),
                    manager: Mutex::new(ManagerSlot {
                        manager: None,
                        last_attempt: None,
                    }),
                })
            }
            None => Backend::Memory(store(MEMORY_BYTES)),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                prefix: config.key_prefix.clone(),
                backend,
                near: store(NEAR_BYTES),
                forgets: AtomicU64::new(0),
            }),
        })
    }

    /// An in-process cache (tests, and deployments without Redis).
    pub fn memory(prefix: &str) -> Self {
        Self {
            inner: Arc::new(Inner {
                prefix: prefix.to_owned(),
                backend: Backend::Memory(store(MEMORY_BYTES)),
                near: store(NEAR_BYTES),
                forgets: AtomicU64::new(0),
            }),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.inner.backend {
            Backend::Redis(_) => "redis",
            Backend::Memory(_) => "memory",
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.inner.prefix, key)
    }

    pub async fn get_bytes(&self, key: &str) -> Option<Vec<u8>> {
        let full = self.key(key);
        match &self.inner.backend {
            Backend::Memory(map) => live(map, &full).map(|e| e.bytes.to_vec()),
            Backend::Redis(redis) => {
                let mut cmd = redis::cmd("GET");
                cmd.arg(&full);
                redis.run::<Option<Vec<u8>>>(cmd).await.flatten()
            }
        }
    }

    pub async fn set_bytes(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        let full = self.key(key);
        match &self.inner.backend {
            Backend::Memory(map) => {
                let entry = Entry {
                    bytes: value.into(),
                    expires: Instant::now() + ttl,
                };
                map.insert(full, entry);
            }
            Backend::Redis(redis) => {
                let mut cmd = redis::cmd("SET");
                cmd.arg(&full)
                    .arg(value)
                    .arg("PX")
                    .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1));
                redis.run::<()>(cmd).await;
            }
        }
    }

    /// How long `key` has left; `None` when it is absent, has no expiry, or Redis failed.
    pub async fn time_left(&self, key: &str) -> Option<Duration> {
        let full = self.key(key);
        match &self.inner.backend {
            Backend::Memory(map) => {
                live(map, &full).map(|e| e.expires.saturating_duration_since(Instant::now()))
            }
            Backend::Redis(redis) => {
                let mut cmd = redis::cmd("PTTL");
                cmd.arg(&full);
                let millis = redis.run::<i64>(cmd).await?;
                u64::try_from(millis)
                    .ok()
                    .filter(|m| *m > 0)
                    .map(Duration::from_millis)
            }
        }
    }

    /// Whether entries are shared by every replica (Redis) rather than kept in this process.
    pub fn is_shared(&self) -> bool {
        matches!(self.inner.backend, Backend::Redis(_))
    }

    pub async fn delete(&self, key: &str) {
        let full = self.key(key);
        match &self.inner.backend {
            Backend::Memory(map) => map.invalidate(&full),
            Backend::Redis(redis) => {
                let mut cmd = redis::cmd("DEL");
                cmd.arg(&full);
                redis.run::<i64>(cmd).await;
            }
        }
    }

    /// Increments a counter that expires `window` after its first hit; returns the count and the time
    /// left. `None` when Redis failed (the caller falls back).
    pub async fn incr_window(&self, key: &str, window: Duration) -> Option<(u64, Duration)> {
        let full = self.key(key);
        let millis = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        match &self.inner.backend {
            Backend::Memory(map) => {
                let now = Instant::now();
                // Read, add one and write back as one step (moka locks the key meanwhile).
                let entry = map
                    .entry(full)
                    .and_upsert_with(|current| {
                        let (count, expires) = match current.map(|e| e.into_value()) {
                            Some(e) if e.expires > now => {
                                let count = std::str::from_utf8(&e.bytes)
                                    .ok()
                                    .and_then(|s| s.parse::<u64>().ok())
                                    .unwrap_or(0);
                                (count + 1, e.expires)
                            }
                            _ => (1, now + window),
                        };
                        Entry {
                            bytes: count.to_string().into_bytes().into(),
                            expires,
                        }
                    })
                    .into_value();
                let count = std::str::from_utf8(&entry.bytes)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(1);
                Some((count, entry.expires.saturating_duration_since(now)))
            }
            Backend::Redis(redis) => {
                let mut pipe = redis::pipe();
                pipe.atomic()
                    .cmd("INCR")
                    .arg(&full)
                    .cmd("PEXPIRE")
                    .arg(&full)
                    .arg(millis)
                    .arg("NX")
                    .ignore()
                    .cmd("PTTL")
                    .arg(&full);
                let (count, ttl): (u64, i64) = redis.run_pipe(pipe).await?;
                let ttl = Duration::from_millis(u64::try_from(ttl).unwrap_or(millis));
                Some((count, ttl))
            }
        }
    }

    /// Like `get_bytes`, but first looks in this process's near copy (kept `near_ttl`), which saves
    /// the Redis round trip on hot reads. Another process's invalidation reaches this copy only when
    /// it expires, so use it for data that may be `near_ttl` stale (the vehicle catalog).
    pub async fn get_bytes_near(&self, key: &str, near_ttl: Duration) -> Option<bytes::Bytes> {
        let full = self.key(key);
        if let Some(hit) = live(&self.inner.near, &full) {
            return Some(hit.bytes);
        }
        let bytes = bytes::Bytes::from(self.get_bytes(key).await?);
        self.remember_near(full, bytes.clone(), near_ttl);
        Some(bytes)
    }

    /// `set_bytes` that also fills the near copy.
    pub async fn set_bytes_near(
        &self,
        key: &str,
        value: bytes::Bytes,
        ttl: Duration,
        near_ttl: Duration,
    ) {
        self.remember_near(self.key(key), value.clone(), near_ttl);
        self.set_bytes(key, value.to_vec(), ttl).await;
    }

    /// Only this process's near copy: never Redis (a value another source of truth backs, such as
    /// the catalog version in Postgres).
    pub fn near_only(&self, key: &str) -> Option<bytes::Bytes> {
        live(&self.inner.near, &self.key(key)).map(|hit| hit.bytes)
    }

    /// Keeps `value` in this process's near copy only, for `ttl`.
    pub fn set_near_only(&self, key: &str, value: bytes::Bytes, ttl: Duration) {
        self.remember_near(self.key(key), value, ttl);
    }

    /// Drops this process's near copies of keys starting with `prefix` (Redis is left alone): what a
    /// replica does when another one announces a change.
    pub fn forget_near(&self, prefix: &str) {
        self.inner.forgets.fetch_add(1, Ordering::AcqRel);
        let full = self.key(prefix);
        // Only fails when closures were not enabled, which `store` always does.
        let _ = self
            .inner
            .near
            .invalidate_entries_if(move |key: &String, _: &Entry| key.starts_with(&full));
    }

    /// Drops this process's near copy of exactly `key` (Redis is left alone).
    pub fn forget_near_key(&self, key: &str) {
        self.inner.forgets.fetch_add(1, Ordering::AcqRel);
        self.inner.near.invalidate(&self.key(key));
    }

    /// Taken before loading a value that [`Cache::set_near_since`] will keep: a value read from the
    /// database before a change and stored after that change's forget would outlive it.
    pub fn near_ticket(&self) -> u64 {
        self.inner.forgets.load(Ordering::Acquire)
    }

    /// [`Cache::set_near_only`], unless something was forgotten since `ticket` was taken (then the
    /// value may predate that change and is not kept).
    pub fn set_near_since(&self, ticket: u64, key: &str, value: bytes::Bytes, ttl: Duration) {
        if self.near_ticket() != ticket {
            return;
        }
        let full = self.key(key);
        self.remember_near(full.clone(), value, ttl);
        // A forget between the check and the insert may have run before the insert: undo it.
        if self.near_ticket() != ticket {
            self.inner.near.invalidate(&full);
        }
    }

    fn remember_near(&self, full: String, bytes: bytes::Bytes, ttl: Duration) {
        let expires = Instant::now() + ttl;
        self.inner.near.insert(full, Entry { bytes, expires });
    }

    /// Deletes every key starting with `prefix` (catalog invalidation). Redis: SCAN + UNLINK.
    pub async fn delete_prefix(&self, prefix: &str) {
        self.forget_near(prefix);
        let full = self.key(prefix);
        let matching = |full: String| move |key: &String, _: &Entry| key.starts_with(&full);
        match &self.inner.backend {
            Backend::Memory(map) => {
                let _ = map.invalidate_entries_if(matching(full.clone()));
            }
            Backend::Redis(redis) => {
                let pattern = format!("{}*", escape_glob(&full));
                let mut cursor: u64 = 0;
                loop {
                    let mut scan = redis::cmd("SCAN");
                    scan.arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(500);
                    let Some((next, keys)) = redis.run::<(u64, Vec<String>)>(scan).await else {
                        return;
                    };
                    if !keys.is_empty() {
                        let mut unlink = redis::cmd("UNLINK");
                        unlink.arg(keys);
                        redis.run::<i64>(unlink).await;
                    }
                    if next == 0 {
                        break;
                    }
                    cursor = next;
                }
            }
        }
    }

    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = self.get_bytes(key).await?;
        serde_json::from_slice(&bytes).ok()
    }

    pub async fn set_json<T: Serialize>(&self, key: &str, value: &T, ttl: Duration) {
        if let Ok(bytes) = serde_json::to_vec(value) {
            self.set_bytes(key, bytes, ttl).await;
        }
    }

    /// Cache-aside: the cached value, or `load()`'s result (stored for `ttl`). Errors from `load` are
    /// returned and not cached.
    pub async fn get_or_load<T, E, F, Fut>(&self, key: &str, ttl: Duration, load: F) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(hit) = self.get_json(key).await {
            return Ok(hit);
        }
        let value = load().await?;
        self.set_json(key, &value, ttl).await;
        Ok(value)
    }

    /// Health of the cache backend (`disabled` for the in-process cache: Redis is off by configuration).
    pub async fn health(&self) -> ComponentHealth {
        match &self.inner.backend {
            Backend::Memory(_) => ComponentHealth {
                status: HealthStatus::Disabled,
                latency_ms: None,
                message: Some("no Redis configured; in-process cache".to_owned()),
            },
            Backend::Redis(redis) => {
                let started = Instant::now();
                let pong = redis.run::<String>(redis::cmd("PING")).await;
                match pong {
                    Some(_) => ComponentHealth {
                        status: HealthStatus::Ok,
                        latency_ms: Some(
                            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                        ),
                        message: None,
                    },
                    None => ComponentHealth {
                        status: HealthStatus::Unavailable,
                        latency_ms: None,
                        message: Some("redis is not reachable".to_owned()),
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_cache_expires_entries() {
        let cache = Cache::memory("t:");
        cache
            .set_bytes("k", b"v".to_vec(), Duration::from_millis(30))
            .await;
        assert_eq!(cache.get_bytes("k").await, Some(b"v".to_vec()));
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(cache.get_bytes("k").await, None);
    }

    #[tokio::test]
    async fn get_or_load_loads_once_then_hits() {
        let cache = Cache::memory("t:");
        let mut loads = 0;
        for _ in 0..3 {
            let value: Result<u32, ()> = cache
                .get_or_load("n", Duration::from_secs(60), || {
                    loads += 1;
                    async { Ok(42) }
                })
                .await;
            assert_eq!(value, Ok(42));
        }
        assert_eq!(loads, 1);
    }

    /// 20,000 distinct 4 KiB entries (80 MB, more than the cache holds): it stays within its byte
    /// bound and keeps most of them — the hand-written map it replaced dropped everything when it
    /// reached 10,000 entries, whatever their size.
    #[tokio::test]
    async fn the_memory_cache_is_bounded_by_bytes_and_sheds_one_entry_at_a_time() {
        let cache = Cache::memory("t:");
        let value = vec![7u8; 4096];
        for i in 0..20_000 {
            cache
                .set_bytes(&format!("k{i}"), value.clone(), Duration::from_secs(60))
                .await;
        }
        let Backend::Memory(store) = &cache.inner.backend else {
            panic!("a memory cache")
        };
        store.run_pending_tasks();
        assert!(
            store.weighted_size() <= MEMORY_BYTES,
            "{}",
            store.weighted_size()
        );
        assert!(store.entry_count() > 10_000, "{}", store.entry_count());
    }

    /// A value loaded before a change and stored after that change's forget is not kept: the next
    /// read loads again instead of serving the old value for the copy's lifetime.
    #[test]
    fn a_near_copy_loaded_before_a_forget_is_not_kept() {
        let cache = Cache::memory("t:");
        let ttl = Duration::from_secs(60);
        let ticket = cache.near_ticket();
        cache.forget_near_key("prefs:a");
        cache.set_near_since(ticket, "prefs:a", bytes::Bytes::from_static(b"old"), ttl);
        assert_eq!(cache.near_only("prefs:a"), None);

        let ticket = cache.near_ticket();
        cache.set_near_since(ticket, "prefs:a", bytes::Bytes::from_static(b"new"), ttl);
        assert_eq!(cache.near_only("prefs:a").as_deref(), Some(&b"new"[..]));
        cache.forget_near_key("prefs:a");
        assert_eq!(cache.near_only("prefs:a"), None);
    }
}
