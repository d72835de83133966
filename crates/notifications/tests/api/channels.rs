//! The other channels: the Resend API (its fake checks the key and the JSON; a 429 is retried; a bad
//! key holds the queue and shows in /api/health) and push (a signed webhook, ntfy; private URLs
//! refused unless the test flag is on).

use mvp_test_support::app::json;
use mvp_test_support::fakes::{FakeResend, PushReceiver, resend};
use mvp_test_support::{TestAppBuilder, spawn_app};
use serde_json::{Value, json};

use crate::{deliver, noon, remind};

async fn due_schedule(app: &mvp_test_support::TestApp, token: &str) {
    let v = app.create_vehicle(token, 10_000, Value::Null).await;
    app.create_schedule(
        token,
        v,
        json!({"subtypes": ["Brake Fluid"], "intervalMonths": 24, "lastServiceDate": "2024-11-05",
               "emailNotifications": true}),
    )
    .await;
}

#[tokio::test]
async fn resend_gets_the_key_and_the_json_and_a_429_is_retried_once() {
    let fake = FakeResend::start().await;
    let app = TestAppBuilder::new()
        .var("MVP_MAIL__TRANSPORT", "resend")
        .var("MVP_MAIL__RESEND_BASE_URL", fake.base_url())
        .var("MVP_MAIL__RESEND_API_KEY", resend::API_KEY)
        .var("MVP_MAIL__FROM", "MotoVaultPro <reminders@mvp.test>")
        .spawn()
        .await;
    let token = app
        .token_with_email("auth0|resend", "owner@example.com", true)
        .await;
    due_schedule(&app, &token).await;
    assert_eq!(remind(&app, noon("2026-12-20")).await, 1);

    fake.fail_next(&[429]);
    let first = deliver(&app, noon("2026-12-20")).await;
    assert_eq!((first.sent, first.retried), (0, 1), "{first:?}");
    let second = deliver(&app, noon("2026-12-21")).await;
    assert_eq!((second.sent, second.retried), (1, 0), "{second:?}");
    assert_eq!(deliver(&app, noon("2026-12-22")).await.sent, 0);

    assert_eq!(fake.attempts(), 2);
    let accepted = fake.accepted();
    assert_eq!(accepted.len(), 1, "delivered once");
    let (key, body) = &accepted[0];
    assert!(key.as_deref().is_some_and(|k| k.len() == 36), "{key:?}");
    assert_eq!(body["to"], json!(["owner@example.com"]));
    assert_eq!(body["from"], "MotoVaultPro <reminders@mvp.test>");
    assert_eq!(
        body["subject"],
        "Overdue on 2019 Subaru Outback: Brake Fluid"
    );
    assert!(
        body["text"]
            .as_str()
            .is_some_and(|t| t.contains("2019 Subaru Outback"))
    );
    assert!(body["html"].as_str().is_some_and(|t| t.starts_with("<p>")));
}

#[tokio::test]
async fn a_refused_resend_key_keeps_mail_queued_and_degrades_health() {
    let fake = FakeResend::start().await;
    let app = TestAppBuilder::new()
        .var("MVP_MAIL__TRANSPORT", "resend")
        .var("MVP_MAIL__RESEND_BASE_URL", fake.base_url())
        .var("MVP_MAIL__RESEND_API_KEY", "re_wrong_key")
        .spawn()
        .await;
    let token = app
        .token_with_email("auth0|badkey", "owner@example.com", true)
        .await;
    due_schedule(&app, &token).await;
    remind(&app, noon("2026-12-20")).await;
    let report = deliver(&app, noon("2026-12-20")).await;
    assert_eq!(
        (report.sent, report.held, report.failed),
        (0, 1, 0),
        "{report:?}"
    );
    let (status, attempts): (String, i32) =
        sqlx::query_as("select status, attempts from notification_deliveries")
            .fetch_one(&app.pool().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (status.as_str(), attempts),
        ("queued", 0),
        "the try is not counted"
    );
    let health = json(app.get("/api/health").await).await;
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(
        health["components"]["mail"]["status"], "degraded",
        "{health}"
    );
    assert!(fake.accepted().is_empty());
}

#[tokio::test]
async fn a_webhook_gets_signed_json_and_ntfy_gets_the_text() {
    let receiver = PushReceiver::start().await;
    let app = TestAppBuilder::new()
        .var("MVP_NOTIFICATIONS__ALLOW_PRIVATE_PUSH_URLS", "true")
        .spawn()
        .await;
    let token = app
        .token_with_email("auth0|push", "push@example.com", true)
        .await;
    let settings = app
        .put_json_as(
            &token,
            "/api/user/notification-settings",
            &json!({"email": false, "webhookUrl": receiver.url("/hooks/mvp"),
                    "ntfyUrl": receiver.url("/ntfy/my-car")}),
        )
        .await;
    assert_eq!(settings.status(), 200);
    let settings = json(settings).await;
    let secret = settings["webhookSecret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(secret.len(), 43, "{settings}");
    due_schedule(&app, &token).await;
    assert_eq!(remind(&app, noon("2026-12-20")).await, 1);
    let report = deliver(&app, noon("2026-12-20")).await;
    assert_eq!(report.sent, 2, "{report:?}");
    assert!(app.outbox().await.is_empty(), "e-mail is off");

    let received = receiver.received();
    let hook = received
        .iter()
        .find(|r| r.path == "/hooks/mvp")
        .unwrap_or_else(|| panic!("no webhook call: {received:?}"));
    let signature = hook.headers["x-mvp-signature"].to_str().unwrap_or_default();
    assert_eq!(
        signature,
        mvp_notifications::push::signature(&secret, &hook.body)
    );
    assert_ne!(
        signature,
        mvp_notifications::push::signature("other", &hook.body)
    );
    let body: Value = serde_json::from_slice(&hook.body).unwrap_or_default();
    assert_eq!(body["kind"], "maintenance_overdue");
    assert_eq!(body["title"], "Overdue on 2019 Subaru Outback: Brake Fluid");
    let ntfy = received
        .iter()
        .find(|r| r.path == "/ntfy/my-car")
        .unwrap_or_else(|| panic!("no ntfy call: {received:?}"));
    assert_eq!(
        ntfy.headers["title"],
        "Overdue on 2019 Subaru Outback: Brake Fluid"
    );
    assert!(String::from_utf8_lossy(&ntfy.body).contains("Brake Fluid on 2019 Subaru Outback"));

    // The test button reaches the same channels.
    let test = app
        .client
        .post(app.url("/api/user/notification-settings/test"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(test.status(), 202);
    assert_eq!(json(test).await["channels"], json!(["ntfy", "webhook"]));
    assert_eq!(receiver.received().len(), 4);

    // A new key on request; removing the webhook removes its key.
    let rotated = app
        .put_json_as(
            &token,
            "/api/user/notification-settings",
            &json!({"rotateWebhookSecret": true}),
        )
        .await;
    let rotated = json(rotated).await;
    assert_ne!(rotated["webhookSecret"], json!(secret));
    assert_eq!(rotated["webhookSecret"].as_str().map(str::len), Some(43));
    let removed = app
        .put_json_as(
            &token,
            "/api/user/notification-settings",
            &json!({"webhookUrl": ""}),
        )
        .await;
    let removed = json(removed).await;
    assert_eq!(
        (
            removed["webhookUrl"].clone(),
            removed["webhookSecret"].clone()
        ),
        (Value::Null, Value::Null)
    );
    assert_eq!(
        removed["ntfyUrl"],
        receiver.url("/ntfy/my-car"),
        "other channels are kept"
    );
}

#[tokio::test]
async fn private_and_plain_http_push_urls_are_refused_without_the_test_flag() {
    let app = spawn_app().await;
    let token = app.token("auth0|careful").await;
    for (field, url, says) in [
        ("webhookUrl", "http://example.com/hook", "https"),
        ("webhookUrl", "https://127.0.0.1/hook", "private"),
        ("ntfyUrl", "https://localhost/topic", "private"),
        ("ntfyUrl", "https://[::1]/topic", "private"),
        ("ntfyUrl", "https://10.0.0.8/topic", "private"),
        ("webhookUrl", "not a url", "URL"),
    ] {
        let response = app
            .put_json_as(
                &token,
                "/api/user/notification-settings",
                &json!({field: url}),
            )
            .await;
        assert_eq!(response.status(), 400, "{url}");
        let body = json(response).await;
        assert_eq!(body["error"]["details"][0]["field"], field, "{body}");
        assert!(
            body["error"]["details"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(says)),
            "{url}: {body}"
        );
    }
    let bad_days = app
        .put_json_as(
            &token,
            "/api/user/notification-settings",
            &json!({"dueSoonDays": 0}),
        )
        .await;
    assert_eq!(bad_days.status(), 400);
    assert_eq!(
        json(bad_days).await["error"]["details"][0]["field"],
        "dueSoonDays"
    );
    let unchanged = json(app.get_as(&token, "/api/user/notification-settings").await).await;
    assert_eq!(unchanged["ntfyUrl"], Value::Null);
    assert_eq!(unchanged["webhookUrl"], Value::Null);
    assert_eq!(unchanged["dueSoonDays"], 30);
    assert_eq!(unchanged["email"], true);
}
