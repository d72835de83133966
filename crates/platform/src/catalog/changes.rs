//! The catalog version: bumped and announced with every change, read (near copy first) to key the
//! cached reads, and each replica's near copy dropped when a change is announced.

use std::time::Duration;

use mvp_core::Cache;
use sqlx::{PgConnection, PgPool};

use super::{CACHE_PREFIX, CHANNEL, LAST_VERSION_KEY, VERSION_KEY, VERSION_TTL};

/// Bumps the catalog version in the caller's transaction and announces it (Postgres delivers the
/// NOTIFY when the transaction commits, and not at all when it rolls back).
pub(crate) async fn bump_version(conn: &mut PgConnection) -> sqlx::Result<i64> {
    let version = sqlx::query_scalar!(
        "update vehicles.catalog_version set version = version + 1 returning version"
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!("select pg_notify($1, $2)", CHANNEL, version.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(version)
}

/// The catalog version this process reads with: its near copy, else Postgres' (kept for
/// [`VERSION_TTL`], or until a change is announced).
pub async fn version(pool: &PgPool, cache: &Cache) -> sqlx::Result<i64> {
    if let Some(v) = cache
        .near_only(VERSION_KEY)
        .as_deref()
        .and_then(parse_version)
    {
        return Ok(v);
    }
    let version = match sqlx::query_scalar!("select version from vehicles.catalog_version")
        .fetch_one(pool)
        .await
    {
        Ok(version) => version,
        // Postgres is away: the last version this process knew still finds the cached reads.
        Err(err) => match cache
            .near_only(LAST_VERSION_KEY)
            .as_deref()
            .and_then(parse_version)
        {
            Some(v) => v,
            None => return Err(err),
        },
    };
    let text = bytes::Bytes::from(version.to_string());
    cache.set_near_only(VERSION_KEY, text.clone(), VERSION_TTL);
    cache.set_near_only(LAST_VERSION_KEY, text, Duration::from_secs(24 * 3600));
    Ok(version)
}

fn parse_version(bytes: &[u8]) -> Option<i64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// After a committed change: this process reads the new version at once, and the entries of older
/// versions are dropped from Redis (best effort — they are never read again either way).
pub async fn changed(cache: &Cache) {
    cache.delete_prefix(CACHE_PREFIX).await;
}

/// Keeps this replica's near copy in step with changes other replicas make: on every
/// `NOTIFY catalog_version`, and whenever the listening connection was lost (a notification may
/// have been missed), the near copy of the catalog is dropped. Runs until the pool closes.
pub async fn listen(pool: PgPool, cache: Cache) {
    // Started (anything announced before LISTEN took effect is covered by starting afresh), a
    // change heard, or the connection lost: the near copy goes each time.
    let name = mvp_core::db::listener_name(CHANNEL, &std::process::id().to_string());
    mvp_core::db::listen(pool, CHANNEL, &name, "catalog changes", |_| {
        cache.forget_near(CACHE_PREFIX);
    })
    .await;
}
