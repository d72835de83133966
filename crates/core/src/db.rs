//! Postgres: the pool and the migrator. Migrations live in `migrations/` at the workspace root, one
//! ordered sequence for every feature; sqlx takes an advisory lock while applying them, so two
//! processes starting at once are safe.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, migrate::Migrator};

use crate::config::DatabaseConfig;

pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

fn options(config: &DatabaseConfig) -> anyhow::Result<PgConnectOptions> {
    config
        .connect_url()
        .expose_secret()
        .parse::<PgConnectOptions>()
        .map_err(|_| {
            anyhow::anyhow!("database.url is not a valid Postgres URL (the value is not shown)")
        })
        .map(|o| {
            o.application_name("mvp-backend")
                .statement_cache_capacity(STATEMENT_CACHE)
        })
}

/// Prepared statements kept per connection. The code has about 230 distinct statements (`.sqlx/`);
/// sqlx's default of 100 would evict hot ones in a process that serves every route, and re-prepare
/// them (one more round trip) on their next use.
const STATEMENT_CACHE: usize = 512;

/// A pooled connection idle longer than this is pinged before use (Postgres may have restarted
/// meanwhile, and the ping replaces it unseen). A busy server's connections are idle for far less,
/// so a request is not charged a round trip for the ping; a connection that broke while in use
/// fails its request with a 503 and is replaced.
const PING_IF_IDLE: Duration = Duration::from_secs(1);

fn pool_options(config: &DatabaseConfig) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout())
        .idle_timeout(Some(Duration::from_secs(300)))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_IF_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// A pool that connects on first use. Requests made while Postgres is down fail after the acquire
/// timeout with a 503, and the pool reconnects by itself once Postgres is back.
pub fn lazy_pool(config: &DatabaseConfig) -> anyhow::Result<PgPool> {
    Ok(pool_options(config).connect_lazy_with(options(config)?))
}

/// Waits up to `database.startup_wait_secs` for Postgres to accept connections (containers start in
/// any order), then returns the pool.
pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<PgPool> {
    let pool = lazy_pool(config)?;
    let deadline = Instant::now() + Duration::from_secs(config.startup_wait_secs);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        match sqlx::query_scalar!(r#"select 1 as "one!""#)
            .fetch_one(&pool)
            .await
        {
            Ok(_) => return Ok(pool),
            Err(err) if Instant::now() < deadline => {
                tracing::warn!(attempt, error = %err, "waiting for the database");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => {
                return Err(err).context(format!(
                    "the database did not answer within {} s (database.startup_wait_secs)",
                    config.startup_wait_secs
                ));
            }
        }
    }
}

/// A `LIKE` pattern matching text that contains `needle` (lower-cased: compare with `lower(…)`), its
/// `%`, `_` and `\` taken literally.
pub fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Takes the transaction-scoped advisory lock named `key` (hashed), held until `conn`'s transaction
/// ends: serialises one kind of write on one subject (a user's uploads, a vehicle's monthly roll-up).
pub async fn xact_lock(conn: &mut sqlx::PgConnection, key: &str) -> sqlx::Result<()> {
    sqlx::query_scalar!(
        r#"select true as "locked!" from pg_advisory_xact_lock(hashtextextended($1, 0))"#,
        key,
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Runs `work` while holding the session-level advisory lock `key` on one pooled connection, so one
/// replica at a time does a background job. `Ok(None)`: another replica holds it; nothing ran.
pub async fn with_advisory_lock<T, F>(pool: &PgPool, key: i64, work: F) -> anyhow::Result<Option<T>>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut lock = pool.acquire().await?;
    let locked: bool = sqlx::query_scalar!(r#"select pg_try_advisory_lock($1) as "locked!""#, key)
        .fetch_one(&mut *lock)
        .await?;
    if !locked {
        return Ok(None);
    }
    let result = work.await;
    let _ = sqlx::query_scalar!(r#"select pg_advisory_unlock($1) as "unlocked!""#, key)
        .fetch_one(&mut *lock)
        .await;
    result.map(Some)
}

/// Applies pending migrations (under Postgres' advisory lock).
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("applying database migrations failed")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn a_search_pattern_takes_wildcards_literally() {
        assert_eq!(contains_pattern("Ann"), "%ann%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}

/// What a [`listen`] loop tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listening<'a> {
    /// Listening (again): anything announced before may have been missed.
    Started,
    /// One notification's payload.
    Heard(&'a str),
    /// The connection was lost; `Started` follows once it is back.
    Lost,
}

/// How the `application_name` of every process's [`listen`] connection on `channel` starts: how one
/// replica sees, in `pg_stat_activity`, whether another one listens.
pub fn listener_prefix(channel: &str) -> String {
    format!("mvp-backend listen {channel} ")
}

/// The `application_name` of the [`listen`] connection on `channel` of the replica called
/// `replica`, set before its `LISTEN`: [`listener_prefix`] and the replica's name (a connection that
/// goes back to the pool still named so is known as the replica's own, not taken for another's). At
/// most 16 characters of `replica` are used, so the name fits Postgres' 63 bytes.
pub fn listener_name(channel: &str, replica: &str) -> String {
    let replica: String = replica.chars().take(16).collect();
    format!("{}{replica}", listener_prefix(channel))
}

/// Listens on `channel` on a connection of its own, with the `application_name` `name` (see
/// [`listener_name`]), until `pool` closes, reconnecting after a loss (retried every 2 s; `what`
/// names the listener in the log), and tells `on` what happens.
pub async fn listen(
    pool: PgPool,
    channel: &str,
    name: &str,
    what: &str,
    mut on: impl FnMut(Listening<'_>),
) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %err, listener = what, "cannot connect to listen; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        // On a loss, the connection is made again (and named) below, not by sqlx.
        listener.eager_reconnect(false);
        let named = sqlx::query_scalar!(
            r#"select set_config('application_name', $1, false) as "name!""#,
            name
        )
        .fetch_one(&mut listener)
        .await;
        if let Err(err) = named {
            tracing::warn!(error = %err, listener = what, "cannot name the listening connection; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        if let Err(err) = listener.listen(channel).await {
            tracing::warn!(error = %err, listener = what, "cannot LISTEN; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        on(Listening::Started);
        loop {
            match listener.try_recv().await {
                Ok(Some(note)) => on(Listening::Heard(note.payload())),
                // The connection was lost; the next is made (and named) at the top.
                Ok(None) => {
                    on(Listening::Lost);
                    break;
                }
                Err(err) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %err, listener = what, "listening failed; reconnecting");
                    on(Listening::Lost);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}
