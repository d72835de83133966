//! Community stations (pending until approved, seen only by their reporter until then) and price
//! reports (bounds, the hourly limit, the latest per fuel type).

use mvp_test_support::app::json;
use mvp_test_support::fakes::FakePlaces;
use mvp_types::ids::{CommunityStationId, UserId};
use mvp_types::station::CommunityStatus;
use serde_json::{Value, json};

use crate::{HERE, app_with, approve, google_places, near, search_path};

fn report(name: &str, at: (f64, f64)) -> Value {
    json!({"name": name, "address": "77 Spring Garden St", "latitude": at.0, "longitude": at.1,
           "brand": "Independent", "fuelTypes": ["regular", "premium", "diesel"]})
}

async fn ids_seen(app: &mvp_test_support::TestApp, token: &str) -> Vec<String> {
    json(app.get_as(token, &search_path(HERE, 5_000, None)).await)
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s| s["placeId"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_pending_station_is_seen_only_by_its_reporter_until_approved() {
    let fake = FakePlaces::start(Vec::new()).await;
    let app = app_with(&fake, &[]).await;
    let alice = app.token("auth0|alice").await;
    let bob = app.token("auth0|bob").await;

    let response = app
        .post_json_as(
            &alice,
            "/api/stations/community",
            &report("Corner Fuel", near(900.0, 0.0)),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created = json(response).await;
    assert_eq!(created["status"], "pending");
    assert_eq!(
        created["fuelTypes"],
        json!(["regular", "premium", "diesel"])
    );
    let id = created["placeId"].as_str().unwrap_or_default().to_owned();
    assert_eq!(created["id"], id.as_str());

    let alices = json(app.get_as(&alice, &search_path(HERE, 5_000, None)).await).await;
    assert_eq!(alices[0]["placeId"], id.as_str());
    assert_eq!(alices[0]["pending"], true);
    assert!(
        ids_seen(&app, &bob).await.is_empty(),
        "pending is invisible to others"
    );
    let by_text = json(app.get_as(&bob, "/api/stations/search?query=corner").await).await;
    assert_eq!(by_text, json!([]));
    // Bob cannot price it, save it or name it on a fill-up either.
    let price = app
        .post_json_as(
            &bob,
            &format!("/api/stations/community/{id}/prices"),
            &json!({"fuelType": "regular", "price": 3.459}),
        )
        .await;
    assert_eq!(price.status(), 404);
    let save = app
        .post_json_as(
            &bob,
            "/api/stations/saved",
            &json!({"placeId": id, "name": "x", "address": "", "latitude": 1, "longitude": 1,
                    "isFavorite": false}),
        )
        .await;
    assert_eq!(save.status(), 404);

    // The same name again within 30 m is the same station; elsewhere it is another.
    let again = app
        .post_json_as(
            &alice,
            "/api/stations/community",
            &report("corner fuel", near(910.0, 5.0)),
        )
        .await;
    assert_eq!(again.status(), 409);
    let elsewhere = app
        .post_json_as(
            &alice,
            "/api/stations/community",
            &report("Corner Fuel", near(-900.0, 0.0)),
        )
        .await;
    assert_eq!(elsewhere.status(), 201);

    approve(&app, &id).await;
    assert_eq!(ids_seen(&app, &bob).await, std::slice::from_ref(&id));
    let mine = app.get_as(&alice, "/api/stations/community/mine").await;
    assert_eq!(
        mine.headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    let mine = json(mine).await;
    let statuses: Vec<&str> = mine
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, ["pending", "approved"], "newest first");
    assert_eq!(
        json(app.get_as(&bob, "/api/stations/community/mine").await).await,
        json!([])
    );

    for (body, field) in [
        (
            json!({"address": "a", "latitude": 1, "longitude": 1, "fuelTypes": []}),
            "name",
        ),
        (
            json!({"name": "a", "latitude": 1, "longitude": 1, "fuelTypes": []}),
            "address",
        ),
        (
            json!({"name": "a", "address": "a", "latitude": 95, "longitude": 1}),
            "latitude",
        ),
        (
            json!({"name": "a", "address": "a", "latitude": 1, "longitude": -190}),
            "longitude",
        ),
        (
            json!({"name": "a", "address": "a", "latitude": 1, "longitude": 1, "fuelTypes": ["jet-a1"]}),
            "fuelTypes",
        ),
    ] {
        let response = app
            .post_json_as(&alice, "/api/stations/community", &body)
            .await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            json(response).await["error"]["details"][0]["field"],
            field,
            "{body}"
        );
    }
}

#[tokio::test]
async fn prices_are_bounded_limited_per_hour_and_the_latest_per_type_is_shown() {
    let fake = FakePlaces::start(google_places()).await;
    let app = app_with(
        &fake,
        &[
            ("MVP_STATIONS__PRICE_CEILING", "20"),
            ("MVP_STATIONS__PRICE_REPORTS_PER_HOUR", "3"),
        ],
    )
    .await;
    let alice = app.token("auth0|alice").await;
    let bob = app.token("auth0|bob").await;
    let created = json(
        app.post_json_as(
            &alice,
            "/api/stations/community",
            &report("Corner Fuel", near(900.0, 0.0)),
        )
        .await,
    )
    .await;
    let id = created["placeId"].as_str().unwrap_or_default().to_owned();
    approve(&app, &id).await;
    let prices = format!("/api/stations/community/{id}/prices");

    for (body, field) in [
        (json!({"fuelType": "regular", "price": 0}), "price"),
        (json!({"fuelType": "regular", "price": -1.5}), "price"),
        (json!({"fuelType": "regular", "price": 20}), "price"),
        (json!({"fuelType": "regular", "price": 3.4599}), "price"),
        (json!({"fuelType": "regular"}), "price"),
        (json!({"fuelType": "kerosene", "price": 3.1}), "fuelType"),
        (json!({"price": 3.1}), "fuelType"),
    ] {
        let response = app.post_json_as(&alice, &prices, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            json(response).await["error"]["details"][0]["field"],
            field,
            "{body}"
        );
    }
    let unknown = app
        .post_json_as(
            &alice,
            "/api/stations/community/ChIJnever-seen/prices",
            &json!({"fuelType": "regular", "price": 3.1}),
        )
        .await;
    assert_eq!(unknown.status(), 404, "a Google place no search returned");

    for (fuel, price) in [
        ("regular", "3.459"),
        ("diesel", "4.10"),
        ("regular", "3.399"),
    ] {
        let response = app
            .post_json_as(
                &alice,
                &prices,
                &json!({"fuelType": fuel, "price": price.parse::<f64>().unwrap_or_default()}),
            )
            .await;
        assert_eq!(response.status(), 201, "{fuel} {price}");
        let body = json(response).await;
        assert_eq!(body["fuelType"], fuel);
        assert!(body["reportedAt"].is_string());
    }
    let limited = app
        .post_json_as(
            &alice,
            &prices,
            &json!({"fuelType": "premium", "price": 3.9}),
        )
        .await;
    assert_eq!(limited.status(), 429, "a fourth report within the hour");
    let wait: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    assert!((3_500..=3_600).contains(&wait), "Retry-After {wait}");
    assert_eq!(json(limited).await["error"]["code"], "rate_limited");
    // The limit is per user: Bob may still report.
    let bobs = app
        .post_json_as(
            &bob,
            &prices,
            &json!({"fuelType": "premium", "price": 3.999}),
        )
        .await;
    assert_eq!(bobs.status(), 201);

    let list = json(app.get_as(&bob, &search_path(HERE, 5_000, None)).await).await;
    let station = list
        .as_array()
        .and_then(|a| a.iter().find(|s| s["placeId"] == id.as_str()))
        .cloned()
        .unwrap_or_default();
    let mut latest: Vec<(String, f64)> = station["prices"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            assert!(p["reportedAt"].is_string());
            (
                p["fuelType"].as_str().unwrap_or_default().to_owned(),
                p["price"].as_f64().unwrap_or_default(),
            )
        })
        .collect();
    latest.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        latest,
        [
            ("diesel".to_owned(), 4.1),
            ("premium".to_owned(), 3.999),
            ("regular".to_owned(), 3.399)
        ]
    );

    // A Google place a search returned takes reports by its placeId too.
    let shell = app
        .post_json_as(
            &bob,
            "/api/stations/community/ChIJshell800/prices",
            &json!({"fuelType": "regular", "price": 3.299}),
        )
        .await;
    assert_eq!(shell.status(), 201, "the search above returned the Shell");
    let list = json(app.get_as(&alice, &search_path(HERE, 5_000, None)).await).await;
    let shell = list
        .as_array()
        .and_then(|a| a.iter().find(|s| s["placeId"] == "ChIJshell800"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(shell["prices"][0]["price"].as_f64(), Some(3.299));
}

#[tokio::test]
async fn an_admin_review_approves_or_rejects_with_a_reason_the_reporter_sees() {
    let fake = FakePlaces::start(Vec::new()).await;
    let app = app_with(&fake, &[]).await;
    let alice = app.token("auth0|alice").await;
    let bob = app.token("auth0|bob").await;
    let mut ids = Vec::new();
    for (name, at) in [
        ("Corner Fuel", near(900.0, 0.0)),
        ("Ghost Pumps", near(-900.0, 0.0)),
    ] {
        let created = json(
            app.post_json_as(&alice, "/api/stations/community", &report(name, at))
                .await,
        )
        .await;
        ids.push(
            created["id"]
                .as_str()
                .unwrap_or_default()
                .parse::<CommunityStationId>()
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    let pool = app.pool().await;
    let mut tx = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let (queue, total) = mvp_stations::pending_stations(&mut tx, 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(total, 2);
    assert_eq!(
        queue.iter().map(|s| s.id).collect::<Vec<_>>(),
        ids,
        "oldest first"
    );
    let reviewer = UserId("auth0|admin".to_owned());
    let approved =
        mvp_stations::moderate(&mut tx, ids[0], CommunityStatus::Approved, None, &reviewer)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    let (before, after) = approved.unwrap_or_else(|| panic!("the station exists"));
    assert_eq!(
        (before.status, after.status),
        (CommunityStatus::Pending, CommunityStatus::Approved)
    );
    assert!(after.reviewed_at.is_some());
    let rejected = mvp_stations::moderate(
        &mut tx,
        ids[1],
        CommunityStatus::Rejected,
        Some("no such station at this address"),
        &reviewer,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(rejected.is_some());
    let unknown = mvp_stations::moderate(
        &mut tx,
        CommunityStationId::new(),
        CommunityStatus::Approved,
        None,
        &reviewer,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(unknown.is_none());
    assert_eq!(
        mvp_stations::pending_stations(&mut tx, 10, 0)
            .await
            .map(|(_, n)| n)
            .ok(),
        Some(0)
    );
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));

    // Bob sees the approved one only; Alice no longer sees the rejected one in search, but her
    // reports say why it was rejected.
    assert_eq!(ids_seen(&app, &bob).await, [ids[0].to_string()]);
    assert_eq!(ids_seen(&app, &alice).await, [ids[0].to_string()]);
    let mine = json(app.get_as(&alice, "/api/stations/community/mine").await).await;
    let ghost = mine
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == "Ghost Pumps"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ghost["status"], "rejected");
    assert_eq!(ghost["reason"], "no such station at this address");
}
