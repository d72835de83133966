//! Kept reads (`mvp_core::reads`): a repeat of the vehicle list, a fill-up page or the fuel
//! statistics is answered from what this process kept — and a write by the user, on this replica or
//! another, retires it before the write's response arrives. Another user never gets what one user's
//! reads kept.

use std::io::Read as _;

use mvp_test_support::{TestApp, spawn_app};
use mvp_types::ids::VehicleId;
use serde_json::{Value, json};

use crate::json;

/// Changes a vehicle's nickname behind the API's back (as a restore or a second process would).
async fn rename_in_database(app: &TestApp, nickname: &str) {
    sqlx::query("update vehicles set nickname = $1")
        .bind(nickname)
        .execute(&app.pool().await)
        .await
        .unwrap_or_else(|e| panic!("update: {e}"));
}

/// A 2019 Subaru Outback called `nickname`.
async fn named_vehicle(app: &TestApp, token: &str, nickname: &str) -> VehicleId {
    app.create_vehicle(
        token,
        1000,
        json!({"year": 2019, "make": "Subaru", "model": "Outback", "nickname": nickname}),
    )
    .await
}

/// Records a gasoline fill-up of `units` at $3 on `vehicle`.
async fn fill_up_count(app: &TestApp, token: &str, page: &str) -> usize {
    let response = app.get_as(token, page).await;
    assert_eq!(response.status(), 200);
    json(response).await.as_array().map_or(0, Vec::len)
}

async fn fill_up(
    app: &TestApp,
    token: &str,
    vehicle: VehicleId,
    date: &str,
    odometer: u32,
    units: u32,
) {
    let response = app
        .post_json_as(
            token,
            "/api/fuel-logs",
            &json!({"vehicleId": vehicle, "dateTime": format!("{date}T12:00:00Z"),
                    "odometerReading": odometer, "fuelType": "gasoline", "fuelUnits": units,
                    "costPerUnit": 3, "fullFill": true}),
        )
        .await;
    assert_eq!(response.status(), 201);
}

/// Waits until `app` hears the replicas' announcements (it keeps nothing before: for
/// `reads::KEEP_AFTER` after its listener is up).
async fn wait_keeping(app: &TestApp) {
    for _ in 0..500 {
        if app.state.reads.is_keeping() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the app never started listening for writes");
}

async fn nicknames(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get_as(token, "/api/vehicles").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-total-count"], "1");
    json(response)
        .await
        .as_array()
        .unwrap_or_else(|| panic!("a list"))
        .iter()
        .map(|v| v["nickname"].clone())
        .collect()
}

#[tokio::test]
async fn a_repeat_read_is_kept_until_the_user_writes() {
    let app = spawn_app().await;
    wait_keeping(&app).await;
    let token = app.token("auth0|kept-reads").await;
    let vehicle = named_vehicle(&app, &token, "Blue").await;
    assert_eq!(nicknames(&app, &token).await, [json!("Blue")]);

    // The repeat is answered from what was kept: the database's change is not read.
    rename_in_database(&app, "Changed behind the API").await;
    assert_eq!(nicknames(&app, &token).await, [json!("Blue")]);

    // Any write by the user retires it — here one to another resource (a fill-up).
    fill_up(&app, &token, vehicle, "2026-06-01", 1500, 10).await;
    assert_eq!(
        nicknames(&app, &token).await,
        [json!("Changed behind the API")]
    );

    // The fuel statistics: kept, then retired by the next fill-up.
    let stats_url = format!("/api/vehicles/{vehicle}/fuel-stats");
    let stats = json(app.get_as(&token, &stats_url).await).await;
    assert_eq!(stats["logCount"], 1, "{stats}");
    let again = json(app.get_as(&token, &stats_url).await).await;
    assert_eq!(again, stats);
    fill_up(&app, &token, vehicle, "2026-06-08", 1900, 20).await;
    let after = json(app.get_as(&token, &stats_url).await).await;
    assert_eq!(after["logCount"], 2, "{after}");
    assert_ne!(after["totalCost"], stats["totalCost"], "{after}");

    // A page of fill-ups, with its total, the same.
    let page_url = format!("/api/fuel-logs?vehicleId={vehicle}&limit=1");
    let response = app.get_as(&token, &page_url).await;
    assert_eq!(response.headers()["x-total-count"], "2");
    let first = json(response).await;
    let response = app.get_as(&token, &page_url).await;
    assert_eq!(response.headers()["x-total-count"], "2");
    assert_eq!(json(response).await, first);
}

#[tokio::test]
async fn a_kept_answer_is_sent_gzipped_to_a_client_that_takes_gzip_and_plain_to_others() {
    let app = spawn_app().await;
    let token = app.token("auth0|kept-gzip").await;
    for i in 0..8 {
        app.create_vehicle(
            &token,
            1000 + i,
            json!({"year": 2019, "make": "Subaru", "model": "Outback",
                   "nickname": format!("Car {i}"), "notes": "x".repeat(200)}),
        )
        .await;
    }
    let plain = app.get_as(&token, "/api/vehicles").await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap_or_else(|e| panic!("body: {e}"));
    assert!(plain.len() > 1024, "{} bytes", plain.len());
    // Twice: the first may be loaded, the second is kept.
    for _ in 0..2 {
        let response = app
            .client
            .get(app.url("/api/vehicles"))
            .bearer_auth(&token)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap_or_else(|e| panic!("request: {e}"));
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(response.headers()["x-total-count"], "8");
        let vary = response.headers()["vary"]
            .to_str()
            .unwrap_or_else(|e| panic!("ascii: {e}"));
        assert!(
            vary.to_ascii_lowercase().contains("accept-encoding"),
            "{vary}"
        );
        let zipped = response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("body: {e}"));
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_end(&mut unzipped)
            .unwrap_or_else(|e| panic!("gzip: {e}"));
        assert_eq!(unzipped, plain);
    }
    // A client that refuses gzip gets the kept JSON as it is.
    let response = app
        .client
        .get(app.url("/api/vehicles"))
        .bearer_auth(&token)
        .header("accept-encoding", "gzip;q=0")
        .send()
        .await
        .unwrap_or_else(|e| panic!("request: {e}"));
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(
        response
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("body: {e}")),
        plain
    );
}

#[tokio::test]
async fn another_user_never_gets_what_ones_reads_kept() {
    let app = spawn_app().await;
    let owner = app.token("auth0|kept-owner").await;
    let other = app.token("auth0|kept-other").await;
    let vehicle = app.create_vehicle(&owner, 1000, Value::Null).await;
    let stats_url = format!("/api/vehicles/{vehicle}/fuel-stats");
    for _ in 0..2 {
        assert_eq!(app.get_as(&owner, &stats_url).await.status(), 200);
        assert_eq!(app.get_as(&owner, "/api/vehicles").await.status(), 200);
    }
    crate::assert_error(app.get_as(&other, &stats_url).await, 404, "not_found").await;
    let theirs = app.get_as(&other, "/api/vehicles").await;
    assert_eq!(theirs.headers()["x-total-count"], "0");
    assert_eq!(json(theirs).await, json!([]));
    let page = format!("/api/fuel-logs?vehicleId={vehicle}");
    assert_eq!(app.get_as(&owner, &page).await.status(), 200);
    crate::assert_error(app.get_as(&other, &page).await, 404, "not_found").await;
}

/// Two replicas on one database: what the second kept is retired by a write through the first,
/// before that write's response arrives (the announcement goes out first).
#[tokio::test]
async fn a_write_on_one_replica_retires_what_another_kept() {
    let first = spawn_app().await;
    let second = first.replica().await;
    wait_keeping(&first).await;
    wait_keeping(&second).await;
    let token = first.token("auth0|kept-replicas").await;
    let vehicle = named_vehicle(&first, &token, "Before").await;
    // The second replica's listener is up once it has heard an announcement of the first's.
    let mut heard = false;
    for round in 0..50 {
        assert_eq!(nicknames(&second, &token).await.len(), 1);
        rename_in_database(&second, "Listening").await;
        let response = first
            .put_json_as(
                &token,
                "/api/user/preferences",
                &json!({"darkMode": round % 2 == 0}),
            )
            .await;
        assert_eq!(response.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        if nicknames(&second, &token).await == [json!("Listening")] {
            heard = true;
            break;
        }
    }
    assert!(heard, "the second replica never heard the first's writes");

    // Kept on the second replica …
    assert_eq!(nicknames(&second, &token).await, [json!("Listening")]);
    // … and retired by a write through the first (heard within moments).
    let response = first
        .put_json_as(
            &token,
            &format!("/api/vehicles/{vehicle}"),
            &json!({"year": 2019, "make": "Subaru", "model": "Outback", "nickname": "After"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let mut seen = Vec::new();
    for _ in 0..20 {
        seen = nicknames(&second, &token).await;
        if seen == [json!("After")] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(seen, [json!("After")]);

    // A new fill-up (announced after its transaction, by a NOTIFY that does not wait for the WAL
    // flush): both replicas' kept pages of fill-ups are retired — this one's at once, the other's
    // within moments.
    let page = format!("/api/fuel-logs?vehicleId={vehicle}");
    assert_eq!(fill_up_count(&first, &token, &page).await, 0);
    assert_eq!(fill_up_count(&second, &token, &page).await, 0);
    fill_up(&first, &token, vehicle, "2026-03-01", 1000, 10).await;
    assert_eq!(fill_up_count(&first, &token, &page).await, 1);
    let mut count = 0;
    for _ in 0..20 {
        count = fill_up_count(&second, &token, &page).await;
        if count == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(count, 1);
}

/// A replica alone on its database announces nothing; once another replica's listener is up —
/// named as this version names it, or an older version's, known by its `LISTEN` — it announces
/// every write again.
#[tokio::test]
async fn a_lone_replica_announces_only_once_another_listens() {
    use std::time::Duration;

    use sqlx::postgres::PgListener;

    let app = spawn_app().await;
    wait_keeping(&app).await;
    let token = app.token("auth0|kept-alone").await;
    let write = |round: u32| {
        let app = &app;
        let token = &token;
        async move {
            let response = app
                .put_json_as(
                    token,
                    "/api/user/preferences",
                    &json!({"darkMode": round.is_multiple_of(2)}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    };
    // A listening connection named `name` (set before its LISTEN, as the replicas do).
    let pool = app.pool().await;
    let listener = |name: String| {
        let pool = pool.clone();
        async move {
            let mut listener = PgListener::connect_with(&pool)
                .await
                .unwrap_or_else(|e| panic!("listener: {e}"));
            sqlx::query("select set_config('application_name', $1, false)")
                .bind(name)
                .execute(&mut listener)
                .await
                .unwrap_or_else(|e| panic!("name: {e}"));
            listener
                .listen(mvp_core::reads::CHANNEL)
                .await
                .unwrap_or_else(|e| panic!("listen: {e}"));
            listener
        }
    };
    // Stops listening; the connection goes back to the test's pool, renamed so it is not taken for
    // a replica's listener.
    async fn hang_up(mut listener: PgListener) {
        listener
            .unlisten_all()
            .await
            .unwrap_or_else(|e| panic!("unlisten: {e}"));
        sqlx::query("select set_config('application_name', 'a test, done listening', false)")
            .execute(&mut listener)
            .await
            .unwrap_or_else(|e| panic!("rename: {e}"));
    }
    // Writes until `listener` hears one of the user's, for up to ~8 s.
    async fn heard(write: impl AsyncFn(u32), listener: &mut PgListener) -> bool {
        for round in 0..40 {
            write(round).await;
            if let Ok(note) =
                tokio::time::timeout(Duration::from_millis(200), listener.recv()).await
            {
                let note = note.unwrap_or_else(|e| panic!("recv: {e}"));
                assert!(
                    note.payload().ends_with(" auth0|kept-alone"),
                    "{}",
                    note.payload()
                );
                return true;
            }
        }
        false
    }

    // Someone else's listener (a psql session, say) is not a replica: writes go unannounced.
    let mut other = listener("a test's own listener".to_owned()).await;
    assert!(app.state.reads.is_alone());
    for round in 0..3 {
        write(round).await;
    }
    let note = tokio::time::timeout(Duration::from_millis(500), other.recv()).await;
    assert!(note.is_err(), "a lone replica announced a write: {note:?}");
    hang_up(other).await;

    // Another replica of this version: seen at the next look, and the writes are announced.
    let prefix = mvp_core::db::listener_prefix(mvp_core::reads::CHANNEL);
    let mut replica = listener(format!("{prefix}another-replica")).await;
    assert!(
        heard(write, &mut replica).await,
        "never announced to a replica"
    );
    assert!(!app.state.reads.is_alone());
    hang_up(replica).await;

    // Alone again once it has gone; then an older version's replica, whose listener keeps the
    // pool's name and last sent its LISTEN, is seen too.
    for _ in 0..100 {
        if app.state.reads.is_alone() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        app.state.reads.is_alone(),
        "the replica that left is still counted"
    );
    let mut older = listener("mvp-backend".to_owned()).await;
    assert!(
        heard(write, &mut older).await,
        "never announced to an older replica"
    );
}

#[tokio::test]
async fn with_read_cache_secs_zero_every_read_goes_to_the_database() {
    let app = mvp_test_support::TestAppBuilder::new()
        .var("MVP_SERVER__READ_CACHE_SECS", "0")
        .spawn()
        .await;
    assert!(!app.state.reads.is_on());
    let token = app.token("auth0|kept-off").await;
    named_vehicle(&app, &token, "Blue").await;
    assert_eq!(nicknames(&app, &token).await, [json!("Blue")]);
    rename_in_database(&app, "Changed").await;
    assert_eq!(nicknames(&app, &token).await, [json!("Changed")]);
}

/// A write refused under `/api/admin` retires only the caller's own reads: no signed-in user can
/// empty everyone's.
#[tokio::test]
async fn a_refused_admin_write_does_not_retire_other_users_reads() {
    let app = spawn_app().await;
    wait_keeping(&app).await;
    let owner = app.token("auth0|kept-bystander").await;
    let intruder = app.token("auth0|kept-intruder").await;
    named_vehicle(&app, &owner, "Kept").await;
    assert_eq!(nicknames(&app, &owner).await, [json!("Kept")]);
    rename_in_database(&app, "Changed").await;
    let refused = app
        .post_json_as(
            &intruder,
            "/api/admin/admins",
            &json!({"userId": "auth0|kept-intruder"}),
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(nicknames(&app, &owner).await, [json!("Kept")]);
}
