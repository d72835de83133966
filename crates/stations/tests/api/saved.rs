//! Saved stations (per user: another user gets 404) and fill-ups that name a station.

use mvp_test_support::app::json;
use mvp_test_support::fakes::FakePlaces;
use serde_json::{Value, json};

use crate::{HERE, app_with, near, search_path};

fn station(id: &str, name: &str, favorite: bool) -> Value {
    let at = near(500.0, 500.0);
    json!({"placeId": id, "name": name, "address": "3 Arch St", "latitude": at.0,
           "longitude": at.1, "nickname": null, "notes": null, "isFavorite": favorite})
}

#[tokio::test]
async fn saved_stations_belong_to_their_user() {
    let fake = FakePlaces::start(Vec::new()).await;
    let app = app_with(&fake, &[]).await;
    let alice = app.token("auth0|alice").await;
    let bob = app.token("auth0|bob").await;

    let response = app
        .post_json_as(
            &alice,
            "/api/stations/saved",
            &station("ChIJ/odd id", "Exxon", false),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/stations/saved/ChIJ%2Fodd%20id")
    );
    let created = json(response).await;
    assert_eq!(
        (created["source"].as_str(), created["isFavorite"].as_bool()),
        (Some("google"), Some(false))
    );
    let second = app
        .post_json_as(
            &alice,
            "/api/stations/saved",
            &station("ChIJfav", "BP", true),
        )
        .await;
    assert_eq!(second.status(), 201);
    let duplicate = app
        .post_json_as(
            &alice,
            "/api/stations/saved",
            &station("ChIJfav", "BP again", false),
        )
        .await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(json(duplicate).await["error"]["code"], "conflict");
    // Bob may save the same place: saved stations are per user.
    let bobs = app
        .post_json_as(
            &bob,
            "/api/stations/saved",
            &station("ChIJfav", "BP", false),
        )
        .await;
    assert_eq!(bobs.status(), 201);

    let list = json(app.get_as(&alice, "/api/stations/saved").await).await;
    let order: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["placeId"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(order, ["ChIJfav", "ChIJ/odd id"], "favourites first");

    // The representation GET returns goes back through PUT, with changes.
    let path = "/api/stations/saved/ChIJ%2Fodd%20id";
    let mut body = json(app.get_as(&alice, path).await).await;
    body["nickname"] = json!("Work Exxon");
    body["isFavorite"] = json!(true);
    let updated = app.put_json_as(&alice, path, &body).await;
    assert_eq!(updated.status(), 200);
    let updated = json(updated).await;
    assert_eq!(
        (
            updated["nickname"].as_str(),
            updated["isFavorite"].as_bool()
        ),
        (Some("Work Exxon"), Some(true))
    );

    // Bob sees none of it and changes none of it.
    for response in [
        app.get_as(&bob, path).await,
        app.put_json_as(&bob, path, &body).await,
        app.delete_as(&bob, path).await,
    ] {
        assert_eq!(response.status(), 404);
    }
    let bobs = json(app.get_as(&bob, "/api/stations/saved").await).await;
    assert_eq!(bobs.as_array().map(Vec::len), Some(1));
    assert_eq!(bobs[0]["name"], "BP");
    assert_eq!(
        json(app.get_as(&alice, path).await).await["nickname"],
        "Work Exxon"
    );

    let bad = app
        .post_json_as(
            &alice,
            "/api/stations/saved",
            &json!({"placeId": "", "name": "x", "latitude": 1, "longitude": 1}),
        )
        .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(json(bad).await["error"]["details"][0]["field"], "placeId");

    assert_eq!(app.delete_as(&alice, path).await.status(), 204);
    assert_eq!(app.get_as(&alice, path).await.status(), 404);
    assert_eq!(app.delete_as(&alice, path).await.status(), 404);
}

#[tokio::test]
async fn a_fill_up_names_a_station_the_user_can_see_and_shows_it() {
    let fake = FakePlaces::start(crate::google_places()).await;
    let app = app_with(&fake, &[]).await;
    let alice = app.token("auth0|alice").await;
    let bob = app.token("auth0|bob").await;
    let alices_car = app.create_vehicle(&alice, 1_000, Value::Null).await;
    let bobs_car = app.create_vehicle(&bob, 1_000, Value::Null).await;
    let pending = json(
        app.post_json_as(
            &alice,
            "/api/stations/community",
            &json!({"name": "Farm Diesel", "address": "Rural Rte 9", "latitude": HERE.0,
                    "longitude": HERE.1, "fuelTypes": ["diesel"]}),
        )
        .await,
    )
    .await["placeId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let fill = |vehicle: String, station: &str, odometer: i64| {
        json!({"vehicleId": vehicle, "dateTime": "2026-11-01T12:00:00Z", "odometerReading": odometer,
               "fuelType": "gasoline", "fuelUnits": 10, "costPerUnit": 3.5, "stationId": station,
               "locationName": "by the farm"})
    };

    // Alice's own pending station is hers to name; the response shows it.
    let response = app
        .post_json_as(
            &alice,
            "/api/fuel-logs",
            &fill(alices_car.to_string(), &pending, 1_100),
        )
        .await;
    assert_eq!(response.status(), 201);
    let log = json(response).await;
    assert_eq!(
        log["station"],
        json!({"placeId": pending, "name": "Farm Diesel", "address": "Rural Rte 9"})
    );
    assert_eq!(log["locationName"], "by the farm");
    // Bob cannot name it: 404, like an id that does not exist.
    let response = app
        .post_json_as(
            &bob,
            "/api/fuel-logs",
            &fill(bobs_car.to_string(), &pending, 1_100),
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        json(response).await["error"]["message"],
        "station not found"
    );
    let response = app
        .post_json_as(
            &bob,
            "/api/fuel-logs",
            &fill(bobs_car.to_string(), "ChIJshell800", 1_100),
        )
        .await;
    assert_eq!(
        response.status(),
        404,
        "a Google place no search has returned yet"
    );
    // After a search returned it, a Google place can be named by anyone.
    let _ = app.get_as(&bob, &search_path(HERE, 5_000, None)).await;
    let response = app
        .post_json_as(
            &bob,
            "/api/fuel-logs",
            &fill(bobs_car.to_string(), "ChIJshell800", 1_200),
        )
        .await;
    assert_eq!(response.status(), 201);
    let bobs_log = json(response).await;
    assert_eq!(bobs_log["station"]["name"], "Shell");
    let listed = json(
        app.get_as(&bob, &format!("/api/fuel-logs?vehicleId={bobs_car}"))
            .await,
    )
    .await;
    assert_eq!(listed[0]["station"]["placeId"], "ChIJshell800");

    // A fill-up from before stations existed keeps its free-text reference: read and written back.
    let log_id = log["id"].as_str().unwrap_or_default().to_owned();
    sqlx::query("update fuel_logs set station_id = 'legacy: Joe''s Garage' where id = $1::uuid")
        .bind(&log_id)
        .execute(&app.pool().await)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let path = format!("/api/fuel-logs/{log_id}");
    let old = json(app.get_as(&alice, &path).await).await;
    assert_eq!(old["stationId"], "legacy: Joe's Garage");
    assert_eq!(old["station"], Value::Null);
    let mut edited = old.clone();
    edited["notes"] = json!("edited later");
    let response = app.put_json_as(&alice, &path, &edited).await;
    assert_eq!(response.status(), 200, "an unchanged old reference is kept");
    // Changing it to a station Alice cannot see is refused.
    edited["stationId"] = json!("ChIJnever-seen");
    assert_eq!(app.put_json_as(&alice, &path, &edited).await.status(), 404);
}
