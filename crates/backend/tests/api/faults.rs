//! Faults under load: Postgres stopped (immediately, as a crash) and restarted in the middle of a
//! load of writes and reads → only 503s while it is down, never a 500, and every write that was
//! acknowledged (201) is there afterwards; Redis killed and restarted mid-load → not one request
//! fails. The loads are bounded (a few seconds, a few workers) and stay on loopback.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mvp_test_support::app::RedisChoice;
use mvp_test_support::{TempPostgres, TempRedis, TestApp, TestAppBuilder};
use serde_json::json;

#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, usize>,
    /// Ids of the vehicles whose creation was acknowledged.
    acknowledged: Vec<String>,
    /// When the last request succeeded, since the start.
    last_success: Duration,
}

/// `workers` loops of create-then-list until `length` has passed.
async fn load(app: &TestApp, token: &str, workers: usize, length: Duration) -> Tally {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let (client, token, tally) = (app.client.clone(), token.to_owned(), tally.clone());
        let (create, list) = (app.url("/api/vehicles"), app.url("/api/vehicles?limit=5"));
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while started.elapsed() < length {
                i += 1;
                let body =
                    json!({"year": 2020, "make": "Honda", "model": format!("W{worker}-{i}")});
                let created = client
                    .post(&create)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                let listed = client.get(&list).bearer_auth(&token).send().await;
                {
                    let mut counts = tally.lock().unwrap_or_else(|e| e.into_inner());
                    for response in [&created, &listed] {
                        // A refused connection would be ours to explain too: count it as status 0.
                        let status = response.as_ref().map_or(0, |r| r.status().as_u16());
                        *counts.statuses.entry(status).or_default() += 1;
                        if (200..300).contains(&status) {
                            counts.last_success = started.elapsed();
                        }
                    }
                }
                if let Ok(created) = created
                    && created.status() == 201
                {
                    let id = created
                        .json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|v| v["id"].as_str().map(str::to_owned));
                    if let Some(id) = id {
                        tally
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .acknowledged
                            .push(id);
                    }
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    Arc::try_unwrap(tally)
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_mid_load_gives_503s_only_and_loses_no_acknowledged_write() {
    let pg = Arc::new(TempPostgres::start().unwrap_or_else(|e| panic!("temp postgres: {e:#}")));
    let app = TestAppBuilder::new()
        .postgres(pg.url("postgres"))
        .redis(RedisChoice::None)
        .spawn()
        .await;
    let token = app.token("auth0|under-load").await;
    // Warm: the profile and terms are known before the outage.
    assert_eq!(app.get_as(&token, "/api/vehicles").await.status(), 200);

    let outage = {
        let pg = pg.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let _ = tokio::task::spawn_blocking({
                let pg = pg.clone();
                move || pg.stop()
            })
            .await;
            tokio::time::sleep(Duration::from_secs(3)).await;
            let _ = tokio::task::spawn_blocking(move || pg.resume()).await;
        })
    };
    let tally = load(&app, &token, 6, Duration::from_secs(10)).await;
    let _ = outage.await;

    println!(
        "postgres restart under load: {:?}, {} acknowledged",
        tally.statuses,
        tally.acknowledged.len()
    );
    let unexpected: Vec<_> = tally
        .statuses
        .keys()
        .filter(|s| !matches!(s, 200 | 201 | 503))
        .collect();
    assert!(
        unexpected.is_empty(),
        "statuses other than 200/201/503: {:?}",
        tally.statuses
    );
    assert!(
        tally.statuses.get(&503).copied().unwrap_or(0) > 0,
        "the outage was never seen"
    );
    assert!(
        tally.last_success > Duration::from_secs(6),
        "no success after the restart"
    );
    // Every acknowledged write is there.
    let pool = app.pool().await;
    let stored: Vec<String> = sqlx::query_scalar("select id::text from vehicles")
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
    let missing: Vec<_> = tally
        .acknowledged
        .iter()
        .filter(|id| !stored.contains(id))
        .collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_killed_mid_load_fails_no_request() {
    let redis = Arc::new(Mutex::new(
        TempRedis::start().unwrap_or_else(|e| panic!("temp redis: {e:#}")),
    ));
    let url = redis.lock().map(|r| r.url()).unwrap_or_default();
    let app = TestAppBuilder::new()
        .redis(RedisChoice::Url(url))
        .spawn()
        .await;
    let token = app.token("auth0|cached").await;
    assert_eq!(app.get_as(&token, "/api/vehicles").await.status(), 200);

    let outage = {
        let redis = redis.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Ok(mut r) = redis.lock() {
                r.stop();
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            if let Ok(mut r) = redis.lock() {
                let _ = r.resume();
            }
        })
    };
    let tally = load(&app, &token, 6, Duration::from_secs(5)).await;
    let _ = outage.await;
    println!("redis kill under load: {:?}", tally.statuses);
    let failed: usize = tally
        .statuses
        .iter()
        .filter(|(s, _)| !matches!(s, 200 | 201))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(failed, 0, "{:?}", tally.statuses);
    assert!(
        tally.statuses.values().sum::<usize>() > 100,
        "too little load: {:?}",
        tally.statuses
    );
}
