//! The bell's summary and the notification centre: a due schedule and an expiring document appear,
//! marking read lowers the unread count, and another user sees none of it (404 on its ids).

use chrono::{Days, Utc};
use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::{Value, json};

use crate::remind;

#[tokio::test]
async fn the_summary_and_the_centre_show_what_is_due_and_marking_read_counts_down() {
    let app = spawn_app().await;
    let token = app
        .token_with_email("auth0|bell", "bell@example.com", true)
        .await;
    let other = app.token("auth0|stranger").await;
    let today = Utc::now().date_naive();
    let car = app.create_vehicle(&token, 30_000, Value::Null).await;
    // Due in 10 days: last service 12 months minus 10 days ago.
    let last = (today + Days::new(10)).checked_sub_months(chrono::Months::new(12));
    let schedule = app
        .create_schedule(
            &token,
            car,
            json!({"subtypes": ["Air Filter"], "intervalMonths": 12,
                   "lastServiceDate": last.map(|d| d.to_string())}),
        )
        .await;
    let expires = (today + Days::new(20)).to_string();
    let document = app.create_document(&token, car, Some(&expires)).await;

    let summary = json(app.get_as(&token, "/api/notifications/summary").await).await;
    assert_eq!(
        summary["maintenance"].as_array().map(Vec::len),
        Some(1),
        "{summary}"
    );
    assert_eq!(summary["maintenance"][0]["scheduleId"], json!(schedule));
    assert_eq!(summary["maintenance"][0]["status"], "due_soon");
    assert_eq!(
        summary["maintenance"][0]["vehicleName"],
        "2019 Subaru Outback"
    );
    assert_eq!(summary["documents"][0]["documentId"], json!(document));
    assert_eq!(summary["documents"][0]["status"], "expiring");
    assert_eq!(summary["documents"][0]["expirationDate"], expires);
    assert_eq!(summary["unread"], 0);
    let strangers = json(app.get_as(&other, "/api/notifications/summary").await).await;
    assert_eq!(
        strangers,
        json!({"maintenance": [], "documents": [], "unread": 0})
    );

    assert_eq!(remind(&app, Utc::now()).await, 2);
    let unread = json(app.get_as(&token, "/api/notifications/summary").await).await;
    assert_eq!(unread["unread"], 2);
    let centre = app.get_as(&token, "/api/notifications").await;
    assert_eq!(centre.headers()["x-total-count"], "2");
    let centre = json(centre).await;
    let kinds: Vec<&str> = centre
        .as_array()
        .map(|a| a.iter().filter_map(|n| n["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&"maintenance_due_soon") && kinds.contains(&"document_expiring"));
    assert!(centre[0]["readAt"].is_null());
    let first = centre[0]["id"].as_str().unwrap_or_default().to_owned();

    // Another user cannot read, mark or even see the entries.
    let theirs = app
        .client
        .post(app.url(&format!("/api/notifications/{first}/read")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(theirs.status(), 404);
    assert_eq!(
        json(app.get_as(&other, "/api/notifications").await).await,
        json!([])
    );

    let mark = app
        .client
        .post(app.url(&format!("/api/notifications/{first}/read")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mark.status(), 204);
    let after = json(app.get_as(&token, "/api/notifications/summary").await).await;
    assert_eq!(after["unread"], 1);
    let only_unread = json(app.get_as(&token, "/api/notifications?unread=true").await).await;
    assert_eq!(only_unread.as_array().map(Vec::len), Some(1));
    let all = app
        .post_json_as(&token, "/api/notifications/read-all", &json!({}))
        .await;
    assert_eq!(json(all).await["marked"], 1);
    let none = json(app.get_as(&token, "/api/notifications/summary").await).await;
    assert_eq!(none["unread"], 0);

    let bad = app
        .client
        .post(app.url("/api/notifications/not-a-uuid/read"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bad.status(), 404, "a malformed id names nothing");
    let bad_filter = app.get_as(&token, "/api/notifications?unread=maybe").await;
    assert_eq!(bad_filter.status(), 400);
    assert_eq!(
        json(bad_filter).await["error"]["details"][0]["field"],
        "unread"
    );
}

#[tokio::test]
async fn settings_name_the_address_mail_goes_to() {
    let app = spawn_app().await;
    let token = app
        .token_with_email("auth0|addr", "signin@example.com", true)
        .await;
    let settings = json(app.get_as(&token, "/api/user/notification-settings").await).await;
    assert_eq!(settings["emailAddress"], "signin@example.com");
    let profile = json(app.get_as(&token, "/api/user/profile").await).await;
    let mut changed = profile.clone();
    changed["notificationEmail"] = json!("alerts@example.com");
    let put = app.put_json_as(&token, "/api/user/profile", &changed).await;
    assert_eq!(put.status(), 200);
    let settings = json(app.get_as(&token, "/api/user/notification-settings").await).await;
    assert_eq!(settings["emailAddress"], "alerts@example.com");
    // The whole representation can be sent back (read-only fields are ignored).
    let echoed = app
        .put_json_as(&token, "/api/user/notification-settings", &settings)
        .await;
    assert_eq!(echoed.status(), 200);
}
