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
