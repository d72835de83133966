//! Odometers keep their units: vehicles, maintenance records and schedules are stored in kilometres
//! with the number typed kept beside it, and shown in the reader's unit system — through the API
//! across a switch of the preference, and for rows written before by the migration that infers the
//! system each was typed in.

use mvp_test_support::db;
use mvp_test_support::spawn_app;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, Row};
use std::str::FromStr;

use crate::json;

async fn switch(app: &mvp_test_support::TestApp, token: &str, system: &str) {
    let response = app
        .put_json_as(
            token,
            "/api/user/preferences",
            &json!({"unitSystem": system}),
        )
        .await;
    assert_eq!(response.status(), 200, "switch to {system}");
}

async fn get(app: &mvp_test_support::TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    json(response).await
}

#[tokio::test]
async fn a_vehicle_at_10000_miles_reads_16093_km_and_a_record_at_16500_km_reads_10253_miles() {
    let app = spawn_app().await;
    let token = app.token("auth0|units").await;
    switch(&app, &token, "imperial").await;
    let vehicle = app.create_vehicle(&token, 10_000, Value::Null).await;
    let schedule = app
        .create_schedule(
            &token,
            vehicle,
            json!({"subtypes": ["Engine Oil", "Oil Filter"], "intervalDistance": 5000,
                   "lastServiceOdometer": 10_000}),
        )
        .await;
    let vehicle_url = format!("/api/vehicles/{vehicle}");
    let schedule_url = format!("/api/maintenance/schedules/{schedule}");
    let s = get(&app, &token, &schedule_url).await;
    assert_eq!(s["nextDueOdometer"], 15_000, "{s}");

    // Metric: every distance is the same length, in kilometres.
    switch(&app, &token, "metric").await;
    let v = get(&app, &token, &vehicle_url).await;
    assert_eq!(v["odometerReading"], 16_093, "10,000 mi: {v}");
    let listed = get(&app, &token, "/api/vehicles").await;
    assert_eq!(listed[0]["odometerReading"], 16_093, "the list too");
    let s = get(&app, &token, &schedule_url).await;
    assert_eq!(s["intervalDistance"], 8_047, "5,000 mi: {s}");
    assert_eq!(s["lastServiceOdometer"], 16_093, "{s}");
    assert_eq!(s["nextDueOdometer"], 24_140, "15,000 mi: {s}");

    // Saving the vehicle untouched keeps the length (not refused as lower than 16,093.44 km, and
    // still exactly 10,000 mi afterwards); a lower reading is refused, in the reader's unit.
    let mut body = json!({"year": v["year"], "make": v["make"], "model": v["model"],
                          "odometerReading": v["odometerReading"]});
    let saved = app.put_json_as(&token, &vehicle_url, &body).await;
    assert_eq!(saved.status(), 200);
    body["odometerReading"] = json!(16_000);
    let lower = app.put_json_as(&token, &vehicle_url, &body).await;
    assert_eq!(lower.status(), 400);
    let lower = json(lower).await;
    assert!(
        lower
            .to_string()
            .contains("lower than the current reading (16093)"),
        "{lower}"
    );

    // A service at 16,500 km, typed by the metric user.
    let record = app
        .post_json_as(
            &token,
            "/api/maintenance/records",
            &json!({
            "vehicleId": vehicle, "date": chrono::Utc::now().date_naive().to_string(),
            "odometerReading": 16_500, "category": "routine_maintenance",
            "subtypes": ["Engine Oil", "Oil Filter"]}),
        )
        .await;
    assert_eq!(record.status(), 201);
    let record = json(record).await;
    assert_eq!(record["odometerReading"], 16_500);
    let record_url = format!(
        "/api/maintenance/records/{}",
        record["id"].as_str().unwrap_or("")
    );
    assert_eq!(
        get(&app, &token, &vehicle_url).await["odometerReading"],
        16_500
    );

    // Back to miles.
    switch(&app, &token, "imperial").await;
    assert_eq!(
        get(&app, &token, &record_url).await["odometerReading"],
        10_253
    );
    assert_eq!(
        get(&app, &token, &vehicle_url).await["odometerReading"],
        10_253
    );
    let s = get(&app, &token, &schedule_url).await;
    assert_eq!(s["intervalDistance"], 5_000, "typed in miles: exact {s}");
    assert_eq!(s["lastServiceOdometer"], 10_253, "from the record: {s}");
    assert_eq!(s["nextDueOdometer"], 15_253, "{s}");

    // And to kilometres again: what was typed in kilometres is exact.
    switch(&app, &token, "metric").await;
    assert_eq!(
        get(&app, &token, &record_url).await["odometerReading"],
        16_500
    );
    assert_eq!(
        get(&app, &token, &vehicle_url).await["odometerReading"],
        16_500
    );

    // The stored row: kilometres exact, the number typed and its system beside them.
    let pool = app.pool().await;
    let row = sqlx::query(
        "select odometer_entered, entered_units, odometer_km from vehicles where id = $1",
    )
    .bind(vehicle.0)
    .fetch_one(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(row.get::<i64, _>("odometer_entered"), 16_500);
    assert_eq!(row.get::<String, _>("entered_units"), "metric");
    assert_eq!(row.get::<Decimal, _>("odometer_km"), Decimal::from(16_500));
    app.shutdown().await;
}

#[tokio::test]
async fn a_fill_up_moves_the_odometer_in_the_units_it_was_typed_in() {
    let app = spawn_app().await;
    let token = app.token("auth0|units-fuel").await;
    switch(&app, &token, "metric").await;
    let vehicle = app.create_vehicle(&token, 20_000, Value::Null).await;
    switch(&app, &token, "imperial").await;
    // 12,500 mi (20,116.8 km) is beyond 20,000 km.
    let log = app
        .post_json_as(
            &token,
            "/api/fuel-logs",
            &json!({
            "vehicleId": vehicle, "dateTime": "2026-03-01T10:00:00Z", "odometerReading": 12_500,
            "fuelUnits": 10, "costPerUnit": 3.5, "fuelType": "gasoline"}),
        )
        .await;
    assert_eq!(
        log.status(),
        201,
        "{}",
        log.text().await.unwrap_or_default()
    );
    let v = get(&app, &token, &format!("/api/vehicles/{vehicle}")).await;
    assert_eq!(v["odometerReading"], 12_500, "{v}");
    switch(&app, &token, "metric").await;
    let v = get(&app, &token, &format!("/api/vehicles/{vehicle}")).await;
    assert_eq!(v["odometerReading"], 20_117, "{v}");
    app.shutdown().await;
}

const UNITS_MIGRATION: i64 = 20260113000001;

async fn exec(conn: &mut PgConnection, sql: &'static str) {
    sqlx::raw_sql(sql)
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

fn km(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

#[tokio::test]
async fn the_migration_infers_the_system_each_row_was_typed_in() {
    let admin = db::admin_url();
    let name = db::create_empty_database(&admin)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let mut conn = PgConnection::connect(&db::with_database(&admin, &name))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let before = mvp_core::db::MIGRATOR
        .iter()
        .map(|m| m.version)
        .filter(|v| *v < UNITS_MIGRATION)
        .max()
        .unwrap_or_default();
    mvp_core::db::MIGRATOR
        .run_to(before, &mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // Rows as the old schema held them: the number typed, no unit.
    exec(&mut conn, r#"
        -- metric since January; the vehicle was written in February: rule 1 (metric).
        insert into user_preferences (id, user_id, unit_system, updated_at)
             values (gen_random_uuid(), 'metric-all-along', 'metric', '2026-01-01');
        insert into vehicles (id, user_id, year, make, model, odometer_reading, updated_at)
             values ('00000000-0000-0000-0000-00000000000a', 'metric-all-along', 2020, 'Mazda', 'CX-5', 20000, '2026-02-01');

        -- switched to metric in March; before that, fill-ups typed in miles: rule 2 (imperial).
        insert into user_preferences (id, user_id, unit_system, updated_at)
             values (gen_random_uuid(), 'switched', 'metric', '2026-03-01');
        insert into vehicles (id, user_id, year, make, model, odometer_reading, updated_at)
             values ('00000000-0000-0000-0000-00000000000b', 'switched', 2019, 'Honda', 'Civic', 10000, '2026-02-01');
        insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered,
                               fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type,
                               odometer_km, volume, updated_at)
             values (gen_random_uuid(), 'switched', '00000000-0000-0000-0000-00000000000b', '2026-01-15',
                     'imperial', 9800, 10, 3, 30, 'gasoline', 9800 * 1.609344, 37.85411784, '2026-01-15');
        insert into maintenance_records (id, user_id, vehicle_id, date, odometer_reading, category, subtypes, updated_at)
             values ('00000000-0000-0000-0000-0000000000c1', 'switched', '00000000-0000-0000-0000-00000000000b',
                     '2026-02-10', 10500, 'routine_maintenance', '{Engine Oil,Oil Filter}', '2026-02-10');
        insert into maintenance_schedules (id, user_id, vehicle_id, category, subtypes, interval_months,
                                           interval_distance, baseline_date, baseline_odometer,
                                           last_service_date, last_service_odometer, updated_at)
             values ('00000000-0000-0000-0000-0000000000d1', 'switched', '00000000-0000-0000-0000-00000000000b',
                     'routine_maintenance', '{Engine Oil,Oil Filter}', 6, 5000, '2026-01-20', 9900,
                     '2026-01-20', 9900, '2026-02-10');
        -- and after the switch, a record typed in kilometres (rule 1: metric).
        insert into maintenance_records (id, user_id, vehicle_id, date, odometer_reading, category, subtypes, updated_at)
             values ('00000000-0000-0000-0000-0000000000c2', 'switched', '00000000-0000-0000-0000-00000000000b',
                     '2026-03-05', 17000, 'repair', '{Brakes}', '2026-03-05');

        -- never stored preferences: the default, imperial.
        insert into vehicles (id, user_id, year, make, model, odometer_reading, updated_at)
             values ('00000000-0000-0000-0000-00000000000c', 'never-chose', 2015, 'Ford', 'F-150', 500, '2026-02-01');

        -- preferences changed after the vehicle; the only fill-up came later, typed in miles: rule 3.
        insert into user_preferences (id, user_id, unit_system, updated_at)
             values (gen_random_uuid(), 'later-fill-up', 'metric', '2026-05-01');
        insert into vehicles (id, user_id, year, make, model, odometer_reading, updated_at)
             values ('00000000-0000-0000-0000-00000000000d', 'later-fill-up', 2018, 'Kia', 'Niro', 3000, '2026-03-01');
        insert into fuel_logs (id, user_id, vehicle_id, date_time, entered_units, odometer_entered,
                               fuel_units_entered, cost_per_unit_entered, total_cost, fuel_type,
                               odometer_km, volume, updated_at)
             values (gen_random_uuid(), 'later-fill-up', '00000000-0000-0000-0000-00000000000d', '2026-04-01',
                     'imperial', 3200, 10, 3, 30, 'gasoline', 3200 * 1.609344, 37.85411784, '2026-04-01');

        -- nothing tells: the current preference (metric) is assumed.
        insert into user_preferences (id, user_id, unit_system, updated_at)
             values (gen_random_uuid(), 'nothing-tells', 'metric', '2026-05-01');
        insert into vehicles (id, user_id, year, make, model, odometer_reading, updated_at)
             values ('00000000-0000-0000-0000-00000000000e', 'nothing-tells', 2021, 'Tesla', 'Model 3', 7000, '2026-03-01');
    "#).await;

    mvp_core::db::MIGRATOR
        .run(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let vehicles: Vec<(String, i64, String, Decimal, String)> = sqlx::query(
        "select user_id, odometer_entered, entered_units, odometer_km, updated_at::date::text as day
           from vehicles order by id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
    .collect();
    let expect = [
        (
            "metric-all-along",
            20_000,
            "metric",
            km("20000"),
            "2026-02-01",
        ),
        ("switched", 10_000, "imperial", km("16093.44"), "2026-02-01"),
        ("never-chose", 500, "imperial", km("804.672"), "2026-02-01"),
        (
            "later-fill-up",
            3_000,
            "imperial",
            km("4828.032"),
            "2026-03-01",
        ),
        ("nothing-tells", 7_000, "metric", km("7000"), "2026-03-01"),
    ];
    assert_eq!(vehicles.len(), expect.len());
    for (got, want) in vehicles.iter().zip(expect) {
        assert_eq!(got.0, want.0);
        assert_eq!(got.1, want.1, "{}: the number typed is kept", want.0);
        assert_eq!(got.2, want.2, "{}: the system it was typed in", want.0);
        assert_eq!(got.3, want.3, "{}: exact kilometres", want.0);
        assert_eq!(got.4, want.4, "{}: updated_at untouched", want.0);
    }

    let records: Vec<(String, Decimal)> =
        sqlx::query("select entered_units, odometer_km from maintenance_records order by id")
            .fetch_all(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    assert_eq!(
        records,
        vec![
            ("imperial".to_owned(), km("16898.112")),
            ("metric".to_owned(), km("17000")),
        ]
    );

    let schedule = sqlx::query(
        "select entered_units, interval_km, baseline_km, last_service_km, record_service_km
           from maintenance_schedules",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schedule.get::<String, _>(0), "imperial");
    assert_eq!(schedule.get::<Decimal, _>(1), km("8046.72"));
    assert_eq!(schedule.get::<Decimal, _>(2), km("15932.5056"));
    assert_eq!(schedule.get::<Decimal, _>(3), km("15932.5056"));
    assert_eq!(
        schedule.get::<Option<Decimal>, _>(4),
        Some(km("16898.112")),
        "the covering record's kilometres"
    );
    conn.close().await.unwrap_or_else(|e| panic!("{e}"));
    db::drop_database_blocking(admin, name);
}
