//! Fuel logs against the real app: CRUD and filters, economy, stats, units round trips, odometer
//! order, bad numbers, and a second user who gets 404 on every route.

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn vehicle(app: &TestApp, token: &str) -> String {
    let v = json(
        app.post_json_as(
            token,
            "/api/vehicles",
            &json!({"year": 2018, "make": "Honda", "model": "Accord", "odometerReading": 900}),
        )
        .await,
    )
    .await;
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// A body parsed from text, so decimals keep the digits typed.
fn body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn log(app: &TestApp, token: &str, text: String) -> reqwest::Response {
    app.post_json_as(token, "/api/fuel-logs", &body(&text))
        .await
}

fn fill(vehicle: &str, date: &str, odometer: &str, gallons: &str, price: &str) -> String {
    format!(
        r#"{{"vehicleId": "{vehicle}", "dateTime": "{date}T12:00:00Z", "odometerReading": {odometer},
            "fuelType": "gasoline", "fuelUnits": {gallons}, "costPerUnit": {price}}}"#
    )
}

#[tokio::test]
async fn fill_ups_give_economy_stats_and_follow_edits() {
    let app = spawn_app().await;
    let token = app.token("auth0|driver").await;
    let v = vehicle(&app, &token).await;

    let first = log(&app, &token, fill(&v, "2026-01-05", "1000", "9.5", "3.109")).await;
    assert_eq!(first.status(), 201);
    let first = json(first).await;
    assert!(
        first["efficiency"].is_null(),
        "first fill-up has no economy"
    );
    assert_eq!(
        first["totalCost"].to_string(),
        "29.54",
        "9.5 × 3.109 = 29.5355 → 29.54"
    );
    assert_eq!(first["fuelUnits"].to_string(), "9.5");

    let second = json(
        log(
            &app,
            &token,
            fill(&v, "2026-01-19", "1300", "10.000", "3.259"),
        )
        .await,
    )
    .await;
    assert_eq!(second["efficiency"].to_string(), "30.00");
    assert_eq!(second["efficiencyUnit"], "mpg");
    assert_eq!(second["fuelUnits"].to_string(), "10.000", "digits as typed");

    // Unit price or total: a total alone.
    let third = log(
        &app,
        &token,
        format!(
            r#"{{"vehicleId": "{v}", "dateTime": "2026-02-02T08:30:00Z", "odometerReading": 1640,
                "fuelType": "gasoline", "fuelUnits": 12.5, "totalCost": 40.00, "fuelGrade": "premium"}}"#
        ),
    )
    .await;
    assert_eq!(third.status(), 201);
    let third = json(third).await;
    assert_eq!(third["costPerUnit"].to_string(), "3.2", "40.00 / 12.5");
    assert_eq!(third["efficiency"].to_string(), "27.20");

    // The vehicle's odometer moved forward with the fill-ups.
    let car = json(app.get_as(&token, &format!("/api/vehicles/{v}")).await).await;
    assert_eq!(car["odometerReading"], 1640);

    let stats = json(
        app.get_as(&token, &format!("/api/vehicles/{v}/fuel-stats"))
            .await,
    )
    .await;
    assert_eq!(stats["logCount"], 3);
    assert_eq!(stats["totalCost"].to_string(), "102.13");
    assert_eq!(stats["totalFuelUnits"].to_string(), "32.000");
    assert_eq!(stats["totalDistance"].to_string(), "640.0");
    assert_eq!(
        stats["averageEfficiency"].to_string(),
        "28.44",
        "640 mi / 22.5 gal"
    );
    assert_eq!(stats["lastEfficiency"].to_string(), "27.20");
    assert_eq!(
        (
            stats["efficiencyUnit"].as_str(),
            stats["distanceUnit"].as_str(),
            stats["volumeUnit"].as_str()
        ),
        (Some("mpg"), Some("mi"), Some("gal"))
    );
    assert_eq!(stats["currency"], "USD");
    assert_eq!(stats["monthly"].as_array().map(Vec::len), Some(2));
    assert_eq!(stats["monthly"][0]["month"], "2026-01");
    let january = json(
        app.get_as(
            &token,
            &format!("/api/vehicles/{v}/fuel-stats?from=2026-01-01&to=2026-01-31"),
        )
        .await,
    )
    .await;
    assert_eq!(january["logCount"], 2);

    // One vehicle: the total comes from the monthly roll-up.
    let all = app
        .get_as(&token, &format!("/api/fuel-logs?vehicleId={v}&limit=2"))
        .await;
    assert_eq!(
        all.headers()
            .get("x-total-count")
            .and_then(|h| h.to_str().ok()),
        Some("3")
    );
    assert_eq!(json(all).await.as_array().map(Vec::len), Some(2));

    // Filters: vehicle and date range; newest first.
    let listed = app
        .get_as(
            &token,
            &format!("/api/fuel-logs?vehicleId={v}&from=2026-01-10T00:00:00Z"),
        )
        .await;
    assert_eq!(
        listed
            .headers()
            .get("x-total-count")
            .and_then(|h| h.to_str().ok()),
        Some("2")
    );
    let listed = json(listed).await;
    assert_eq!(listed[0]["id"], third["id"]);

    // Editing the middle fill-up changes the economy of the next one.
    let mut edited = second.clone();
    edited["fuelUnits"] = body("12.000");
    edited["totalCost"] = Value::Null; // recomputed from the unit price
    let url = format!(
        "/api/fuel-logs/{}",
        second["id"].as_str().unwrap_or_default()
    );
    let edited = json(app.put_json_as(&token, &url, &edited).await).await;
    assert_eq!(edited["efficiency"].to_string(), "25.00");
    // Deleting it joins the intervals: 640 mi / 12.5 gal.
    assert_eq!(app.delete_as(&token, &url).await.status(), 204);
    assert_eq!(app.get_as(&token, &url).await.status(), 404);
    let after_delete = app
        .get_as(&token, &format!("/api/fuel-logs?vehicleId={v}"))
        .await;
    assert_eq!(
        after_delete
            .headers()
            .get("x-total-count")
            .and_then(|h| h.to_str().ok()),
        Some("2")
    );
    let stats_after = json(
        app.get_as(&token, &format!("/api/vehicles/{v}/fuel-stats"))
            .await,
    )
    .await;
    assert_eq!(stats_after["logCount"], 2, "the roll-up follows a delete");
    assert_eq!(stats_after["averageEfficiency"].to_string(), "51.20");
    let third_now = json(
        app.get_as(
            &token,
            &format!(
                "/api/fuel-logs/{}",
                third["id"].as_str().unwrap_or_default()
            ),
        )
        .await,
    )
    .await;
    assert_eq!(third_now["efficiency"].to_string(), "51.20");
}

#[tokio::test]
async fn switching_units_converts_exactly_and_back_gives_the_digits_typed() {
    let app = spawn_app().await;
    let token = app.token("auth0|units").await;
    let v = vehicle(&app, &token).await;
    let _ = log(
        &app,
        &token,
        fill(&v, "2026-03-01", "10000.5", "11.237", "3.199"),
    )
    .await;
    let typed = json(
        log(
            &app,
            &token,
            fill(&v, "2026-03-15", "10321.7", "10.123", "3.299"),
        )
        .await,
    )
    .await;
    let url = format!(
        "/api/fuel-logs/{}",
        typed["id"].as_str().unwrap_or_default()
    );

    let metric = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"unitSystem": "metric"}),
        )
        .await;
    assert_eq!(metric.status(), 200);
    let in_metric = json(app.get_as(&token, &url).await).await;
    assert_eq!(
        in_metric["odometerReading"].to_string(),
        "16611.1659648",
        "10321.7 mi × 1.609344"
    );
    assert_eq!(
        in_metric["fuelUnits"].to_string(),
        "38.319723489432",
        "10.123 gal × 3.785411784"
    );
    assert_eq!(in_metric["efficiencyUnit"], "l_per_100km");
    let per_litre = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"efficiencyUnit": "km_per_l"}),
        )
        .await;
    assert_eq!(per_litre.status(), 200);
    let in_km_per_l = json(app.get_as(&token, &url).await).await;
    assert_eq!(in_km_per_l["efficiencyUnit"], "km_per_l");
    // 321.2 mi on 10.123 gal = 31.73 mpg = 13.49 km/l.
    assert_eq!(in_km_per_l["efficiency"].to_string(), "13.49");
    let _ = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"efficiencyUnit": "auto"}),
        )
        .await;
    assert_eq!(
        in_metric["totalCost"], typed["totalCost"],
        "money does not change with units"
    );

    let back = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"unitSystem": "imperial"}),
        )
        .await;
    assert_eq!(back.status(), 200);
    let again = json(app.get_as(&token, &url).await).await;
    for field in [
        "odometerReading",
        "fuelUnits",
        "costPerUnit",
        "totalCost",
        "efficiency",
    ] {
        assert_eq!(
            again[field].to_string(),
            typed[field].to_string(),
            "{field}"
        );
    }
}

#[tokio::test]
async fn the_odometer_must_keep_increasing_by_date() {
    let app = spawn_app().await;
    let token = app.token("auth0|odo").await;
    let v = vehicle(&app, &token).await;
    assert_eq!(
        log(&app, &token, fill(&v, "2026-04-01", "5000", "10", "3"))
            .await
            .status(),
        201
    );
    assert_eq!(
        log(&app, &token, fill(&v, "2026-04-10", "5300", "10", "3"))
            .await
            .status(),
        201
    );
    for (date, odometer) in [
        ("2026-04-12", "5300"),
        ("2026-04-12", "5200"),
        ("2026-04-05", "4900"),
        ("2026-04-05", "5400"),
    ] {
        let response = log(&app, &token, fill(&v, date, odometer, "10", "3")).await;
        assert_eq!(response.status(), 400, "{date} {odometer}");
        assert_eq!(
            json(response).await["error"]["details"][0]["field"],
            "odometerReading"
        );
    }
    // In between is fine.
    assert_eq!(
        log(&app, &token, fill(&v, "2026-04-05", "5150", "4", "3"))
            .await
            .status(),
        201
    );
    // The bounds are the nearest readings, past fill-ups that carry only a trip distance.
    let trip = format!(
        r#"{{"vehicleId": "{v}", "dateTime": "2026-04-07T12:00:00Z", "tripDistance": 20,
            "fuelType": "gasoline", "fuelUnits": 2, "costPerUnit": 3}}"#
    );
    assert_eq!(log(&app, &token, trip).await.status(), 201);
    for odometer in ["5100", "5310"] {
        let response = log(&app, &token, fill(&v, "2026-04-08", odometer, "4", "3")).await;
        assert_eq!(response.status(), 400, "{odometer}");
    }
    assert_eq!(
        log(&app, &token, fill(&v, "2026-04-08", "5200", "4", "3"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn bad_numbers_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let token = app.token("auth0|numbers").await;
    let v = vehicle(&app, &token).await;
    let base = |extra: &str| {
        format!(
            r#"{{"vehicleId": "{v}", "dateTime": "2026-05-01T10:00:00Z", "fuelType": "gasoline", {extra}}}"#
        )
    };
    let cases = [
        (
            base(r#""odometerReading": 100, "fuelUnits": -3, "costPerUnit": 3"#),
            "fuelUnits",
        ),
        (
            base(r#""odometerReading": 100, "fuelUnits": "NaN", "costPerUnit": 3"#),
            "fuelUnits",
        ),
        (
            base(r#""odometerReading": 100, "fuelUnits": 10.1234, "costPerUnit": 3"#),
            "fuelUnits",
        ),
        (
            base(r#""odometerReading": 100, "fuelUnits": 0, "costPerUnit": 3"#),
            "fuelUnits",
        ),
        (
            base(r#""odometerReading": -1, "fuelUnits": 10, "costPerUnit": 3"#),
            "odometerReading",
        ),
        (
            base(r#""odometerReading": "lots", "fuelUnits": 10, "costPerUnit": 3"#),
            "odometerReading",
        ),
        (
            base(r#""fuelUnits": 10, "costPerUnit": 3"#),
            "odometerReading",
        ),
        (
            base(r#""odometerReading": 100, "fuelUnits": 10"#),
            "costPerUnit",
        ),
        (
            base(r#""odometerReading": 100, "fuelUnits": 10, "costPerUnit": -3.1"#),
            "costPerUnit",
        ),
        (
            base(r#""odometerReading": 100, "fuelUnits": 10, "totalCost": 30.001"#),
            "totalCost",
        ),
        (
            base(r#""odometerReading": 100, "fuelUnits": 10, "costPerUnit": 3, "totalCost": 31"#),
            "totalCost",
        ),
        (
            base(
                r#""odometerReading": 100, "fuelUnits": 10, "costPerUnit": 3, "fuelType": "coal""#,
            )
            .replace(r#""fuelType": "gasoline", "#, ""),
            "fuelType",
        ),
    ];
    for (text, field) in cases {
        let response = log(&app, &token, text.clone()).await;
        assert_eq!(response.status(), 400, "{text}");
        let error = json(response).await;
        assert_eq!(
            error["error"]["details"][0]["field"], field,
            "{text}: {error}"
        );
    }
    let listed = app.get_as(&token, "/api/fuel-logs").await;
    assert_eq!(
        listed
            .headers()
            .get("x-total-count")
            .and_then(|h| h.to_str().ok()),
        Some("0"),
        "nothing half-written"
    );
}

#[tokio::test]
async fn a_second_user_gets_404_on_every_route_and_cannot_use_anothers_vehicle() {
    let app = spawn_app().await;
    let (owner, other) = (
        app.token("auth0|owner").await,
        app.token("auth0|other").await,
    );
    let v = vehicle(&app, &owner).await;
    let created = json(log(&app, &owner, fill(&v, "2026-06-01", "100", "10", "3")).await).await;
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let url = format!("/api/fuel-logs/{id}");

    assert_eq!(app.get_as(&other, &url).await.status(), 404);
    assert_eq!(app.put_json_as(&other, &url, &created).await.status(), 404);
    assert_eq!(app.delete_as(&other, &url).await.status(), 404);
    assert_eq!(
        app.get_as(&other, &format!("/api/vehicles/{v}/fuel-stats"))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get_as(&other, &format!("/api/fuel-logs?vehicleId={v}"))
            .await
            .status(),
        404
    );
    let theirs = log(&app, &other, fill(&v, "2026-06-02", "200", "10", "3")).await;
    assert_eq!(theirs.status(), 404, "another user's vehicle as vehicleId");
    assert_eq!(
        json(app.get_as(&other, "/api/fuel-logs").await).await,
        json!([])
    );

    let untouched = json(app.get_as(&owner, &url).await).await;
    assert_eq!(untouched, created);
}

#[tokio::test]
async fn concurrent_fill_ups_of_one_vehicle_and_month_all_land() {
    // Two tabs or a double tap: each write rebuilds the vehicle's monthly roll-up; they must queue,
    // not collide on the roll-up's key.
    let app = spawn_app().await;
    let token = app.token("auth0|hurry").await;
    let v = vehicle(&app, &token).await;
    let posts = (0..8).map(|i| {
        let text = fill(
            &v,
            &format!("2026-03-{:02}", i + 1),
            &(1000 + i * 300).to_string(),
            "10.000",
            "3.459",
        );
        let (app, token) = (&app, &token);
        async move { log(app, token, text).await.status() }
    });
    let statuses = futures_util::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let stats = json(
        app.get_as(&token, &format!("/api/vehicles/{v}/fuel-stats"))
            .await,
    )
    .await;
    assert_eq!(stats["logCount"], 8, "{stats}");
    assert_eq!(stats["monthly"][0]["month"], "2026-03", "{stats}");
}

/// The newest interval of each kind: a charging-only vehicle's `lastEfficiency` is its newest
/// charge's, and a petrol car beside it keeps its own (each is looked for only when the roll-up
/// says the vehicle has fill-ups of that kind).
#[tokio::test]
async fn an_electric_vehicle_has_its_newest_charge_as_last_efficiency() {
    let app = spawn_app().await;
    let token = app.token("auth0|ev-driver").await;
    let ev = vehicle(&app, &token).await;
    let petrol = vehicle(&app, &token).await;
    let charge = |date: &str, odometer: &str, kwh: &str| {
        format!(
            r#"{{"vehicleId": "{ev}", "dateTime": "{date}T12:00:00Z", "odometerReading": {odometer},
                "fuelType": "electric", "fuelUnits": {kwh}, "costPerUnit": 0.30}}"#
        )
    };
    for (date, odometer, kwh) in [
        ("2026-03-01", "1000", "40"),
        ("2026-03-08", "1200", "50"),
        ("2026-03-15", "1300", "40"),
    ] {
        let response = log(&app, &token, charge(date, odometer, kwh)).await;
        assert_eq!(response.status(), 201, "{}", json(response).await);
    }
    for (date, odometer) in [("2026-03-02", "1000"), ("2026-03-09", "1300")] {
        let response = log(&app, &token, fill(&petrol, date, odometer, "10", "3.00")).await;
        assert_eq!(response.status(), 201);
    }
    let stats = json(
        app.get_as(&token, &format!("/api/vehicles/{ev}/fuel-stats"))
            .await,
    )
    .await;
    assert_eq!(stats["volumeUnit"], "kWh", "{stats}");
    // Imperial by default: 100 mi on 40 kWh is the newest interval; 300 mi on 90 kWh the average.
    let newest = stats["lastEfficiency"].to_string();
    let average = stats["averageEfficiency"].to_string();
    assert!(!stats["lastEfficiency"].is_null(), "{stats}");
    assert_ne!(newest, average, "{stats}");
    let petrol_stats = json(
        app.get_as(&token, &format!("/api/vehicles/{petrol}/fuel-stats"))
            .await,
    )
    .await;
    assert_eq!(
        petrol_stats["lastEfficiency"].to_string(),
        "30.00",
        "{petrol_stats}"
    );
}

/// Every fill-up's economy and the vehicle's monthly roll-up, as text (decimals without trailing
/// zeros, so a sum is compared by value).
async fn economy_and_months(pool: &sqlx::PgPool, vehicle: &str) -> (String, String) {
    let logs: Option<String> = sqlx::query_scalar(
        "select string_agg(format('%s %s %s %s %s', date_time, fuel_type, trim_scale(segment_km),
                  trim_scale(interval_km), trim_scale(interval_volume)), E'\\n' order by date_time, id)
           from fuel_logs where vehicle_id = $1::uuid and deleted_at is null",
    )
    .bind(vehicle)
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("logs: {e}"));
    let months: Option<String> = sqlx::query_scalar(
        "select string_agg(format('%s %s %s %s %s %s %s %s %s %s %s %s', month, time_zone, log_count,
                  liquid_count, trim_scale(total_cost), trim_scale(liquid_volume),
                  trim_scale(energy_volume), trim_scale(distance_km), trim_scale(liquid_interval_km),
                  trim_scale(liquid_interval_volume), trim_scale(energy_interval_km),
                  trim_scale(energy_interval_volume)), E'\\n' order by month)
           from fuel_log_months where vehicle_id = $1::uuid",
    )
    .bind(vehicle)
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("months: {e}"));
    (logs.unwrap_or_default(), months.unwrap_or_default())
}

/// Drops the vehicle's roll-up and reads its statistics, which sum it again from the fill-ups.
async fn summed_afresh(app: &TestApp, token: &str, pool: &sqlx::PgPool, vehicle: &str) {
    sqlx::query("delete from fuel_log_months where vehicle_id = $1::uuid")
        .bind(vehicle)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stats = app
        .get_as(token, &format!("/api/vehicles/{vehicle}/fuel-stats"))
        .await;
    assert_eq!(stats.status(), 200);
}

/// A new fill-up's economy is worked out before it is written, and the roll-up is moved by what
/// changed rather than summed again: after fill-ups added out of order (one in the middle moves
/// the later ones), a partial fill, a charge and a missed fill, both must be what a recomputation
/// from the first fill-up gives, and the roll-up what summing the months afresh gives — also after
/// the time zone changes under an existing roll-up.
#[tokio::test]
async fn a_new_fill_ups_economy_and_moved_months_equal_a_recomputation() {
    let app = spawn_app().await;
    let token = app.token("auth0|in-between").await;
    let v = vehicle(&app, &token).await;
    let pool = app.pool().await;
    let entry = |date: &str, odometer: &str, fuel: &str, units: &str, full: bool, missed: bool| {
        format!(
            r#"{{"vehicleId": "{v}", "dateTime": "{date}", "odometerReading": {odometer},
                "fuelType": "{fuel}", "fuelUnits": {units}, "costPerUnit": 3.459,
                "fullFill": {full}, "missedPrevious": {missed}}}"#
        )
    };
    let first = entry(
        "2026-01-05T12:00:00Z",
        "1000",
        "gasoline",
        "10",
        true,
        false,
    );
    let mut first_id = String::new();
    for text in [
        first.clone(),
        entry(
            "2026-03-10T12:00:00Z",
            "1700",
            "gasoline",
            "8.125",
            false,
            false,
        ),
        entry(
            "2026-03-20T12:00:00Z",
            "1900",
            "gasoline",
            "9.5",
            true,
            false,
        ),
        // In the middle: the March fill-ups' segments and intervals move.
        entry(
            "2026-02-07T12:00:00Z",
            "1300",
            "gasoline",
            "11.25",
            true,
            false,
        ),
        entry(
            "2026-02-20T12:00:00Z",
            "1500",
            "electric",
            "30",
            true,
            false,
        ),
        entry("2026-04-02T12:00:00Z", "2200", "gasoline", "10", true, true),
        entry("2026-04-30T23:30:00Z", "2400", "gasoline", "7", true, false),
    ] {
        let response = log(&app, &token, text).await;
        assert_eq!(response.status(), 201);
        let created = json(response).await;
        if first_id.is_empty() {
            first_id = created["id"].as_str().unwrap_or_default().to_owned();
        }
    }
    let added = economy_and_months(&pool, &v).await;
    assert_eq!(added.0.lines().count(), 7, "{}", added.0);
    assert_eq!(added.1.lines().count(), 4, "{}", added.1);
    // Intervals closed (February's full fill after January's, March's after February's, ...).
    assert!(
        added.0.lines().filter(|l| !l.ends_with(' ')).count() >= 2,
        "{}",
        added.0
    );

    // The same first fill-up written again recomputes every later one and sums every month.
    let response = app
        .put_json_as(&token, &format!("/api/fuel-logs/{first_id}"), &body(&first))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(economy_and_months(&pool, &v).await, added);

    // Summed afresh when missing, by the statistics.
    summed_afresh(&app, &token, &pool, &v).await;
    assert_eq!(economy_and_months(&pool, &v).await, added);

    // Another time zone: the next fill-up sums the roll-up again in the new zone (23:30 UTC on
    // 30 April is May in Auckland), rather than moving months summed in the old one.
    let response = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"timeZone": "Pacific/Auckland"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = log(
        &app,
        &token,
        entry("2026-05-10T12:00:00Z", "2600", "gasoline", "8", true, false),
    )
    .await;
    assert_eq!(response.status(), 201);
    let zoned = economy_and_months(&pool, &v).await;
    assert!(
        zoned.1.contains("2026-05-01 Pacific/Auckland 2 "),
        "{}",
        zoned.1
    );
    assert!(!zoned.1.contains("UTC"), "{}", zoned.1);
    summed_afresh(&app, &token, &pool, &v).await;
    assert_eq!(economy_and_months(&pool, &v).await, zoned);
}
