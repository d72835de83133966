//! Admin grants (`isAdmin` at once, never the last admin) and the user list.

use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::json;

use crate::{BOSS, admin_token, audit_rows};

async fn is_admin(app: &mvp_test_support::TestApp, token: &str) -> bool {
    json(app.get_as(token, "/api/auth/user-status").await).await["isAdmin"] == true
}

#[tokio::test]
async fn a_grant_shows_in_user_status_on_the_next_request_and_the_last_admin_stays() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let carol = app.token("auth0|carol").await;
    assert!(!is_admin(&app, &carol).await);
    assert_eq!(app.get_as(&carol, "/api/admin/users").await.status(), 403);

    let granted = app
        .post_json_as(
            &boss,
            "/api/admin/admins",
            &json!({"userId": "auth0|carol"}),
        )
        .await;
    assert_eq!(granted.status(), 201);
    let grant = json(granted).await;
    assert_eq!(grant["userId"], "auth0|carol");
    assert_eq!(grant["grantedBy"], BOSS);
    assert!(is_admin(&app, &carol).await, "isAdmin on the next request");
    assert_eq!(app.get_as(&carol, "/api/admin/users").await.status(), 200);
    // Granting again changes nothing.
    let again = app
        .post_json_as(
            &boss,
            "/api/admin/admins",
            &json!({"userId": "auth0|carol"}),
        )
        .await;
    assert_eq!(again.status(), 200);

    // Carol removes the boss, then cannot remove herself: she is the last.
    let removed = app
        .delete_as(&carol, "/api/admin/admins/auth0%7Cboss")
        .await;
    assert_eq!(removed.status(), 204);
    assert!(!is_admin(&app, &boss).await);
    assert_eq!(app.get_as(&boss, "/api/admin/users").await.status(), 403);
    let last = app
        .delete_as(&carol, "/api/admin/admins/auth0%7Ccarol")
        .await;
    assert_eq!(last.status(), 409);
    let body = json(last).await;
    assert_eq!(body["error"]["code"], "conflict");
    assert!(is_admin(&app, &carol).await);
    // Someone who is not an admin: 404.
    let nobody = app
        .delete_as(&carol, "/api/admin/admins/auth0%7Cnobody")
        .await;
    assert_eq!(nobody.status(), 404);

    // One audit row per change (the repeated grant and the refusals wrote none).
    let rows = audit_rows(&app, &carol, "?action=admin").await;
    let actions: Vec<&str> = rows.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["admin.revoke", "admin.grant"]);
    assert_eq!(rows[0]["actorId"], "auth0|carol");
    assert_eq!(rows[0]["targetId"], BOSS);
    assert_eq!(rows[1]["after"]["userId"], "auth0|carol");
    assert_eq!(rows[1]["ip"], "127.0.0.1");
}

#[tokio::test]
async fn a_grant_by_email_needs_a_verified_address_and_is_revoked_with_the_user() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    mvp_core::admin::grant(&app.state.db, "dana@example.com", "config:admin.bootstrap")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let unverified = app
        .token_with_email("auth0|dana", "dana@example.com", false)
        .await;
    assert!(
        !is_admin(&app, &unverified).await,
        "an unverified address proves nothing"
    );
    let dana = app
        .token_with_email("auth0|dana", "dana@example.com", true)
        .await;
    assert!(is_admin(&app, &dana).await);
    // Her profile has the address now; revoking her by id removes the e-mail grant too.
    assert_eq!(
        app.delete_as(&boss, "/api/admin/admins/auth0%7Cdana")
            .await
            .status(),
        204
    );
    assert!(!is_admin(&app, &dana).await);
}

#[tokio::test]
async fn bad_grants_name_the_field() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    for body in [
        json!({"userId": "  "}),
        json!({"userId": "x".repeat(256)}),
        json!({}),
    ] {
        let response = app.post_json_as(&boss, "/api/admin/admins", &body).await;
        assert_eq!(response.status(), 400, "{body}");
        let error = json(response).await;
        assert_eq!(error["error"]["code"], "validation_failed", "{error}");
    }
}

#[tokio::test]
async fn the_user_list_counts_what_each_user_keeps_and_searches_by_email() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let erin = app
        .token_with_email("auth0|erin", "erin@example.com", true)
        .await;
    let vehicle = app
        .create_vehicle(
            &erin,
            1000,
            json!({"year": 2020, "make": "Honda", "model": "Civic"}),
        )
        .await;
    app.create_vehicle(
        &erin,
        500,
        json!({"year": 2018, "make": "Mazda", "model": "3"}),
    )
    .await;
    let fill = app
        .post_json_as(
            &erin,
            "/api/fuel-logs",
            &json!({"vehicleId": vehicle, "dateTime": "2026-01-05T10:00:00Z", "tripDistance": 300,
                    "fuelUnits": 30, "totalCost": 45.5, "fuelType": "gasoline", "fullFill": true}),
        )
        .await;
    assert_eq!(
        fill.status(),
        201,
        "{}",
        fill.text().await.unwrap_or_default()
    );
    app.create_document(&erin, vehicle, None).await;
    // Someone else, seen once.
    app.get_as(
        &app.token_with_email("auth0|frank", "frank@example.com", true)
            .await,
        "/api/vehicles",
    )
    .await;

    let response = app.get_as(&boss, "/api/admin/users?query=ERIN@").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-total-count"], "1");
    let users = json(response).await;
    let user = &users[0];
    assert_eq!(user["id"], "auth0|erin");
    assert_eq!(user["email"], "erin@example.com");
    assert_eq!(user["vehicleCount"], 2);
    assert_eq!(user["fuelLogCount"], 1);
    assert_eq!(user["documentCount"], 1);
    assert!(user["bytesUsed"].as_i64().unwrap_or_default() > 0, "{user}");
    assert_eq!(user["isAdmin"], false);
    assert!(user["lastSeenAt"].is_string(), "{user}");

    let all = app.get_as(&boss, "/api/admin/users?limit=2").await;
    assert_eq!(all.headers()["x-total-count"], "3");
    let page = json(all).await;
    assert_eq!(page.as_array().map(Vec::len), Some(2));
    // A wildcard in the search is taken literally.
    let none = json(app.get_as(&boss, "/api/admin/users?query=%25").await).await;
    assert_eq!(none, json!([]));
    let boss_row = json(app.get_as(&boss, "/api/admin/users?query=boss").await).await;
    assert_eq!(boss_row[0]["isAdmin"], true);
}
