//! A forgotten password reset by its e-mailed link (single use, one hour, every sign-in ended), a
//! password changed from the current one, and what neither tells a stranger.

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, TestAppBuilder};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new passphrase";

async fn signed_up(app: &TestApp, email: &str) -> Value {
    let created = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": email, "password": PASSWORD, "acceptTerms": true}),
        )
        .await;
    assert_eq!(created.status(), 201);
    login(app, email, PASSWORD).await
}

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    let response = app
        .post_json(
            "/api/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await;
    let status = response.status();
    let mut body = json(response).await;
    body["status"] = json!(status.as_u16());
    body
}

async fn refresh_status(app: &TestApp, token: &Value) -> u16 {
    app.post_json("/api/auth/refresh", &json!({"refreshToken": token}))
        .await
        .status()
        .as_u16()
}

/// The tokens of every reset link mailed to `email`, oldest first.
async fn reset_tokens(app: &TestApp, email: &str) -> Vec<String> {
    app.outbox()
        .await
        .iter()
        .filter(|m| m.to == email && m.kind == "password_reset")
        .filter_map(|m| {
            m.text
                .lines()
                .find(|l| l.contains("/reset-password?token="))
                .and_then(|l| l.rsplit("token=").next())
                .map(|t| t.trim().to_owned())
        })
        .collect()
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/auth/password-reset/confirm",
        &json!({"token": token, "password": password}),
    )
    .await
}

#[tokio::test]
async fn a_reset_link_works_once_within_the_hour_and_ends_every_sign_in() {
    let app = TestAppBuilder::new().local().spawn().await;
    let email = "forgetful@example.com";
    let session = signed_up(&app, email).await;
    let other_session = login(&app, email, PASSWORD).await;

    // An unknown address gets the same answer, and no mail.
    for address in [email, "nobody@example.com"] {
        let asked = app
            .post_json("/api/auth/password-reset", &json!({"email": address}))
            .await;
        assert_eq!(asked.status(), 202, "{address}");
    }
    assert!(reset_tokens(&app, "nobody@example.com").await.is_empty());
    let tokens = reset_tokens(&app, email).await;
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];
    assert_eq!(token.len(), 43);

    // A weak password is named and leaves the link usable.
    let weak = confirm(&app, token, "password123").await;
    assert_eq!(weak.status(), 400);
    assert_eq!(json(weak).await["error"]["details"][0]["field"], "password");

    assert_eq!(confirm(&app, token, NEW_PASSWORD).await.status(), 204);
    // Once only.
    let again = confirm(&app, token, "yet another passphrase").await;
    assert_eq!(again.status(), 400);
    assert_eq!(json(again).await["error"]["details"][0]["field"], "token");

    // The new password signs in, the old one does not; every earlier sign-in has ended.
    assert_eq!(login(&app, email, NEW_PASSWORD).await["status"], 200);
    assert_eq!(login(&app, email, PASSWORD).await["status"], 401);
    for s in [&session, &other_session] {
        assert_eq!(refresh_status(&app, &s["refreshToken"]).await, 401);
    }

    // A link older than an hour is refused; a made-up one too.
    let asked = app
        .post_json("/api/auth/password-reset", &json!({"email": email}))
        .await;
    assert_eq!(asked.status(), 202);
    let late = reset_tokens(&app, email).await.pop().unwrap_or_default();
    assert_ne!(&late, token);
    sqlx::query(
        "update password_reset_tokens set expires_at = now() - interval '1 second'
          where used_at is null",
    )
    .execute(&app.pool().await)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        confirm(&app, &late, "late passphrase here").await.status(),
        400
    );
    assert_eq!(
        confirm(&app, "made-up", "late passphrase here")
            .await
            .status(),
        400
    );
    assert_eq!(login(&app, email, NEW_PASSWORD).await["status"], 200);
}

#[tokio::test]
async fn a_new_link_makes_the_older_ones_useless_once_used() {
    let app = TestAppBuilder::new().local().spawn().await;
    let email = "twice@example.com";
    signed_up(&app, email).await;
    for _ in 0..2 {
        let asked = app
            .post_json("/api/auth/password-reset", &json!({"email": email}))
            .await;
        assert_eq!(asked.status(), 202);
    }
    let tokens = reset_tokens(&app, email).await;
    assert_eq!(tokens.len(), 2);
    assert_eq!(confirm(&app, &tokens[1], NEW_PASSWORD).await.status(), 204);
    assert_eq!(
        confirm(&app, &tokens[0], "the older link's choice")
            .await
            .status(),
        400,
        "the other link was spent with it"
    );
}

#[tokio::test]
async fn a_password_is_changed_from_the_current_one_and_other_sign_ins_end() {
    let app = TestAppBuilder::new().local().spawn().await;
    let email = "careful@example.com";
    let session = signed_up(&app, email).await;
    let access = session["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let change = |current: &str, new: &str| {
        let body = json!({"currentPassword": current, "newPassword": new});
        let (app, access) = (&app, access.clone());
        async move {
            app.post_json_as(&access, "/api/auth/change-password", &body)
                .await
        }
    };
    assert_eq!(
        app.post_json(
            "/api/auth/change-password",
            &json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
        )
        .await
        .status(),
        401
    );
    let wrong = change("not my password", NEW_PASSWORD).await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(
        json(wrong).await["error"]["details"][0]["field"],
        "currentPassword"
    );
    for weak in ["short", email, PASSWORD] {
        let refused = change(PASSWORD, weak).await;
        assert_eq!(refused.status(), 400, "{weak}");
        assert_eq!(
            json(refused).await["error"]["details"][0]["field"],
            "newPassword"
        );
    }
    assert_eq!(login(&app, email, PASSWORD).await["status"], 200);

    assert_eq!(change(PASSWORD, NEW_PASSWORD).await.status(), 204);
    assert_eq!(login(&app, email, PASSWORD).await["status"], 401);
    assert_eq!(login(&app, email, NEW_PASSWORD).await["status"], 200);
    assert_eq!(refresh_status(&app, &session["refreshToken"]).await, 401);
}

#[tokio::test]
async fn with_an_oidc_provider_the_routes_do_not_exist() {
    let app = mvp_test_support::spawn_app().await;
    let asked = app
        .post_json(
            "/api/auth/password-reset",
            &json!({"email": "someone@example.com"}),
        )
        .await;
    assert_eq!(asked.status(), 404);
}
