//! The real server process (the shipped entry point plus test routes): SIGTERM during a slow request
//! lets it finish and then exits; the grace period bounds how long that may take; JSON logs carry the
//! request fields and never the token.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mvp_test_support::app::TestAppBuilder;
use mvp_test_support::{StubIssuer, db, free_port};

const BIN: &str = env!("CARGO_BIN_EXE_mvp-test-server");

struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
    db_name: String,
}

async fn start(issuer: &StubIssuer, extra: &[(&str, &str)]) -> Server {
    let admin = db::admin_url();
    let db_name = db::create_test_database(&admin)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let data_dir = mvp_test_support::temp_dir("mvp-proc");
    let port = free_port();
    let mut vars =
        TestAppBuilder::new().config_vars(issuer, &db::with_database(&admin, &db_name), &data_dir);
    vars.insert("MVP_SERVER__BIND".into(), format!("127.0.0.1:{port}"));
    vars.insert("MVP_LOG__FORMAT".into(), "json".into());
    vars.insert("MVP_LOG__LEVEL".into(), "info".into());
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&vars)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    let stdout = Arc::new(Mutex::new(Vec::new()));
    if let Some(out) = child.stdout.take() {
        let lines = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(mut l) = lines.lock() {
                    l.push(line);
                }
            }
        });
    }
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let live = client
            .get(format!("http://127.0.0.1:{port}/health/live"))
            .send()
            .await;
        if live.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server {
        child,
        port,
        stdout,
        db_name,
    }
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("process did not exit within {within:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_slow_request_lets_it_finish_then_exits() {
    let issuer = StubIssuer::start().await;
    let mut server = start(&issuer, &[("MVP_SERVER__SHUTDOWN_GRACE_SECS", "10")]).await;
    let url = format!("http://127.0.0.1:{}/api/_test/slow?ms=1500", server.port);
    let slow = tokio::spawn(async move { reqwest::get(url).await });
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    sigterm(&server.child);

    let response = slow
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("the in-flight request was cut off: {e}"));
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(body["slept"], 1500);

    let code = wait_exit(&mut server.child, Duration::from_secs(8));
    assert_eq!(code, Some(0));
    assert!(
        signalled.elapsed() >= Duration::from_millis(1000),
        "exited before the request could finish"
    );
    let lines = server
        .stdout
        .lock()
        .map(|l| l.join("\n"))
        .unwrap_or_default();
    assert!(lines.contains("shutdown requested"), "{lines}");
    assert!(lines.contains("\"stopped\""), "{lines}");
    db::drop_database_blocking(db::admin_url(), server.db_name.clone());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grace_period_bounds_shutdown() {
    let issuer = StubIssuer::start().await;
    let mut server = start(&issuer, &[("MVP_SERVER__SHUTDOWN_GRACE_SECS", "1")]).await;
    let url = format!("http://127.0.0.1:{}/api/_test/slow?ms=20000", server.port);
    let _stuck = tokio::spawn(async move { reqwest::get(url).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    sigterm(&server.child);
    let code = wait_exit(&mut server.child, Duration::from_secs(6));
    assert_eq!(code, Some(0));
    let took = signalled.elapsed();
    assert!(took < Duration::from_secs(4), "shutdown took {took:?}");
    db::drop_database_blocking(db::admin_url(), server.db_name.clone());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_request_fields_and_never_the_token() {
    let issuer = StubIssuer::start().await;
    let mut server = start(&issuer, &[]).await;
    let token = issuer.token("auth0|5f3a9c2e7d1b4a6f");
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://127.0.0.1:{}/api/_test/me", server.port))
        .bearer_auth(&token)
        .header("x-request-id", "req-log-check-1")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    // And a rejected token, which is logged with its reason but not its text.
    let bad = issuer.expired_token("auth0|5f3a9c2e7d1b4a6f");
    let _ = client
        .get(format!("http://127.0.0.1:{}/api/_test/me", server.port))
        .bearer_auth(&bad)
        .send()
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    sigterm(&server.child);
    let _ = wait_exit(&mut server.child, Duration::from_secs(8));

    let lines = server.stdout.lock().map(|l| l.clone()).unwrap_or_default();
    let all = lines.join("\n");
    assert!(
        !all.contains(&token),
        "the access token appeared in the log"
    );
    assert!(!all.contains(&bad), "a rejected token appeared in the log");
    assert!(
        !all.contains("5f3a9c2e7d1b4a6f"),
        "the full user id appeared in the log"
    );
    let completed: serde_json::Value = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| {
            v["message"] == "request completed" && v["span"]["request_id"] == "req-log-check-1"
        })
        .unwrap_or_else(|| panic!("no request log line: {all}"));
    assert!(completed["timestamp"].is_string());
    assert_eq!(completed["level"], "INFO");
    assert!(completed["target"].is_string());
    assert_eq!(completed["span"]["method"], "GET");
    assert_eq!(completed["span"]["route"], "/api/_test/me");
    assert_eq!(completed["span"]["user_id"], "5f3a9c2e");
    assert_eq!(completed["status"], 200);
    assert!(completed["latency_ms"].is_u64());
    db::drop_database_blocking(db::admin_url(), server.db_name.clone());
}
