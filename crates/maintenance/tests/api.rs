//! Maintenance against the real app: records advance schedules and deleting them recomputes,
//! upcoming is ordered by urgency, validation names fields, and a second user gets 404 everywhere.
//! (Reminders are tested in crates/notifications.)

use chrono::{Duration, Utc};
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
    let token = app.token("auth0|mech").await;
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
    let token = app.token("auth0|fleet").await;
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
    let token = app.token("auth0|strict").await;
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
    let token = app.token("auth0|templ").await;
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
    let (owner, other) = (
        app.token("auth0|owner").await,
        app.token("auth0|other").await,
    );
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

/// Uploads a small PDF for `vehicle_id` and returns its id.
async fn document(app: &TestApp, token: &str, vehicle_id: &str, expires: Option<&str>) -> String {
    let mut form = reqwest::multipart::Form::new()
        .text("vehicleId", vehicle_id.to_owned())
        .text("documentType", "receipt")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n%\xe2\xe3 receipt".to_vec())
                .file_name("receipt.pdf"),
        );
    if let Some(date) = expires {
        form = form.text("expirationDate", date.to_owned());
    }
    let response = app
        .client
        .post(app.url("/api/documents"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 201);
    id(&json(response).await)
}

#[tokio::test]
async fn records_refer_only_to_the_users_documents_of_the_same_vehicle() {
    let app = spawn_app().await;
    let token = app.token("auth0|mech").await;
    let other = app.token("auth0|other").await;
    let car = vehicle(&app, &token, 10_000).await;
    let bike = vehicle(&app, &token, 2_000).await;
    let receipt = document(&app, &token, &car, None).await;
    let bike_receipt = document(&app, &token, &bike, None).await;
    let others_car = vehicle(&app, &other, 1_000).await;
    let others_receipt = document(&app, &other, &others_car, None).await;
    let record = |docs: Vec<&str>| {
        json!({"vehicleId": car, "date": days_ago(1), "category": "repair",
               "subtypes": ["Brakes"], "documentIds": docs})
    };

    let created = app
        .post_json_as(
            &token,
            "/api/maintenance/records",
            &record(vec![&receipt, &receipt]),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    assert_eq!(created["documentIds"], json!([receipt]));

    for wrong in [
        &bike_receipt,
        &others_receipt,
        &"0190a0a0-0000-7000-8000-000000000000".to_owned(),
    ] {
        let refused = app
            .post_json_as(
                &token,
                "/api/maintenance/records",
                &record(vec![&receipt, wrong]),
            )
            .await;
        assert_eq!(refused.status(), 400, "{wrong}");
        assert_eq!(
            json(refused).await["error"]["details"][0]["field"],
            "documentIds"
        );
        let mut edited = created.clone();
        edited["documentIds"] = json!([wrong]);
        let put = app
            .put_json_as(
                &token,
                &format!("/api/maintenance/records/{}", id(&created)),
                &edited,
            )
            .await;
        assert_eq!(put.status(), 400, "{wrong}");
    }

    // A deleted document drops out of the record.
    assert_eq!(
        app.delete_as(&token, &format!("/api/documents/{receipt}"))
            .await
            .status(),
        204
    );
    let read = json(
        app.get_as(
            &token,
            &format!("/api/maintenance/records/{}", id(&created)),
        )
        .await,
    )
    .await;
    assert_eq!(read["documentIds"], json!([]));
    let listed = json(app.get_as(&token, "/api/maintenance/records").await).await;
    assert_eq!(listed[0]["documentIds"], json!([]));
}

/// Concurrent writes on one vehicle (record updates and creates, schedule edits, a fill-up) each
/// touch the vehicle's schedules and odometer. Found by the API fuzzer: two record updates locked
/// the schedules in opposite orders and Postgres killed one as a deadlock (a 500). Now every write
/// on a vehicle takes its row lock first, so they queue: all succeed.
#[tokio::test]
async fn concurrent_writes_on_one_vehicle_queue_instead_of_deadlocking() {
    let app = spawn_app().await;
    let token = app.token("auth0|busy").await;
    let v = vehicle(&app, &token, 10_000).await;
    let mut schedules = Vec::new();
    for subtypes in [
        json!(["Engine Oil"]),
        json!(["Oil Filter"]),
        json!(["Air Filter"]),
        json!(["Engine Oil", "Oil Filter"]),
    ] {
        let s = app
            .post_json_as(
                &token,
                "/api/maintenance/schedules",
                &json!({
                "vehicleId": v, "category": "routine_maintenance", "subtypes": subtypes,
                "intervalMonths": 6}),
            )
            .await;
        assert_eq!(s.status(), 201);
        schedules.push((id(&json(s).await), subtypes));
    }
    let mut records = Vec::new();
    for n in 0..4 {
        let r = app
            .post_json_as(
                &token,
                "/api/maintenance/records",
                &json!({
                "vehicleId": v, "date": days_ago(10 + n), "category": "routine_maintenance",
                "subtypes": ["Engine Oil", "Oil Filter", "Air Filter"]}),
            )
            .await;
        assert_eq!(r.status(), 201);
        records.push(id(&json(r).await));
    }
    for round in 0..6_i64 {
        let writes = records.iter().enumerate().map(|(n, record)| {
            let body = json!({
                "vehicleId": v, "date": days_ago(n as i64 + round), "odometerReading": 10_000 + round * 100 + n as i64,
                "category": "routine_maintenance",
                "subtypes": if n % 2 == 0 { json!(["Air Filter", "Engine Oil"]) } else { json!(["Oil Filter", "Engine Oil"]) }});
            let url = format!("/api/maintenance/records/{record}");
            let app = &app;
            let token = &token;
            async move { app.put_json_as(token, &url, &body).await.status().as_u16() }
        });
        let creates = (0..4).map(|n| {
            let body = json!({
                "vehicleId": v, "date": days_ago(n), "category": "routine_maintenance",
                "subtypes": ["Engine Oil", "Oil Filter", "Air Filter"]});
            let app = &app;
            let token = &token;
            async move {
                app.post_json_as(token, "/api/maintenance/records", &body)
                    .await
                    .status()
                    .as_u16()
            }
        });
        // A schedule update locks its own row first, then every schedule of the vehicle.
        let edits = schedules.iter().map(|(schedule, subtypes)| {
            let body = json!({
                "vehicleId": v, "category": "routine_maintenance", "subtypes": subtypes,
                "intervalMonths": 6 + round});
            let url = format!("/api/maintenance/schedules/{schedule}");
            let app = &app;
            let token = &token;
            async move { app.put_json_as(token, &url, &body).await.status().as_u16() }
        });
        let ((updated, edited), created) = futures_util::future::join(
            futures_util::future::join(
                futures_util::future::join_all(writes),
                futures_util::future::join_all(edits),
            ),
            futures_util::future::join_all(creates),
        )
        .await;
        assert!(
            updated.iter().all(|s| *s == 200),
            "round {round}: {updated:?}"
        );
        assert!(
            edited.iter().all(|s| *s == 200),
            "round {round}: {edited:?}"
        );
        assert!(
            created.iter().all(|s| *s == 201),
            "round {round}: {created:?}"
        );
    }
}
