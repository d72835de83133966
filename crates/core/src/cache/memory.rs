//! The in-process store: bounded by bytes (keys and values), each entry with its own time to live
//! (moka), so a flood of distinct entries evicts the least likely to be used, one at a time.

use std::time::{Duration, Instant};

/// A cached value and when it expires.
#[derive(Clone)]
pub(super) struct Entry {
    pub(super) bytes: bytes::Bytes,
    pub(super) expires: Instant,
}

/// Each entry lives until its own `expires`.
struct UntilExpires;

impl moka::Expiry<String, Entry> for UntilExpires {
    fn expire_after_create(&self, _: &String, entry: &Entry, now: Instant) -> Option<Duration> {
        Some(entry.expires.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Entry,
        now: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.expires.saturating_duration_since(now))
    }
}

/// An in-process store bounded by bytes, with a time to live per entry (moka).
pub(super) type Store = moka::sync::Cache<String, Entry>;

pub(super) fn store(max_bytes: u64) -> Store {
    moka::sync::Cache::builder()
        .max_capacity(max_bytes)
        .weigher(|key: &String, entry: &Entry| {
            u32::try_from(key.len() + entry.bytes.len()).unwrap_or(u32::MAX)
        })
        .expire_after(UntilExpires)
        .support_invalidation_closures()
        .build()
}

/// The live entry under `key`, if any (moka drops expired ones lazily).
pub(super) fn live(store: &Store, key: &str) -> Option<Entry> {
    store.get(key).filter(|e| e.expires > Instant::now())
}
