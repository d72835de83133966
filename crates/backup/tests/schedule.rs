//! Scheduled backups and retention (with a clock the test moves), the settings routes, and the
//! backup lock: an interrupted backup does not block the next one; a held lock does (409).

use chrono::{Duration, Utc};
use mvp_backup::{Kind, repo};
use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn ten_scheduled_runs_with_keep_three_leave_the_newest_three() {
    let app = spawn_app().await;
    let token = app.token("auth0|sched").await;
    app.create_vehicle(&token, 1_000, Value::Null).await;
    let pool = &app.state.db;
    sqlx::query(
        "update backup_settings set daily = true, hour = 3, time_zone = 'UTC', keep_daily = 3",
    )
    .execute(pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));

    // Ten days, the scheduler passing at 04:00 and again at 05:00 each day.
    let first = (Utc::now() + Duration::days(1)).date_naive();
    let mut made = Vec::new();
    for day in 0..10 {
        let date = first + Duration::days(day);
        let four = date.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc();
        let report = mvp_backup::run_schedule(pool, &app.state.storage, four)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        let row = report
            .made
            .unwrap_or_else(|| panic!("nothing made on day {day}"));
        assert_eq!(row.status, "ready", "{:?}", row.error);
        assert_eq!(row.schedules, ["daily"]);
        assert_eq!(
            row.slot_at,
            Some(date.and_hms_opt(3, 0, 0).unwrap_or_default().and_utc())
        );
        assert_eq!(report.expired, usize::from(day >= 3));
        made.push(row.id);
        let again = mvp_backup::run_schedule(pool, &app.state.storage, four + Duration::hours(1))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            again.made.is_none(),
            "the slot of day {day} was filled twice"
        );
    }

    let left: Vec<uuid::Uuid> = mvp_backup::list(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id)
        .collect();
    let newest: Vec<uuid::Uuid> = made.iter().rev().take(3).copied().collect();
    assert_eq!(left, newest, "the three newest remain, newest first");
    let mut stored: Vec<String> = app
        .state
        .storage
        .list("backups")
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    stored.sort();
    let mut expected: Vec<String> = newest
        .iter()
        .map(|id| mvp_backup::storage_key(*id))
        .collect();
    expected.sort();
    assert_eq!(stored, expected, "only their archives are stored");
    app.shutdown().await;
}

#[tokio::test]
async fn settings_are_checked_audited_and_say_when_the_next_backup_is_due() {
    let app = spawn_app().await;
    mvp_core::admin::grant(&app.state.db, "auth0|keeper", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = app.token("auth0|keeper").await;
    let user = app.token("auth0|someone").await;
    assert_eq!(
        app.get_as(&user, "/api/admin/backups/settings")
            .await
            .status(),
        403
    );

    let initial = json(app.get_as(&admin, "/api/admin/backups/settings").await).await;
    assert_eq!(
        (
            &initial["daily"],
            &initial["weekly"],
            &initial["monthly"],
            &initial["nextRunAt"]
        ),
        (&json!(false), &json!(false), &json!(false), &Value::Null),
        "{initial}"
    );

    let bad = json!({"daily": true, "weekly": false, "monthly": false, "hour": 24, "weekday": 8,
        "timeZone": "Mars/Olympus", "keepDaily": 0, "keepWeekly": 4, "keepMonthly": 12});
    let refused = app
        .put_json_as(&admin, "/api/admin/backups/settings", &bad)
        .await;
    assert_eq!(refused.status(), 400);
    let body = json(refused).await;
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["hour", "weekday", "timeZone", "keepDaily"]);

    let good = json!({"daily": true, "weekly": true, "monthly": false, "hour": 2, "weekday": 1,
        "timeZone": "Europe/Berlin", "keepDaily": 5, "keepWeekly": 3, "keepMonthly": 12,
        "nextRunAt": "2000-01-01T00:00:00Z"});
    let saved = app
        .put_json_as(&admin, "/api/admin/backups/settings", &good)
        .await;
    assert_eq!(saved.status(), 200);
    let saved = json(saved).await;
    assert_eq!(saved["timeZone"], "Europe/Berlin");
    assert_eq!(saved["keepDaily"], 5);
    // The next run is the next 02:00 in Berlin (slots already past are not owed).
    let next: chrono::DateTime<Utc> = saved["nextRunAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no nextRunAt: {saved}"));
    assert!(
        next > Utc::now() && next <= Utc::now() + Duration::hours(25),
        "{next}"
    );
    let local = next.with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(local.format("%H:%M").to_string(), "02:00");
    assert_eq!(
        json(app.get_as(&admin, "/api/admin/backups/settings").await).await,
        saved
    );

    let audit = json(
        app.get_as(&admin, "/api/admin/audit-logs?action=backup.settings")
            .await,
    )
    .await;
    assert_eq!(audit[0]["before"]["daily"], false);
    assert_eq!(audit[0]["after"]["keepWeekly"], 3);
    app.shutdown().await;
}

#[tokio::test]
async fn an_interrupted_backup_is_marked_failed_and_does_not_block_the_next() {
    let app = spawn_app().await;
    mvp_core::admin::grant(&app.state.db, "auth0|keeper", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = app.token("auth0|keeper").await;
    let pool = &app.state.db;

    // What a process killed while building leaves: a running row, and nobody holding the lock.
    let orphan = uuid::Uuid::now_v7();
    let key = mvp_backup::storage_key(orphan);
    repo::insert_running(
        pool,
        &repo::NewBackup {
            id: orphan,
            kind: Kind::Manual.as_str(),
            key: &key,
            schema_version: 1,
            app_version: "0",
            schedules: &[],
            slot_at: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let list = json(app.get_as(&admin, "/api/admin/backups").await).await;
    assert_eq!(list[0]["id"], orphan.to_string());
    assert_eq!(list[0]["status"], "failed");
    assert!(
        list[0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted"),
        "{list}"
    );
    assert_eq!(
        app.delete_as(&admin, &format!("/api/admin/backups/{orphan}"))
            .await
            .status(),
        204,
        "an interrupted backup can be deleted"
    );

    // While another process holds the lock (a backup or restore elsewhere): 409, nothing made.
    let held = mvp_backup::lock::try_acquire(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the lock is free"));
    let refused = app
        .post_json_as(&admin, "/api/admin/backups", &Value::Null)
        .await;
    assert_eq!(refused.status(), 409);
    assert_eq!(json(refused).await["error"]["code"], "conflict");
    let busy = mvp_backup::run_schedule(pool, &app.state.storage, Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(busy.busy && busy.made.is_none());
    assert!(mvp_backup::list(pool).await.unwrap_or_default().is_empty());
    held.release().await;

    let started = app
        .post_json_as(&admin, "/api/admin/backups", &Value::Null)
        .await;
    assert_eq!(started.status(), 202);
    app.shutdown().await;
}
