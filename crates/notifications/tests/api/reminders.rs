//! Reminders: one per crossing however often the job runs, only for live vehicles, documents before
//! and after expiry, and e-mail through a real SMTP server that was down for a while.

use mvp_test_support::{SmtpSink, TestAppBuilder, spawn_app};
use serde_json::{Value, json};

use crate::{deliver, noon, remind};

#[tokio::test]
async fn a_schedule_is_reminded_once_per_crossing() {
    let app = spawn_app().await;
    let token = app
        .token_with_email("auth0|remind", "remind@example.com", true)
        .await;
    let v = app.create_vehicle(&token, 50_000, Value::Null).await;
    app.create_schedule(
        &token,
        v,
        json!({"subtypes": ["Coolant"], "intervalMonths": 12, "lastServiceDate": "2026-01-15",
               "emailNotifications": true}),
    )
    .await;

    assert_eq!(
        remind(&app, noon("2026-10-01")).await,
        0,
        "well before: quiet"
    );
    let first = remind(&app, noon("2026-12-20")).await;
    let again = remind(&app, noon("2026-12-20")).await;
    let next_day = remind(&app, noon("2026-12-21")).await;
    assert_eq!((first, again, next_day), (1, 0, 0));
    let overdue = remind(&app, noon("2027-01-16")).await;
    let overdue_again = remind(&app, noon("2027-01-16")).await;
    assert_eq!((overdue, overdue_again), (1, 0));

    let sent = deliver(&app, noon("2027-01-16")).await;
    assert_eq!(sent.sent, 2, "{sent:?}");
    // One pass sends both at once, in either order.
    let mut mails = app.outbox().await;
    mails.sort_by(|a, b| a.subject.cmp(&b.subject));
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|m| m.to == "remind@example.com"));
    assert_eq!(mails[0].subject, "Due soon on 2019 Subaru Outback: Coolant");
    assert_eq!(mails[1].subject, "Overdue on 2019 Subaru Outback: Coolant");
    assert!(
        mails[0].text.contains("due soon: on 2027-01-15"),
        "{}",
        mails[0].text
    );
    assert_eq!(deliver(&app, noon("2027-01-17")).await.sent, 0);
}

#[tokio::test]
async fn a_deleted_vehicle_gets_no_reminders() {
    let app = spawn_app().await;
    let token = app
        .token_with_email("auth0|sold", "sold@example.com", true)
        .await;
    let kept = app.create_vehicle(&token, 10_000, Value::Null).await;
    let sold = app.create_vehicle(&token, 20_000, Value::Null).await;
    for v in [kept, sold] {
        app.create_schedule(
            &token,
            v,
            json!({"subtypes": ["Coolant"], "intervalMonths": 12, "lastServiceDate": "2026-01-15",
                   "emailNotifications": true}),
        )
        .await;
        app.create_document(&token, v, Some("2027-01-01")).await;
    }
    let deleted = app
        .delete_as(&token, &format!("/api/vehicles/{sold}"))
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(remind(&app, noon("2026-12-20")).await, 2);
    assert_eq!(deliver(&app, noon("2026-12-20")).await.sent, 2);
    let mails = app.outbox().await;
    assert!(mails.iter().all(|m| m.to == "sold@example.com"));
}

#[tokio::test]
async fn documents_are_reminded_before_and_after_expiry_within_the_users_window() {
    let app = spawn_app().await;
    let token = app
        .token_with_email("auth0|papers", "papers@example.com", true)
        .await;
    let car = app.create_vehicle(&token, 10_000, Value::Null).await;
    app.create_document(&token, car, Some("2027-03-31")).await;

    assert_eq!(
        remind(&app, noon("2027-02-01")).await,
        0,
        "two months ahead"
    );
    // A 60-day window reaches 2027-02-01.
    let put = app
        .put_json_as(
            &token,
            "/api/user/notification-settings",
            &json!({"dueSoonDays": 60}),
        )
        .await;
    assert_eq!(put.status(), 200);
    assert_eq!(remind(&app, noon("2027-02-01")).await, 1);
    assert_eq!(remind(&app, noon("2027-03-10")).await, 0, "same crossing");
    assert_eq!(
        (
            remind(&app, noon("2027-04-01")).await,
            remind(&app, noon("2027-04-02")).await
        ),
        (1, 0)
    );
    deliver(&app, noon("2027-04-02")).await;
    let mut mails = app.outbox().await;
    mails.sort_by(|a, b| b.subject.cmp(&a.subject));
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert_eq!(
        mails[0].subject,
        "Expiring soon: Insurance card (2019 Subaru Outback)"
    );
    assert!(
        mails[0].text.contains("(58 days from now)"),
        "{}",
        mails[0].text
    );
    assert_eq!(
        mails[1].subject,
        "Expired: Insurance card (2019 Subaru Outback)"
    );
}

/// Must show: the due-soon mail reaches a real SMTP server; with the server down nothing is lost
/// and, once it is back, exactly one mail arrives; another pass sends nothing.
/// A mail server that accepts the connection and never says a word (a wrong port, a stuck relay):
/// the send gives up at the send timeout and the message waits for the next try, rather than
/// holding the delivery run forever (it did, in a CI run where a test's server took the port).
#[tokio::test]
async fn an_smtp_server_that_never_greets_is_a_temporary_failure() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let app = TestAppBuilder::new()
        .var("MVP_MAIL__TRANSPORT", "smtp")
        .var("MVP_MAIL__SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .var("MVP_MAIL__FROM", "MotoVaultPro <reminders@mvp.test>")
        .var("MVP_MAIL__SEND_TIMEOUT_SECS", "2")
        .spawn()
        .await;
    let token = app
        .token_with_email("auth0|silent", "driver@example.com", true)
        .await;
    let v = app
        .create_vehicle(
            &token,
            0,
            json!({"year": 2020, "make": "Honda", "model": "Fit", "nickname": "Fit",
                   "odometerReading": 30_000}),
        )
        .await;
    app.create_schedule(
        &token,
        v,
        json!({"subtypes": ["Engine Oil"], "intervalMonths": 6,
               "lastServiceDate": "2026-06-10", "emailNotifications": true}),
    )
    .await;
    assert_eq!(remind(&app, noon("2026-11-20")).await, 1);
    let started = std::time::Instant::now();
    let report = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        deliver(&app, noon("2026-11-20")),
    )
    .await
    .unwrap_or_else(|_| panic!("the delivery run hung on a silent SMTP server"));
    assert_eq!(
        (report.sent, report.retried, report.failed),
        (0, 1, 0),
        "{report:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let (status, error): (String, Option<String>) =
        sqlx::query_as("select status, last_error from notification_deliveries")
            .fetch_one(&app.pool().await)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, "queued");
    assert!(error.is_some_and(|e| e.contains("SMTP")));
    silent.abort();
}

#[tokio::test]
async fn smtp_delivers_once_after_the_server_comes_back() {
    let mut sink = SmtpSink::reserve();
    let app = TestAppBuilder::new()
        .var("MVP_MAIL__TRANSPORT", "smtp")
        .var("MVP_MAIL__SMTP_URL", sink.url())
        .var("MVP_MAIL__FROM", "MotoVaultPro <reminders@mvp.test>")
        .var("MVP_MAIL__SEND_TIMEOUT_SECS", "5")
        .spawn()
        .await;
    let token = app
        .token_with_email("auth0|smtp", "driver@example.com", true)
        .await;
    let v = app
        .create_vehicle(
            &token,
            0,
            json!({"year": 2021, "make": "Mazda", "model": "MX-5", "nickname": "Miata",
                   "odometerReading": 12_000}),
        )
        .await;
    app.create_schedule(
        &token,
        v,
        json!({"subtypes": ["Engine Oil", "Oil Filter"], "intervalMonths": 6,
               "lastServiceDate": "2026-06-10", "emailNotifications": true}),
    )
    .await;

    // The mail server is down: the reminder is queued and the first try fails softly.
    assert_eq!(remind(&app, noon("2026-11-20")).await, 1);
    let down = deliver(&app, noon("2026-11-20")).await;
    assert_eq!(
        (down.sent, down.retried, down.failed),
        (0, 1, 0),
        "{down:?}"
    );
    let pool = app.pool().await;
    let (status, attempts, error): (String, i32, Option<String>) =
        sqlx::query_as("select status, attempts, last_error from notification_deliveries")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.is_some_and(|e| e.contains("SMTP")));
    // Before the backoff is over nothing is tried.
    assert_eq!(deliver(&app, noon("2026-11-20")).await, Default::default());

    sink.up().await.unwrap_or_else(|e| panic!("{e:#}"));
    let later = noon("2026-11-20") + chrono::Duration::hours(1);
    let back = deliver(&app, later).await;
    assert_eq!((back.sent, back.retried), (1, 0), "{back:?}");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let mail = &messages[0];
    assert_eq!(mail.rcpt_tos, ["driver@example.com"]);
    assert_eq!(mail.subject, "Due soon on Miata: Engine Oil, Oil Filter");
    let text = mail.text.clone().unwrap_or_default();
    assert!(
        text.contains("Engine Oil, Oil Filter on Miata is due soon: on 2026-12-10"),
        "{text}"
    );
    assert!(
        mail.html
            .clone()
            .unwrap_or_default()
            .contains("<strong>Miata</strong>")
    );
    assert!(
        mail.message_id.ends_with("@motovaultpro>"),
        "{}",
        mail.message_id
    );

    let again = deliver(&app, later + chrono::Duration::hours(1)).await;
    assert_eq!(again.sent, 0);
    assert_eq!(remind(&app, later).await, 0);
    assert_eq!(sink.messages().len(), 1);
    let sent: String = sqlx::query_scalar("select status from notification_deliveries")
        .fetch_one(&pool)
        .await
        .unwrap_or_default();
    assert_eq!(sent, "sent");
}
