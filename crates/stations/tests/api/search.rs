//! Search: Google merged with community and saved stations, the cache, and every way Google fails.

use std::time::{Duration, Instant};

use mvp_test_support::app::json;
use mvp_test_support::fakes::FakePlaces;
use mvp_test_support::fakes::places::Scripted;
use mvp_test_support::{TestApp, TestAppBuilder};
use serde_json::{Value, json};

use crate::{HERE, app_with, approve, google_places, near, search_path};

async fn search(app: &TestApp, token: &str, path: &str) -> (Option<String>, Vec<Value>) {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    let degraded = response
        .headers()
        .get("x-degraded")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = json(response).await;
    (degraded, body.as_array().cloned().unwrap_or_default())
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|s| s["placeId"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A community station reported by `token` at `at`, approved.
async fn approved_station(app: &TestApp, token: &str, name: &str, at: (f64, f64)) -> String {
    let response = app
        .post_json_as(
            token,
            "/api/stations/community",
            &json!({"name": name, "address": "5 Side St", "latitude": at.0, "longitude": at.1,
                    "brand": null, "fuelTypes": ["regular", "diesel"]}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let id = json(response).await["placeId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    approve(app, &id).await;
    id
}

#[tokio::test]
async fn results_merge_google_community_and_saved_once_each_nearest_first_and_the_cache_saves_calls()
 {
    let fake = FakePlaces::start(google_places()).await;
    let app = app_with(&fake, &[]).await;
    let alice = app.token("auth0|alice").await;
    let bob = app.token("auth0|bob").await;
    let community = approved_station(&app, &bob, "Corner Fuel", near(1_500.0, 0.0)).await;
    // Alice saved the Sunoco (a Google place) and a station of her own 300 m away.
    for (id, name, at) in [
        ("ChIJsunoco2k", "Sunoco", near(0.0, 2_000.0)),
        ("ChIJmyownpump", "Farm pump", near(-300.0, 0.0)),
    ] {
        let saved = app
            .post_json_as(
                &alice,
                "/api/stations/saved",
                &json!({"placeId": id, "name": name, "address": "", "latitude": at.0,
                        "longitude": at.1, "nickname": "mine", "notes": null,
                        "isFavorite": id == "ChIJsunoco2k"}),
            )
            .await;
        assert_eq!(saved.status(), 201, "save {id}");
    }

    let (degraded, list) = search(&app, &alice, &search_path(HERE, 5_000, None)).await;
    assert_eq!(degraded, None);
    assert_eq!(
        ids(&list),
        [
            "ChIJmyownpump",
            "ChIJshell800",
            community.as_str(),
            "ChIJsunoco2k"
        ],
        "{list:#?}"
    );
    let distances: Vec<f64> = list
        .iter()
        .filter_map(|s| s["distanceMeters"].as_f64())
        .collect();
    assert_eq!(distances.len(), 4);
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!((distances[1] - 800.0).abs() < 5.0, "{distances:?}");
    let saved: Vec<bool> = list
        .iter()
        .map(|s| s["isSaved"].as_bool().unwrap_or_default())
        .collect();
    assert_eq!(saved, [true, false, false, true]);
    assert_eq!(list[3]["isFavorite"], true);
    assert_eq!(list[3]["source"], "google");
    assert_eq!(list[2]["source"], "community");
    assert_eq!(fake.calls().len(), 1);
    let (method, body) = &fake.calls()[0];
    assert_eq!(method, "places:searchNearby");
    assert_eq!(body["includedTypes"], json!(["gas_station"]));
    assert_eq!(
        body["locationRestriction"]["circle"]["radius"].as_f64(),
        Some(5_000.0)
    );

    // The same search, and one from 40 m away, are answered from the cache.
    let (_, again) = search(&app, &alice, &search_path(HERE, 5_000, None)).await;
    assert_eq!(ids(&again), ids(&list));
    let (_, moved) = search(&app, &alice, &search_path(near(30.0, 25.0), 5_000, None)).await;
    assert_eq!(moved.len(), 4);
    assert_eq!(fake.calls().len(), 1, "answered from the cache");
    // Bob's view of the same search: the same Google answer (cached), nothing saved.
    let (_, bobs) = search(&app, &bob, &search_path(HERE, 5_000, None)).await;
    assert_eq!(
        ids(&bobs),
        ["ChIJshell800", community.as_str(), "ChIJsunoco2k"]
    );
    assert!(bobs.iter().all(|s| s["isSaved"] == false));
    assert_eq!(fake.calls().len(), 1);

    // A text search goes to searchText, biased to the circle.
    let (_, shell) = search(&app, &alice, &search_path(HERE, 5_000, Some("shell broad"))).await;
    assert_eq!(ids(&shell), ["ChIJshell800"]);
    let (method, body) = &fake.calls()[1];
    assert_eq!(method, "places:searchText");
    assert_eq!(body["textQuery"], "shell broad");
    assert!(body["locationBias"]["circle"]["center"]["latitude"].is_number());
}

#[tokio::test]
async fn google_down_over_quota_or_slow_answers_200_from_the_cache_or_the_community_marked_degraded()
 {
    let fake = FakePlaces::start(google_places()).await;
    let app = app_with(
        &fake,
        &[
            ("MVP_STATIONS__CACHE_TTL_SECS", "1"),
            ("MVP_STATIONS__GOOGLE_TIMEOUT_SECS", "1"),
        ],
    )
    .await;
    let alice = app.token("auth0|alice").await;
    let community = approved_station(&app, &alice, "Corner Fuel", near(1_500.0, 0.0)).await;
    let path = search_path(HERE, 5_000, None);
    let (degraded, fresh) = search(&app, &alice, &path).await;
    assert_eq!((degraded, fresh.len()), (None, 3));
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    // The kept answer is no longer fresh: Google is asked, fails, and the kept answer is served.
    for failure in [
        Scripted::Status(500),
        Scripted::Status(429),
        Scripted::Status(403),
        Scripted::Garbage,
        Scripted::Hang(Duration::from_secs(3)),
    ] {
        fake.script(&[failure]);
        let started = Instant::now();
        let (degraded, list) = search(&app, &alice, &path).await;
        assert_eq!(degraded.as_deref(), Some("1"), "{failure:?}");
        assert_eq!(ids(&list), ids(&fresh), "{failure:?}: the kept answer");
        assert!(
            started.elapsed() < Duration::from_millis(2_500),
            "{failure:?} took {:?}",
            started.elapsed()
        );
    }
    let health = json(app.get("/api/health").await).await;
    assert_eq!(
        health["components"]["places"]["status"], "degraded",
        "{health}"
    );

    // Nothing kept for this search: community stations only, still 200.
    for failure in [
        Scripted::Status(500),
        Scripted::Hang(Duration::from_secs(3)),
    ] {
        fake.script(&[failure]);
        let (degraded, list) =
            search(&app, &alice, &search_path(near(1_000.0, 0.0), 2_000, None)).await;
        assert_eq!(degraded.as_deref(), Some("1"));
        assert_eq!(ids(&list), std::slice::from_ref(&community), "{failure:?}");
    }

    // Google answers again: fresh results, health back to ok.
    let (degraded, list) = search(&app, &alice, &path).await;
    assert_eq!((degraded, list.len()), (None, 3));
    let health = json(app.get("/api/health").await).await;
    assert_eq!(health["components"]["places"]["status"], "ok", "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_searches_at_the_same_moment_ask_google_once() {
    let fake = FakePlaces::start(google_places()).await;
    let app = app_with(&fake, &[]).await;
    let alice = app.token("auth0|alice").await;
    // Google takes 400 ms: the other nine searches arrive while the first waits for it.
    fake.script(&[Scripted::Hang(Duration::from_millis(400))]);
    let path = search_path(HERE, 5_000, None);
    let searches = (0..10).map(|_| search(&app, &alice, &path));
    let answers = futures_util::future::join_all(searches).await;
    for (degraded, list) in &answers {
        assert_eq!(degraded, &None);
        assert_eq!(ids(list), ["ChIJshell800", "ChIJsunoco2k"]);
    }
    assert_eq!(fake.calls().len(), 1, "one call for ten identical searches");
}

#[tokio::test]
async fn a_wrong_key_is_an_outage_and_no_key_searches_the_community_only() {
    let fake = FakePlaces::start(google_places()).await;
    let wrong = TestAppBuilder::new()
        .var("MVP_STATIONS__GOOGLE_BASE_URL", fake.base_url())
        .var("MVP_STATIONS__GOOGLE_API_KEY", "AIza-not-the-key")
        .spawn()
        .await;
    let alice = wrong.token("auth0|alice").await;
    let (degraded, list) = search(&wrong, &alice, &search_path(HERE, 5_000, None)).await;
    assert_eq!((degraded.as_deref(), list.len()), (Some("1"), 0));
    assert_eq!(fake.calls().len(), 1);

    let none = TestAppBuilder::new()
        .var("MVP_STATIONS__GOOGLE_BASE_URL", fake.base_url())
        .spawn()
        .await;
    let alice = none.token("auth0|alice").await;
    let community = approved_station(&none, &alice, "Corner Fuel", near(1_500.0, 0.0)).await;
    let (degraded, list) = search(&none, &alice, &search_path(HERE, 5_000, None)).await;
    assert_eq!(degraded, None, "no key is not an outage");
    assert_eq!(ids(&list), [community]);
    // A text search without a point: community stations matching it, no distance.
    let (_, by_text) = search(&none, &alice, "/api/stations/search?query=corner").await;
    assert_eq!(by_text.len(), 1);
    assert_eq!(by_text[0]["distanceMeters"], Value::Null);
    assert_eq!(fake.calls().len(), 1, "no key, no call");
    let config = json(none.get("/api/config").await).await;
    assert_eq!(config["features"]["googlePlaces"], false);
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_field() {
    let fake = FakePlaces::start(google_places()).await;
    let app = app_with(&fake, &[]).await;
    let alice = app.token("auth0|alice").await;
    let long = "x".repeat(201);
    for (query, field) in [
        ("latitude=90.5&longitude=0", "latitude"),
        ("latitude=-91&longitude=0", "latitude"),
        ("latitude=abc&longitude=0", "latitude"),
        ("latitude=10&longitude=180.01", "longitude"),
        ("latitude=10&longitude=-181", "longitude"),
        ("latitude=10", "longitude"),
        ("latitude=10&longitude=10&radius=0", "radius"),
        ("latitude=10&longitude=10&radius=-5", "radius"),
        ("latitude=10&longitude=10&radius=50001", "radius"),
        (
            &format!("latitude=10&longitude=10&query={long}") as &str,
            "query",
        ),
        ("", "latitude"),
    ] {
        let response = app
            .get_as(&alice, &format!("/api/stations/search?{query}"))
            .await;
        assert_eq!(response.status(), 400, "{query}");
        let body = json(response).await;
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(
            body["error"]["details"][0]["field"], field,
            "{query}: {body}"
        );
    }
    assert!(fake.calls().is_empty());
    let response = app
        .get_as(
            &alice,
            "/api/stations/search?latitude=10&longitude=10&radius=50000",
        )
        .await;
    assert_eq!(response.status(), 200);
}
