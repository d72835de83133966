//! Maintenance against the real app: records advance schedules and deleting them recomputes,
//! upcoming is ordered by urgency, validation names fields, a second user gets 404 everywhere, and
//! the reminder job sends one reminder per crossing however often it runs.

use chrono::{Duration, NaiveDate, Utc};
use mvp_test_support::app::json;
use mvp_test_support::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn vehicle(app: &TestApp, token: &str, odometer: i64) -> String {
    let v = json(
        app.post_json_as(token, "/api/vehicles", &json!({"year": 2019, "make": "Subaru", "model": "Outback", "odometerReading": odometer}))
            .await,
    )
    .await;
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

#[tokio::test]
async fn a_covering_record_advances_its_schedule_and_deleting_it_recomputes() {
    let app = spawn_app().await;
    let token = app.token("auth0|mech");
    let v = vehicle(&app, &token, 40_000).await;
    let schedule = app
        .post_json_as(&token, "/api/maintenance/schedules", &json!({
            "vehicleId": v, "category": "routine_maintenance", "subtypes": ["Engine Oil", "Oil Filter"],
            "intervalMonths": 6, "intervalDistance": 5000,
            "lastServiceDate": days_ago(200), "lastServiceOdometer": 34_000}))
        .await;
    assert_eq!(schedule.status(), 201);
    let schedule = json(schedule).await;
    assert_eq!(
        schedule["status"], "overdue",
        "200 days and 6,000 miles since the last change: {schedule}"
    );
    let url = format!("/api/maintenance/schedules/{}", id(&schedule));

    // A record that covers only part of the subtypes does not count.
    let partial = app
        .post_json_as(&token, "/api/maintenance/records", &json!({
            "vehicleId": v, "date": days_ago(5), "odometerReading": 39_900, "category": "routine_maintenance",
            "subtypes": ["Engine Oil"], "cost": 45.50}))
        .await;
    assert_eq!(partial.status(), 201);
    assert_eq!(
        json(app.get_as(&token, &url).await).await["status"],
        "overdue"
    );

    let full = json(
        app.post_json_as(&token, "/api/maintenance/records", &json!({
            "vehicleId": v, "date": days_ago(2), "odometerReading": 40_100, "category": "routine_maintenance",
            "subtypes": ["engine oil", "Oil Filter", "Air Filter"], "cost": 89.99, "shopName": "Corner Garage"}))
            .await,
    )
    .await;
    assert_eq!(
        full["subtypes"],
        json!(["Engine Oil", "Oil Filter", "Air Filter"]),
        "canonical spelling"
    );
    let advanced = json(app.get_as(&token, &url).await).await;
    assert_eq!(advanced["lastServiceDate"], days_ago(2));
    assert_eq!(advanced["lastServiceOdometer"], 40_100);
    assert_eq!(advanced["nextDueOdometer"], 45_100);
    assert_eq!(advanced["status"], "ok");
    // The record moved the vehicle's odometer forward.
    assert_eq!(
        json(app.get_as(&token, &format!("/api/vehicles/{v}")).await).await["odometerReading"],
        40_100
    );

    // Deleting the record puts the schedule back on the service the user had entered.
    let deleted = app
        .delete_as(&token, &format!("/api/maintenance/records/{}", id(&full)))
        .await;
    assert_eq!(deleted.status(), 204);
    let back = json(app.get_as(&token, &url).await).await;
    assert_eq!(back["lastServiceDate"], days_ago(200));
    assert_eq!(back["status"], "overdue");
}

#[tokio::test]
async fn upcoming_lists_the_most_urgent_first_across_vehicles() {
    let app = spawn_app().await;
    let token = app.token("auth0|fleet");
    let (a, b) = (
        vehicle(&app, &token, 10_000).await,
        vehicle(&app, &token, 20_000).await,
    );
    let make = |v: &str, subtype: &str, months: i64, last: i64| {
        json!({"vehicleId": v, "category": "routine_maintenance", "subtypes": [subtype],
               "intervalMonths": months, "lastServiceDate": days_ago(last)})
    };
    let cases = [
        (a.clone(), "Wiper Blades", 12, 30, "ok"),
        (a.clone(), "Coolant", 1, 100, "overdue"),
        (b.clone(), "Brake Fluid", 2, 50, "due_soon"),
        (b.clone(), "Battery", 1, 40, "overdue"),
    ];
    for (v, subtype, months, last, expected) in &cases {
        let created = json(
            app.post_json_as(
                &token,
                "/api/maintenance/schedules",
                &make(v, subtype, *months, *last),
            )
            .await,
        )
        .await;
        assert_eq!(created["status"], *expected, "{subtype}: {created}");
    }
    let upcoming = json(app.get_as(&token, "/api/maintenance/upcoming").await).await;
    let order: Vec<&str> = upcoming
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["subtypes"][0].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        order,
        ["Coolant", "Battery", "Brake Fluid"],
        "most overdue first, then due soon"
    );
    let only_b = json(
        app.get_as(&token, &format!("/api/maintenance/upcoming?vehicleId={b}"))
            .await,
    )
    .await;
    assert_eq!(only_b.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn bad_records_and_schedules_name_the_field() {
    let app = spawn_app().await;
    let token = app.token("auth0|strict");
    let v = vehicle(&app, &token, 0).await;
    let cases = [
        (
            "/api/maintenance/records",
            json!({"vehicleId": v, "date": days_ago(1), "category": "repair", "subtypes": ["Cabin Air Filter"]}),
            "subtypes",
        ),
        (
            "/api/maintenance/records",
            json!({"vehicleId": v, "date": days_ago(1), "category": "tuning", "subtypes": ["Intake"]}),
            "category",
        ),
        (
            "/api/maintenance/records",
            json!({"vehicleId": v, "date": days_ago(1), "category": "repair", "subtypes": []}),
            "subtypes",
        ),
        (
            "/api/maintenance/records",
            json!({"vehicleId": v, "category": "repair", "subtypes": ["Engine"]}),
            "date",
        ),
        (
            "/api/maintenance/records",
            json!({"vehicleId": v, "date": days_ago(1), "category": "repair", "subtypes": ["Engine"], "cost": -1}),
            "cost",
        ),
        (
            "/api/maintenance/schedules",
            json!({"vehicleId": v, "category": "routine_maintenance", "subtypes": ["Coolant"]}),
            "intervalMonths",
        ),
        (
            "/api/maintenance/schedules",
            json!({"vehicleId": v, "category": "routine_maintenance", "subtypes": ["Coolant"], "intervalMonths": 0}),
            "intervalMonths",
        ),
        (
            "/api/maintenance/schedules",
            json!({"vehicleId": v, "category": "performance_upgrade", "subtypes": ["Oil Filter"], "intervalMonths": 3}),
            "subtypes",
        ),
    ];
    for (path, body, field) in cases {
        let response = app.post_json_as(&token, path, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            json(response).await["error"]["details"][0]["field"],
            field,
            "{body}"
        );
    }
    let subtypes = json(app.get_as(&token, "/api/maintenance/subtypes").await).await;
    assert!(
        subtypes["routine_maintenance"]
            .as_array()
            .is_some_and(|s| s.contains(&json!("Engine Oil")))
    );
    assert!(subtypes["repair"].is_array() && subtypes["performance_upgrade"].is_array());
}

#[tokio::test]
async fn templates_add_generic_schedules() {
    let app = spawn_app().await;
    let token = app.token("auth0|templ");
    let v = vehicle(&app, &token, 12_000).await;
    let oil = app
        .post_json_as(
            &token,
            "/api/maintenance/schedules/templates/oil_change",
            &json!({"vehicleId": v}),
        )
        .await;
    assert_eq!(oil.status(), 201);
    let oil = json(oil).await;
    assert_eq!(
        (
            oil["intervalMonths"].as_i64(),
            oil["intervalDistance"].as_i64()
        ),
        (Some(6), Some(5000))
    );
    assert_eq!(
        oil["nextDueOdometer"], 17_000,
        "counted from the odometer at creation"
    );
    assert_eq!(oil["status"], "ok");
    let unknown = app
        .post_json_as(
            &token,
            "/api/maintenance/schedules/templates/flux_capacitor",
            &json!({"vehicleId": v}),
        )
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_second_user_gets_404_on_every_route_with_the_first_users_ids() {
    let app = spawn_app().await;
    let (owner, other) = (app.token("auth0|owner"), app.token("auth0|other"));
    let v = vehicle(&app, &owner, 1000).await;
    let record = json(
        app.post_json_as(
            &owner,
            "/api/maintenance/records",
            &json!({
        "vehicleId": v, "date": days_ago(1), "category": "repair", "subtypes": ["Battery"]}),
        )
        .await,
    )
    .await;
    let schedule = json(app.post_json_as(&owner, "/api/maintenance/schedules", &json!({
        "vehicleId": v, "category": "routine_maintenance", "subtypes": ["Battery"], "intervalMonths": 48})).await).await;
    let r = format!("/api/maintenance/records/{}", id(&record));
    let s = format!("/api/maintenance/schedules/{}", id(&schedule));
    assert_eq!(app.get_as(&other, &r).await.status(), 404);
    assert_eq!(app.put_json_as(&other, &r, &record).await.status(), 404);
    assert_eq!(app.delete_as(&other, &r).await.status(), 404);
    assert_eq!(app.get_as(&other, &s).await.status(), 404);
    assert_eq!(app.put_json_as(&other, &s, &schedule).await.status(), 404);
    assert_eq!(app.delete_as(&other, &s).await.status(), 404);
    for path in ["records", "schedules", "upcoming"] {
        assert_eq!(
            app.get_as(&other, &format!("/api/maintenance/{path}?vehicleId={v}"))
                .await
                .status(),
            404,
            "{path}"
        );
    }
    let mine =
        json!({"vehicleId": v, "date": days_ago(1), "category": "repair", "subtypes": ["Battery"]});
    assert_eq!(
        app.post_json_as(&other, "/api/maintenance/records", &mine)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.post_json_as(
            &other,
            "/api/maintenance/schedules/templates/coolant",
            &json!({"vehicleId": v})
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        json(app.get_as(&other, "/api/maintenance/records").await).await,
        json!([])
    );
    assert_eq!(
        json(app.get_as(&owner, &r).await).await,
        record,
        "untouched"
    );
}

#[tokio::test]
async fn the_reminder_job_sends_one_reminder_per_crossing() {
    let app = spawn_app().await;
    let token = app
        .issuer
        .token_with_email("auth0|remind", "remind@example.com", true);
    let v = vehicle(&app, &token, 50_000).await;
    let _ = app.get_as(&token, "/api/user/profile").await;
    let created = app
        .post_json_as(
            &token,
            "/api/maintenance/schedules",
            &json!({
            "vehicleId": v, "category": "routine_maintenance", "subtypes": ["Coolant"],
            "intervalMonths": 12, "lastServiceDate": "2026-01-15", "emailNotifications": true}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let pool = app.pool().await;
    let data_dir = app.state.config.storage.data_dir.clone();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();

    // Well before the due date: nothing.
    let quiet = mvp_maintenance::job::run(&pool, &data_dir, day("2026-10-01"))
        .await
        .unwrap_or_default();
    assert!(quiet.ran);
    assert_eq!(quiet.reminded, 0);
    // Inside the 30-day window: one "due soon" reminder, however many runs that day.
    let first = mvp_maintenance::job::run(&pool, &data_dir, day("2026-12-20"))
        .await
        .unwrap_or_default();
    let again = mvp_maintenance::job::run(&pool, &data_dir, day("2026-12-20"))
        .await
        .unwrap_or_default();
    let next_day = mvp_maintenance::job::run(&pool, &data_dir, day("2026-12-21"))
        .await
        .unwrap_or_default();
    assert_eq!(
        (first.reminded, again.reminded, next_day.reminded),
        (1, 0, 0)
    );
    // Past the due date: one "overdue" reminder.
    let overdue = mvp_maintenance::job::run(&pool, &data_dir, day("2027-01-16"))
        .await
        .unwrap_or_default();
    let overdue_again = mvp_maintenance::job::run(&pool, &data_dir, day("2027-01-16"))
        .await
        .unwrap_or_default();
    assert_eq!((overdue.reminded, overdue_again.reminded), (1, 0));

    let logged: i64 =
        sqlx::query_scalar("select count(*) from notification_logs where kind = 'maintenance'")
            .fetch_one(&pool)
            .await
            .unwrap_or(-1);
    assert_eq!(logged, 2);
    let mails: Vec<_> = app
        .outbox()
        .await
        .into_iter()
        .filter(|m| m.kind == "maintenance_reminder")
        .collect();
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().all(|m| m.to == "remind@example.com"));
    assert!(
        mails[0].subject.contains("due soon") && mails[1].subject.contains("overdue"),
        "{mails:?}"
    );
}
