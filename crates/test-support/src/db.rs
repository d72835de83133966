//! A fresh database per test: the migrations run once into a template database (named after a hash
//! of the migrations, built under an advisory lock so parallel test processes agree), then each test
//! gets `CREATE DATABASE … TEMPLATE …` (tens of milliseconds) and drops it when done.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context as _;
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::OnceCell;

/// The server tests create their databases on: `MVP_TEST_DATABASE_URL`, else the local default.
pub fn admin_url() -> String {
    std::env::var("MVP_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |j| j + 2) => &base[..i],
        _ => base,
    };
    format!("{prefix}/{name}{query}")
}

fn migrations_hash() -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for m in mvp_core::db::MIGRATOR.iter() {
        m.version.hash(&mut hasher);
        m.checksum.hash(&mut hasher);
    }
    // The template also holds the catalog: new data, new template.
    mvp_platform::catalog::CATALOG_CSV.hash(&mut hasher);
    mvp_platform::catalog::WMI_CSV.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// One template per Postgres server this process uses (the shared one, or a `TempPostgres`).
static TEMPLATES: OnceLock<Mutex<HashMap<String, Arc<OnceCell<String>>>>> = OnceLock::new();

/// The migrated template's name on the server at `admin_url` (created on first use).
pub async fn template(admin_url: &str) -> anyhow::Result<String> {
    let cell = {
        let mut map = TEMPLATES
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .map_err(|_| anyhow::anyhow!("template registry poisoned"))?;
        map.entry(admin_url.to_owned()).or_default().clone()
    };
    cell.get_or_try_init(|| async {
        let name = format!("mvp_tmpl_{}", migrations_hash());
        let mut admin = PgConnection::connect(admin_url)
            .await
            .context("cannot connect to the test Postgres (MVP_TEST_DATABASE_URL)")?;
        admin.execute("select pg_advisory_lock(727274)").await?;
        let result = build_template(&mut admin, admin_url, &name).await;
        admin.execute("select pg_advisory_unlock(727274)").await?;
        admin.close().await?;
        result.map(|()| name)
    })
    .await
    .cloned()
}

async fn build_template(
    admin: &mut PgConnection,
    admin_url: &str,
    name: &str,
) -> anyhow::Result<()> {
    let exists: bool =
        sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
            .bind(name)
            .fetch_one(&mut *admin)
            .await?;
    if exists {
        return Ok(());
    }
    let building = format!("{name}_building");
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "drop database if exists {building} with (force)"
        )))
        .await?;
    admin
        .execute(sqlx::AssertSqlSafe(format!("create database {building}")))
        .await?;
    {
        let mut conn = PgConnection::connect(&with_database(admin_url, &building)).await?;
        mvp_core::db::MIGRATOR
            .run(&mut conn)
            .await
            .context("migrating the template database failed")?;
        conn.close().await?;
        let pool = sqlx::PgPool::connect(&with_database(admin_url, &building)).await?;
        mvp_platform::catalog::ensure_loaded(&pool, None)
            .await
            .context("loading the catalog into the template failed")?;
        pool.close().await;
    }
    // Renamed only when complete, so a half-built template is never used.
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "alter database {building} rename to {name}"
        )))
        .await?;
    Ok(())
}

/// A new, migrated, empty database; returns its name.
pub async fn create_test_database(admin_url: &str) -> anyhow::Result<String> {
    let template = template(admin_url).await?;
    let name = format!("mvp_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(admin_url).await?;
    // Two CREATE DATABASE … TEMPLATE at once can collide on the template; retry briefly.
    let mut attempt = 0;
    loop {
        let sql = format!("create database {name} template {template}");
        match admin.execute(sqlx::AssertSqlSafe(sql)).await {
            Ok(_) => break,
            Err(err) if attempt < 20 => {
                attempt += 1;
                tracing::debug!(error = %err, "template busy; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(err) => return Err(err).context("cannot create a test database"),
        }
    }
    admin.close().await?;
    Ok(name)
}

/// A new database with nothing in it (no migrations): for tests of a migration itself, which run
/// the migrations up to a version, write rows the old way, then run the rest. Returns its name.
pub async fn create_empty_database(admin_url: &str) -> anyhow::Result<String> {
    let name = format!("mvp_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(admin_url).await?;
    admin
        .execute(sqlx::AssertSqlSafe(format!("create database {name}")))
        .await
        .context("cannot create an empty test database")?;
    admin.close().await?;
    Ok(name)
}

/// Drops a test database (from a plain thread, so it works inside `Drop`).
pub fn drop_database_blocking(admin_url: String, name: String) {
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                let _ = admin
                    .execute(sqlx::AssertSqlSafe(format!(
                        "drop database if exists {name} with (force)"
                    )))
                    .await;
                let _ = admin.close().await;
            }
        });
    })
    .join();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced_and_query_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5432", "x"),
            "postgres://u@h:5432/x"
        );
    }
}
