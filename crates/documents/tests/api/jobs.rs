//! The storage jobs: the purge after the retention period, the sweep of what a crash leaves, and the
//! expiring-documents list.

use std::time::Duration;

use chrono::{Days, Utc};
use mvp_documents::job;
use mvp_test_support::app::json;
use mvp_test_support::spawn_app;

use crate::support::*;

#[tokio::test]
async fn deleted_documents_are_purged_after_the_retention_period() {
    let app = spawn_app().await;
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;
    let kept = json(upload(&app, &token, &vehicle_id, "kept.pdf", &pdf(1000)).await).await;
    let gone = json(upload(&app, &token, &vehicle_id, "gone.pdf", &pdf(1000)).await).await;
    assert_eq!(
        app.delete_as(&token, &format!("/api/documents/{}", id(&gone)))
            .await
            .status(),
        204
    );
    let pool = app.pool().await;
    let storage = &app.state.storage;

    let early = job::purge(&pool, storage, Utc::now(), 30)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((early.ran, early.purged), (true, 0));
    assert_eq!(stored(&app).0, 2);

    let later = Utc::now() + chrono::Duration::days(31);
    let report = job::purge(&pool, storage, later, 30)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(report.purged, 1);
    assert_eq!(stored(&app).0, 1);
    let again = job::purge(&pool, storage, later, 30)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(again.purged, 0);
    let download = app
        .get_as(&token, &format!("/api/documents/{}/download", id(&kept)))
        .await;
    assert_eq!(download.status(), 200);
}

#[tokio::test]
async fn the_sweep_removes_what_a_crash_left_and_nothing_else() {
    let app = spawn_app().await;
    // A fresh install has no documents directory yet: nothing to do, not an error.
    let fresh = job::sweep(
        &app.pool().await,
        &app.state.storage,
        Utc::now(),
        job::SWEEP_MIN_AGE,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((fresh.staging_files, fresh.orphan_objects), (0, 0));
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;
    let doc = json(upload(&app, &token, &vehicle_id, "kept.pdf", &pdf(1000)).await).await;
    let storage = &app.state.storage;
    storage
        .put(
            "documents/ab/0123456789abcdef0123456789abcdef.pdf",
            pdf(100),
        )
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    std::fs::create_dir_all(storage.staging_dir()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(storage.staging_dir().join("upload-crashed"), b"half")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored(&app), (2, 1));
    let pool = app.pool().await;

    // Young leftovers may be uploads in progress: kept.
    let now = job::sweep(&pool, storage, Utc::now(), Duration::from_secs(3600))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((now.staging_files, now.orphan_objects), (0, 0));
    let later = Utc::now() + chrono::Duration::hours(2);
    let report = job::sweep(&pool, storage, later, Duration::from_secs(3600))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((report.staging_files, report.orphan_objects), (1, 1));
    assert_eq!(stored(&app), (1, 0));
    let download = app
        .get_as(&token, &format!("/api/documents/{}/download", id(&doc)))
        .await;
    assert_eq!(download.status(), 200);
}

#[tokio::test]
async fn expiring_documents_are_listed_soonest_first() {
    let app = spawn_app().await;
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;
    let today = Utc::now().date_naive();
    let day = |offset: i64| {
        if offset >= 0 {
            today.checked_add_days(Days::new(offset.unsigned_abs()))
        } else {
            today.checked_sub_days(Days::new(offset.unsigned_abs()))
        }
        .map(|d| d.to_string())
        .unwrap_or_default()
    };
    for (title, expires) in [
        ("later", Some(60)),
        ("soon", Some(10)),
        ("expired", Some(-3)),
        ("never", None),
    ] {
        let expires = expires.map(day);
        let mut fields = vec![
            ("vehicleId", vehicle_id.as_str()),
            ("documentType", "insurance"),
            ("title", title),
        ];
        if let Some(date) = &expires {
            fields.push(("expirationDate", date.as_str()));
        }
        let response = upload_raw(&app, &token, multipart(&fields, b"x.pdf", &pdf(300))).await;
        assert_eq!(response.status(), 201);
    }
    let list = app
        .get_as(&token, "/api/documents?expiringWithinDays=30")
        .await;
    assert_eq!(list.headers()["x-total-count"], "2");
    let titles: Vec<String> = json(list)
        .await
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["title"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(titles, ["expired", "soon"]);
    let bad = app
        .get_as(&token, "/api/documents?expiringWithinDays=soon")
        .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        json(bad).await["error"]["details"][0]["field"],
        "expiringWithinDays"
    );

    let pool = app.pool().await;
    let expiring = mvp_documents::with_expiry(&pool, None, Some(today + chrono::Days::new(30)))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let mut titles: Vec<&str> = expiring.iter().map(|d| d.title.as_str()).collect();
    titles.sort_unstable();
    assert_eq!(titles, ["expired", "soon"]);
}

#[tokio::test]
async fn expiring_counts_from_today_in_the_users_time_zone() {
    let app = spawn_app().await;
    let token = app.token("auth0|traveller").await;
    let vehicle_id = vehicle(&app, &token).await;
    let now = Utc::now();
    let utc_today = now.date_naive();
    // Kiritimati (UTC+14) is a day ahead from 10:00 UTC; Pago Pago (UTC−11) a day behind until 11:00
    // UTC: at any hour one of them is on another date than UTC, so the answer depends on the zone.
    let (zone, tz) = if now
        .with_timezone(&chrono_tz::Pacific::Kiritimati)
        .date_naive()
        != utc_today
    {
        ("Pacific/Kiritimati", chrono_tz::Pacific::Kiritimati)
    } else {
        ("Pacific/Pago_Pago", chrono_tz::Pacific::Pago_Pago)
    };
    let zone_today = now.with_timezone(&tz).date_naive();
    assert_ne!(zone_today, utc_today);
    let prefs = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &serde_json::json!({"unitSystem": "metric", "currencyCode": "USD", "timeZone": zone, "darkMode": false}),
        )
        .await;
    assert_eq!(prefs.status(), 200);
    for (title, day) in [
        ("on the user's today", zone_today),
        ("on UTC's today", utc_today),
    ] {
        let fields = [
            ("vehicleId", vehicle_id.as_str()),
            ("documentType", "registration"),
            ("title", title),
            ("expirationDate", &day.to_string()),
        ];
        let response = upload_raw(&app, &token, multipart(&fields, b"x.pdf", &pdf(300))).await;
        assert_eq!(response.status(), 201);
    }
    // Expiring "within 0 days" = on or before the user's today.
    let listed = json(
        app.get_as(&token, "/api/documents?expiringWithinDays=0")
            .await,
    )
    .await;
    let titles: Vec<&str> = listed
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["title"].as_str()).collect())
        .unwrap_or_default();
    if zone_today > utc_today {
        assert_eq!(titles, ["on UTC's today", "on the user's today"], "{zone}");
    } else {
        assert_eq!(titles, ["on the user's today"], "{zone}");
    }
}
