//! Health and dependency failures: Postgres stopped → 503 (health and data routes) and recovery
//! without a restart; Redis stopped → requests still succeed and health says `degraded`.

use std::time::{Duration, Instant};

use mvp_test_support::app::RedisChoice;
use mvp_test_support::{TempPostgres, TempRedis, TestAppBuilder, spawn_app};

use crate::{assert_error, json};

#[tokio::test]
async fn health_reports_database_and_redis() {
    let app = spawn_app().await;
    for path in ["/health", "/api/health"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body = json(response).await;
        assert_eq!(body["status"], "ok", "{path}: {body}");
        assert_eq!(body["components"]["database"]["status"], "ok");
        assert!(body["components"]["database"]["latencyMs"].is_u64());
        assert!(body["version"].is_string());
    }
    let live = app.get("/health/live").await;
    assert_eq!(live.status(), 200);
}

#[tokio::test]
async fn without_redis_configured_health_is_ok_and_says_disabled() {
    let app = TestAppBuilder::new().redis(RedisChoice::None).spawn().await;
    let body = json(app.get("/api/health").await).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["components"]["redis"]["status"], "disabled");
}

#[tokio::test]
async fn postgres_stopped_gives_503_and_recovers_without_restart() {
    let pg = TempPostgres::start().unwrap_or_else(|e| panic!("temp postgres: {e:#}"));
    let app = TestAppBuilder::new()
        .postgres(pg.url("postgres"))
        .redis(RedisChoice::None)
        .spawn()
        .await;
    let token = app.token("u1").await;
    assert_eq!(app.get("/api/health").await.status(), 200);
    assert_eq!(app.get_as(&token, "/api/_test/data").await.status(), 200);

    pg.stop().unwrap_or_else(|e| panic!("stop: {e:#}"));

    let started = Instant::now();
    let response = app.get("/api/health").await;
    let took = started.elapsed();
    assert_eq!(response.status(), 503);
    assert!(took < Duration::from_secs(3), "health took {took:?}");
    let body = json(response).await;
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["components"]["database"]["status"], "unavailable");

    // A data route answers 503 in the error body, never an empty 200. (New user: no cache entry; the
    // token comes straight from the issuer, as recording terms needs the stopped database.)
    let other = app.issuer.token("u2");
    let started = Instant::now();
    let response = app.get_as(&other, "/api/_test/data").await;
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_error(response, 503, "unavailable").await;

    pg.resume().unwrap_or_else(|e| panic!("resume: {e:#}"));
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/api/health").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "health did not recover after Postgres came back");
    assert_eq!(app.get_as(&other, "/api/_test/data").await.status(), 200);
}

#[tokio::test]
async fn redis_stopped_degrades_but_requests_still_succeed() {
    let mut redis = TempRedis::start().unwrap_or_else(|e| panic!("temp redis: {e:#}"));
    let app = TestAppBuilder::new()
        .redis(RedisChoice::Url(redis.url()))
        .spawn()
        .await;
    let token = app.token("u1").await;
    let body = json(app.get("/api/health").await).await;
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["components"]["redis"]["status"], "ok");
    assert_eq!(app.get_as(&token, "/api/_test/data").await.status(), 200);

    redis.stop();

    for user in ["u1", "u2", "u3"] {
        let response = app.get_as(&app.token(user).await, "/api/_test/data").await;
        assert_eq!(response.status(), 200, "user {user} with Redis down");
    }
    let response = app.get("/api/health").await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["components"]["redis"]["status"], "unavailable");

    redis.resume().unwrap_or_else(|e| panic!("resume: {e:#}"));
    let mut recovered = false;
    for _ in 0..50 {
        let body = json(app.get("/api/health").await).await;
        if body["status"] == "ok" {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "health did not return to ok after Redis came back"
    );
}
