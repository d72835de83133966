//! Profiles against the real app: created on the first authenticated request (once, even under a
//! burst), read and updated by their owner only, validated field by field.

use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn the_first_request_creates_the_profile_once_even_when_concurrent() {
    let app = spawn_app().await;
    let token = app
        .token_with_email("auth0|burst", "burst@example.com", true)
        .await;
    let mut handles = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.url("/api/user/preferences");
        let token = token.clone();
        handles.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for handle in handles {
        assert_eq!(handle.await.ok().and_then(Result::ok), Some(200));
    }
    let pool = app.pool().await;
    let (count, email): (i64, Option<String>) = sqlx::query_as(
        "select count(*), max(email) from user_profiles where user_id = 'auth0|burst'",
    )
    .fetch_one(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 1);
    assert_eq!(email.as_deref(), Some("burst@example.com"));
}

#[tokio::test]
async fn a_user_reads_and_updates_only_their_own_profile() {
    let app = spawn_app().await;
    let alice = app
        .token_with_email("auth0|alice", "alice@example.com", true)
        .await;
    let bob = app
        .token_with_email("auth0|bob", "bob@example.com", true)
        .await;

    let updated = app
        .put_json_as(
            &alice,
            "/api/user/profile",
            &json!({"id": "ignored", "email": "ignored@example.com", "createdAt": "2020-01-01T00:00:00Z",
                    "displayName": "  Alice  ", "notificationEmail": "alerts@example.com"}),
        )
        .await;
    assert_eq!(updated.status(), 200);
    let updated = json(updated).await;
    assert_eq!(updated["id"], "auth0|alice");
    assert_eq!(updated["email"], "alice@example.com");
    assert_eq!(updated["displayName"], "Alice");
    assert_eq!(updated["notificationEmail"], "alerts@example.com");

    let seen_by_bob = json(app.get_as(&bob, "/api/user/profile").await).await;
    assert_eq!(seen_by_bob["id"], "auth0|bob");
    assert_eq!(seen_by_bob["email"], "bob@example.com");
    assert!(seen_by_bob["displayName"].is_null());
    assert!(!seen_by_bob.to_string().contains("alice"));

    let alice_again = json(app.get_as(&alice, "/api/user/profile").await).await;
    assert_eq!(alice_again["displayName"], "Alice");
}

#[tokio::test]
async fn bad_profile_fields_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let token = app.token("auth0|val").await;
    let cases = [
        (
            json!({"displayName": "x", "notificationEmail": "not-an-email"}),
            "notificationEmail",
        ),
        (
            json!({"displayName": "x".repeat(101), "notificationEmail": null}),
            "displayName",
        ),
        (
            json!({"displayName": 42, "notificationEmail": null}),
            "displayName",
        ),
    ];
    for (body, field) in cases {
        let response = app.put_json_as(&token, "/api/user/profile", &body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            json(response).await["error"]["details"][0]["field"],
            field,
            "{body}"
        );
    }
    let unknown = app
        .put_json_as(
            &token,
            "/api/user/profile",
            &json!({"displayName": "x", "nickname": "y"}),
        )
        .await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(app.get("/api/user/profile").await.status(), 401);
}
