//! The `mvp-backend` binary itself: a bad config value exits non-zero naming the key; `migrate` is
//! safe when two processes run it at once; `healthcheck` and `admin grant` work.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use mvp_test_support::db;

const BIN: &str = env!("CARGO_BIN_EXE_mvp-backend");

fn run(vars: &BTreeMap<String, String>, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars)
        .output()
        .unwrap_or_else(|e| panic!("cannot run mvp-backend: {e}"))
}

/// Starts `mvp-backend <args>` twice at once and waits for both.
fn run_twice(vars: &BTreeMap<String, String>, args: &[&str]) -> (Output, Output) {
    let spawn = || {
        Command::new(BIN)
            .args(args)
            .env_clear()
            .envs(vars)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let (a, b) = (spawn(), spawn());
    (
        a.wait_with_output().unwrap_or_else(|e| panic!("{e}")),
        b.wait_with_output().unwrap_or_else(|e| panic!("{e}")),
    )
}

fn base_vars(database_url: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("CONFIG_DIR".to_owned(), "/nonexistent".to_owned()),
        ("APP_ENV".to_owned(), "test".to_owned()),
        ("MVP_DATABASE__URL".to_owned(), database_url.to_owned()),
        ("MVP_DATABASE__STARTUP_WAIT_SECS".to_owned(), "5".to_owned()),
        ("MVP_LOG__LEVEL".to_owned(), "warn".to_owned()),
    ])
}

#[test]
fn a_bad_config_value_exits_non_zero_naming_the_key() {
    let cases = [
        ("MVP_SERVER__BIND", "not-an-address", "server.bind"),
        (
            "MVP_DATABASE__MAX_CONNECTIONS",
            "many",
            "MVP_DATABASE__MAX_CONNECTIONS",
        ),
        ("MVP_AUTH__PROVIDER", "ldap", "auth.provider"),
        ("MVP_SERVER__PUBLIC_URL", "ftp://x", "server.public_url"),
        ("MVP_AUTH__LEEWAY_SECS", "600", "auth.leeway_secs"),
        ("REDIS_URL", "http://not-redis", "redis.url"),
    ];
    for (key, value, named) in cases {
        let mut vars = base_vars("postgres://postgres@127.0.0.1:1/none");
        vars.insert(key.to_owned(), value.to_owned());
        let output = run(&vars, &["serve"]);
        assert_eq!(output.status.code(), Some(2), "{key}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(named),
            "{key}={value}: stderr does not name {named}: {stderr}"
        );
    }
    // A secret's value is never echoed back, even when it is the broken part.
    let mut vars = base_vars("mysql://root:topsecret@db/x");
    vars.insert("MVP_SERVER__BIND".to_owned(), "0.0.0.0:3001".to_owned());
    let output = run(&vars, &["serve"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("database.url") && !stderr.contains("topsecret"),
        "{stderr}"
    );
}

/// An empty database `mvp_test_<suffix>` on the test server, and an admin connection to it.
async fn empty_database(admin: &str, suffix: &str) -> (sqlx::PgConnection, String) {
    let name = format!("mvp_test_{suffix}");
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("create database {name}")),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    (conn, name)
}

#[tokio::test]
async fn two_migrate_processes_at_once_both_succeed() {
    let admin = db::admin_url();
    let (_conn, name) = empty_database(&admin, &uuid::Uuid::new_v4().simple().to_string()).await;
    let vars = base_vars(&db::with_database(&admin, &name));
    let (a, b) = run_twice(&vars, &["migrate"]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let expected = mvp_core::db::MIGRATOR.iter().count();
    for out in [&a, &b] {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("migrations applied: {expected}")),
            "{stdout}"
        );
    }
    db::drop_database_blocking(admin, name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_and_admin_grant_commands() {
    let app = mvp_test_support::spawn_app().await;
    let vars = base_vars(&db::with_database(&db::admin_url(), &app.db_name));

    let ok = run(&vars, &["healthcheck", "--url", &app.url("")]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let port = mvp_test_support::free_port();
    let down = run(
        &vars,
        &["healthcheck", "--url", &format!("http://127.0.0.1:{port}")],
    );
    assert!(!down.status.success());

    let granted = run(&vars, &["admin", "grant", "auth0|cli-admin"]);
    assert!(
        granted.status.success(),
        "{}",
        String::from_utf8_lossy(&granted.stderr)
    );
    let token = app.token("auth0|cli-admin").await;
    assert_eq!(app.get_as(&token, "/api/_test/admin").await.status(), 200);
}

/// deploy/postgres/init-app-role.sh against a real server, then `migrate` and a query as the role it
/// made: migrations need no superuser, and the app's role cannot make roles or databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_run_as_the_non_superuser_app_role() {
    use std::str::FromStr as _;

    let admin = db::admin_url();
    let options =
        sqlx::postgres::PgConnectOptions::from_str(&admin).unwrap_or_else(|e| panic!("{e}"));
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let role = format!("mvp_role_{suffix}");
    let (mut conn, name) = empty_database(&admin, &suffix).await;
    let password_file = mvp_test_support::temp_dir("app-role").join("password");
    std::fs::write(&password_file, "app-role-password\n").unwrap_or_else(|e| panic!("{e}"));

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/postgres/init-app-role.sh"
    );
    let init = Command::new("sh")
        .arg(script)
        .env("PGHOST", options.get_host())
        .env("PGPORT", options.get_port().to_string())
        .env("POSTGRES_USER", options.get_username())
        .env("POSTGRES_DB", &name)
        .env("POSTGRES_APP_PASSWORD_FILE", &password_file)
        .env("MVP_DB_ROLE", &role)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );

    let as_role = format!(
        "postgres://{role}:app-role-password@{}:{}/{name}",
        options.get_host(),
        options.get_port()
    );
    let migrated = run(&base_vars(&as_role), &["migrate"]);
    let outcome = (
        migrated.status.success(),
        String::from_utf8_lossy(&migrated.stderr).into_owned(),
    );
    let mut app_conn = <sqlx::PgConnection as sqlx::Connection>::connect(&as_role)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let superuser: bool =
        sqlx::query_scalar("select rolsuper from pg_roles where rolname = current_user")
            .fetch_one(&mut app_conn)
            .await
            .unwrap_or(true);
    let create_role = sqlx::Executor::execute(&mut app_conn, "create role mvp_should_fail").await;
    let owner: String = sqlx::query_scalar(
        "select tableowner::text from pg_tables where schemaname = 'public' and tablename = 'vehicles'",
    )
    .fetch_one(&mut app_conn)
    .await
    .unwrap_or_default();
    drop(app_conn);
    db::drop_database_blocking(admin.clone(), name);
    let _ = sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("drop role if exists {role}")),
    )
    .await;

    assert!(outcome.0, "migrate as the app role failed: {}", outcome.1);
    assert!(!superuser, "the app role is a superuser");
    assert!(create_role.is_err(), "the app role could create a role");
    assert_eq!(owner, role, "the app role owns the tables it migrated");
}

/// Must show: two `job deliver` processes at once over 200 queued messages send each exactly once
/// (claims with `FOR UPDATE SKIP LOCKED`), through a real SMTP server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_deliver_processes_send_each_message_once() {
    let app = mvp_test_support::spawn_app().await;
    let sink = mvp_test_support::SmtpSink::start()
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let pool = app.pool().await;
    let mut tx = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    for n in 0..200 {
        let to = format!("driver{n}@example.com");
        let text = format!("message {n}");
        let queued = mvp_notifications::queue::enqueue(
            &mut tx,
            &mvp_notifications::queue::NewDelivery {
                idempotency_key: format!("load:{n}"),
                user_id: None,
                kind: "test_message",
                channel: mvp_notifications::queue::Channel::Email,
                recipient: &to,
                subject: "Load",
                text_body: &text,
                html_body: None,
                due_at: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(queued.is_some());
    }
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));

    let mut vars = base_vars(&db::with_database(&db::admin_url(), &app.db_name));
    vars.insert("MVP_MAIL__TRANSPORT".to_owned(), "smtp".to_owned());
    vars.insert("MVP_MAIL__SMTP_URL".to_owned(), sink.url());
    let (a, b) = run_twice(&vars, &["job", "deliver"]);
    let mut sent = 0;
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let n: usize = stdout
            .split("sent ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {stdout:?}"));
        sent += n;
    }
    assert_eq!(sent, 200);
    let messages = sink.messages();
    assert_eq!(messages.len(), 200);
    let mut ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200, "no message was sent twice");
    let waiting: i64 =
        sqlx::query_scalar("select count(*) from notification_deliveries where status <> 'sent'")
            .fetch_one(&pool)
            .await
            .unwrap_or(-1);
    assert_eq!(waiting, 0);
}

/// Every table a backup holds, as a row count and a digest of all its rows in a fixed order.
async fn table_digests(pool: &sqlx::PgPool) -> BTreeMap<String, (i64, String)> {
    let mut conn = pool.acquire().await.unwrap_or_else(|e| panic!("{e}"));
    let tables = mvp_backup::snapshot::tables(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = BTreeMap::new();
    for (schema, table, _) in tables {
        let sql = format!(
            "select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), ''))
               from \"{schema}\".\"{table}\" t"
        );
        let row: (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        out.insert(format!("{schema}.{table}"), row);
    }
    out
}

/// Every stored user file with its bytes.
async fn file_digests(storage: &mvp_core::storage::Storage) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for prefix in mvp_backup::archive::FILE_PREFIXES {
        for (key, _) in storage.list(prefix).await.unwrap_or_default() {
            let bytes = storage.get(&key).await.unwrap_or_default();
            out.insert(key, bytes.to_vec());
        }
    }
    out
}

/// `mvp-backend backup restore` killed (SIGKILL) in the middle: the files are back in storage, the
/// database transaction has emptied the tables and is refilling them. After it, the instance holds
/// the data as it was before the restore, every table and file; the backup lock is free, and the
/// restore run again to its end brings back the backup's data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_killed_midway_leaves_the_old_data_and_can_run_again() {
    let app = mvp_test_support::spawn_app().await;
    let owner = app.token("auth0|killed-restore").await;
    let first = app
        .create_vehicle(&owner, 10_000, serde_json::Value::Null)
        .await;
    app.create_document(&owner, first, None).await;
    for n in 0..20 {
        let body: serde_json::Value = serde_json::from_str(&format!(
            r#"{{"vehicleId": "{first}", "dateTime": "2026-01-{:02}T08:00:00Z",
                "odometerReading": {}, "fuelType": "gasoline", "fuelUnits": 10.5,
                "costPerUnit": 1.799}}"#,
            n + 1,
            10_100 + n * 100
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            app.post_json_as(&owner, "/api/fuel-logs", &body)
                .await
                .status(),
            201
        );
    }
    let pool = app.state.db.clone();
    let storage = app.state.storage.clone();
    let backup = mvp_backup::create(&pool, &storage, mvp_backup::Kind::Manual)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let (backed_tables, backed_files) = (table_digests(&pool).await, file_digests(&storage).await);

    // After the backup: another vehicle with a document, the first vehicle deleted.
    let second = app
        .create_vehicle(&owner, 50_000, serde_json::Value::Null)
        .await;
    app.create_document(&owner, second, None).await;
    assert_eq!(
        app.delete_as(&owner, &format!("/api/vehicles/{first}"))
            .await
            .status(),
        204
    );
    let (old_tables, old_files) = (table_digests(&pool).await, file_digests(&storage).await);
    assert_ne!(old_tables, backed_tables);

    // A reader holding a table stops the restore at its TRUNCATE, inside its transaction.
    let mut reader = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("lock table public.vehicles in access share mode")
        .execute(&mut *reader)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut vars = base_vars(&db::with_database(&db::admin_url(), &app.db_name));
    vars.insert(
        "MVP_STORAGE__DATA_DIR".to_owned(),
        app.state
            .config
            .storage
            .data_dir
            .to_string_lossy()
            .into_owned(),
    );
    let mut child = Command::new(BIN)
        .args(["backup", "restore", &backup.id.to_string()])
        .env_clear()
        .envs(&vars)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut waiting = false;
    for _ in 0..300 {
        waiting = sqlx::query_scalar(
            "select exists(select 1 from pg_stat_activity
                            where query ilike 'truncate%' and wait_event_type = 'Lock')",
        )
        .fetch_one(&pool)
        .await
        .unwrap_or(false);
        if waiting {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(waiting, "the restore never reached its TRUNCATE");
    child.kill().unwrap_or_else(|e| panic!("{e}"));
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(!status.success());
    reader.rollback().await.unwrap_or_else(|e| panic!("{e}"));

    // Postgres rolled the restore's transaction back: the old data, every table.
    let mut settled = false;
    for _ in 0..50 {
        if mvp_backup::lock::try_acquire(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_some()
        {
            settled = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(settled, "the killed process's lock was never released");
    assert_eq!(
        table_digests(&pool).await,
        old_tables,
        "a mix of old and new rows"
    );
    // Every file the old data had is there, byte for byte (the archive's files were put back
    // before the transaction; the first vehicle's document is such a one, unreferenced now).
    let files = file_digests(&storage).await;
    for (key, bytes) in &old_files {
        assert!(files.get(key) == Some(bytes), "{key} differs or is gone");
    }
    // The app takes writes (no maintenance mode is left behind).
    let third = serde_json::json!({"year": 2021, "make": "Kia", "model": "Niro"});
    assert_eq!(
        app.post_json_as(&owner, "/api/vehicles", &third)
            .await
            .status(),
        201
    );
    let old_tables = table_digests(&pool).await;

    // Run to its end, the restore brings back exactly the backup.
    let done = run(&vars, &["backup", "restore", &backup.id.to_string()]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(table_digests(&pool).await, backed_tables);
    assert_ne!(backed_tables, old_tables);
    assert_eq!(file_digests(&storage).await, backed_files);
    app.shutdown().await;
}
