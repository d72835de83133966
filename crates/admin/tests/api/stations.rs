//! Station moderation: the pending list, approving (then everyone finds it) and rejecting (the
//! reporter sees the reason), each audited with the station before and after.

use mvp_test_support::TestAppBuilder;
use mvp_test_support::app::json;
use mvp_test_support::fakes::FakePlaces;
use mvp_test_support::fakes::places::API_KEY;
use serde_json::{Value, json};

use crate::{BOSS, admin_token, audit_rows};

const HERE: (f64, f64) = (39.9526, -75.1652);

fn report(name: &str, north_m: f64) -> Value {
    json!({"name": name, "address": "77 Spring Garden St", "latitude": HERE.0 + north_m / 111_195.0,
           "longitude": HERE.1, "brand": "Independent", "fuelTypes": ["regular"]})
}

fn search() -> String {
    format!(
        "/api/stations/search?latitude={}&longitude={}&radius=5000",
        HERE.0, HERE.1
    )
}

async fn found(app: &mvp_test_support::TestApp, token: &str) -> Vec<String> {
    json(app.get_as(token, &search()).await)
        .await
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_approved_station_is_found_by_everyone_and_a_rejected_one_tells_its_reporter_why() {
    let fake = FakePlaces::start(Vec::new()).await;
    let app = TestAppBuilder::new()
        .var("MVP_STATIONS__GOOGLE_BASE_URL", fake.base_url())
        .var("MVP_STATIONS__GOOGLE_API_KEY", API_KEY)
        .spawn()
        .await;
    let boss = admin_token(&app, BOSS).await;
    let kim = app.token("auth0|kim").await;
    let lee = app.token("auth0|lee").await;
    let mut ids = Vec::new();
    for (name, north) in [("Corner Fuel", 500.0), ("Ghost Pumps", 900.0)] {
        let created = app
            .post_json_as(&kim, "/api/stations/community", &report(name, north))
            .await;
        assert_eq!(created.status(), 201);
        ids.push(
            json(created).await["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }

    let pending = app
        .get_as(&boss, "/api/admin/stations/community?status=pending")
        .await;
    assert_eq!(pending.status(), 200);
    assert_eq!(pending.headers()["x-total-count"], "2");
    let listed = json(pending).await;
    assert_eq!(listed[0]["name"], "Corner Fuel", "oldest first");
    assert!(found(&app, &lee).await.is_empty());

    let approved = app
        .client
        .patch(app.url(&format!("/api/admin/stations/community/{}", ids[0])))
        .bearer_auth(&boss)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(approved.status(), 200);
    assert_eq!(json(approved).await["status"], "approved");
    assert_eq!(found(&app, &lee).await, ["Corner Fuel"]);

    let patch = |body: Value| {
        app.client
            .patch(app.url(&format!("/api/admin/stations/community/{}", ids[1])))
            .bearer_auth(&boss)
            .json(&body)
            .send()
    };
    let no_reason = patch(json!({"status": "rejected"}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(no_reason.status(), 400);
    assert_eq!(
        json(no_reason).await["error"]["details"][0]["field"],
        "reason"
    );
    let rejected = patch(json!({"status": "rejected", "reason": "No station at this address"}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rejected.status(), 200);
    let mine = json(app.get_as(&kim, "/api/stations/community/mine").await).await;
    let ghost = mine
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == "Ghost Pumps")
        .cloned()
        .unwrap_or_default();
    assert_eq!(ghost["status"], "rejected", "{mine}");
    assert_eq!(ghost["reason"], "No station at this address");
    assert_eq!(found(&app, &lee).await, ["Corner Fuel"]);
    let left = app.get_as(&boss, "/api/admin/stations/community").await;
    assert_eq!(left.headers()["x-total-count"], "0");

    let audit = audit_rows(&app, &boss, "?action=station").await;
    let actions: Vec<&str> = audit.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["station.reject", "station.approve"]);
    assert_eq!(audit[1]["before"]["status"], "pending");
    assert_eq!(audit[1]["after"]["status"], "approved");
    assert_eq!(audit[0]["targetType"], "community_station");

    let unknown = app
        .client
        .patch(app.url("/api/admin/stations/community/00000000-0000-0000-0000-000000000000"))
        .bearer_auth(&boss)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unknown.status(), 404);
    let other_status = app
        .get_as(&boss, "/api/admin/stations/community?status=approved")
        .await;
    assert_eq!(other_status.status(), 400);
}
