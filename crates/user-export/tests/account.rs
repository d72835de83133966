//! Erasing an account against the real app: every row of the user in every table with a `user_id`
//! column and every stored file gone, the tokens refused at once, a community station kept without
//! the name, another user untouched; the password asked for (local provider); an OIDC user who
//! signs in again later starts afresh; the last admin cannot leave.

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, TestAppBuilder, spawn_app};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

async fn signed_up(app: &TestApp, email: &str) -> Value {
    let created = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": email, "password": PASSWORD, "acceptTerms": true}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let login = app
        .post_json(
            "/api/auth/login",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), 200);
    json(login).await
}

async fn user_id(app: &TestApp, token: &str) -> String {
    json(app.get_as(token, "/api/user/profile").await).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A bit of everything: a vehicle with a photo, a fill-up, a record, a schedule, a document, a
/// saved station, preferences, and a community station with a price.
async fn fill(app: &TestApp, token: &str, east: f64) {
    let vehicle = app.create_vehicle(token, 1_000, Value::Null).await;
    app.set_vehicle_photo(token, vehicle).await;
    let log = app
        .post_json_as(
            token,
            "/api/fuel-logs",
            &json!({"vehicleId": vehicle, "dateTime": "2024-01-05T12:00:00Z", "odometerReading": 1100,
                    "fuelType": "gasoline", "fuelUnits": 10, "costPerUnit": 3.5}),
        )
        .await;
    assert_eq!(log.status(), 201);
    let record = app
        .post_json_as(
            token,
            "/api/maintenance/records",
            &json!({"vehicleId": vehicle, "date": "2024-01-06", "category": "repair",
                    "subtypes": ["Other"], "cost": 10}),
        )
        .await;
    assert_eq!(record.status(), 201);
    app.create_schedule(
        token,
        vehicle,
        json!({"subtypes": ["Engine Oil"], "intervalMonths": 6, "intervalDistance": 5000}),
    )
    .await;
    app.create_document(token, vehicle, Some("2030-01-01"))
        .await;
    let prefs = app
        .put_json_as(
            token,
            "/api/user/preferences",
            &json!({"unitSystem": "metric"}),
        )
        .await;
    assert_eq!(prefs.status(), 200);
    let station = app
        .post_json_as(
            token,
            "/api/stations/community",
            &json!({"name": "Corner Fuel", "address": "1 Main St", "latitude": 51.5, "longitude": -0.12 + east}),
        )
        .await;
    assert_eq!(station.status(), 201, "community station");
    let id = json(station).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let price = app
        .post_json_as(
            token,
            &format!("/api/stations/community/{id}/prices"),
            &json!({"fuelType": "regular", "price": 1.799}),
        )
        .await;
    assert_eq!(price.status(), 201, "price report");
    let saved = app
        .post_json_as(
            token,
            "/api/stations/saved",
            &json!({"placeId": id, "name": "Corner Fuel", "address": "1 Main St",
                    "latitude": 51.5, "longitude": -0.12 + east, "isFavorite": true}),
        )
        .await;
    assert_eq!(saved.status(), 201, "saved station");
}

/// (table, rows of `user`) for every table with a `user_id` column that has any.
async fn rows_left(app: &TestApp, user: &str) -> Vec<(String, i64)> {
    let pool = app.pool().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.columns
          where table_schema = 'public' and column_name = 'user_id' order by 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(tables.len() > 15, "{tables:?}");
    let mut left = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(*) from {table} where user_id = $1"
        )))
        .bind(user)
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        if n > 0 {
            left.push((table, n));
        }
    }
    left
}

async fn stored_files(app: &TestApp, user: &str) -> Vec<String> {
    let pool = app.pool().await;
    let mut keys: Vec<String> =
        sqlx::query_scalar("select storage_key from documents where user_id = $1")
            .bind(user)
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    let images: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("select image_key, thumb_key from vehicles where user_id = $1")
            .bind(user)
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    keys.extend(images.into_iter().flat_map(|(a, b)| [a, b]).flatten());
    keys
}

#[tokio::test]
async fn erasing_a_local_account_leaves_no_row_and_no_file_and_ends_every_token() {
    let app = TestAppBuilder::new().local().spawn().await;
    let me = signed_up(&app, "leaving@example.com").await;
    let token = me["accessToken"].as_str().unwrap_or_default().to_owned();
    let other = signed_up(&app, "staying@example.com").await;
    let other_token = other["accessToken"].as_str().unwrap_or_default().to_owned();
    fill(&app, &token, 0.0).await;
    fill(&app, &other_token, 0.01).await;
    let id = user_id(&app, &token).await;
    let other_id = user_id(&app, &other_token).await;
    let files = stored_files(&app, &id).await;
    assert_eq!(
        files.len(),
        3,
        "a document, a photo and its thumbnail: {files:?}"
    );
    let before_other = rows_left(&app, &other_id).await;
    assert!(rows_left(&app, &id).await.len() >= 10);

    // The password is asked for, and must be right.
    let none = app.delete_as(&token, "/api/user/account").await;
    assert_eq!(none.status(), 400);
    let none = json(none).await;
    assert_eq!(none["error"]["details"][0]["field"], "password", "{none}");
    let wrong = app
        .client
        .delete(app.url("/api/user/account"))
        .bearer_auth(&token)
        .json(&json!({"password": "not it at all"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wrong.status(), 400);
    assert!(rows_left(&app, &id).await.len() >= 10, "nothing erased");

    // Their community station approved (kept without its reporter).
    let pool = app.pool().await;
    sqlx::query("update community_stations set status = 'approved' where reported_by = $1")
        .bind(&id)
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let done = app
        .client
        .delete(app.url("/api/user/account"))
        .bearer_auth(&token)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.status(), 204);
    assert_eq!(
        rows_left(&app, &id).await,
        [],
        "every row of the user is gone"
    );
    for key in &files {
        assert!(
            !app.state.storage.exists(key).await,
            "{key} is still stored"
        );
    }
    // The still-unexpired access token no longer works and brings nothing back.
    assert_eq!(app.get_as(&token, "/api/vehicles").await.status(), 401);
    assert_eq!(app.get_as(&token, "/api/user/profile").await.status(), 401);
    assert_eq!(rows_left(&app, &id).await, []);
    let refresh = app
        .post_json(
            "/api/auth/refresh",
            &json!({"refreshToken": me["refreshToken"]}),
        )
        .await;
    assert_eq!(refresh.status(), 401);
    let login = app
        .post_json(
            "/api/auth/login",
            &json!({"email": "leaving@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), 401);

    // The approved station and its price stay, no longer theirs; the other user has everything.
    let reporters: Vec<String> =
        sqlx::query_scalar("select reported_by from community_stations order by reported_by")
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(reporters.contains(&"erased".to_owned()), "{reporters:?}");
    assert!(!reporters.contains(&id), "{reporters:?}");
    let prices: i64 =
        sqlx::query_scalar("select count(*) from station_prices where user_id = 'erased'")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(prices, 1);
    assert_eq!(rows_left(&app, &other_id).await, before_other);
    assert_eq!(
        app.get_as(&other_token, "/api/vehicles").await.status(),
        200
    );
    for key in stored_files(&app, &other_id).await {
        assert!(
            app.state.storage.exists(&key).await,
            "{key} of the other user"
        );
    }
    // The address can be used for a new account.
    signed_up(&app, "leaving@example.com").await;
}

#[tokio::test]
async fn an_oidc_user_is_erased_locally_and_a_later_sign_in_starts_afresh() {
    let app = spawn_app().await;
    let token = app.token("auth0|gone").await;
    fill(&app, &token, 0.0).await;
    assert_eq!(
        app.delete_as(&token, "/api/user/account").await.status(),
        204
    );
    assert_eq!(rows_left(&app, "auth0|gone").await, []);
    assert_eq!(app.get_as(&token, "/api/vehicles").await.status(), 401);
    // Tokens carry whole seconds: one issued a second later is a new sign-in.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let fresh = app.token("auth0|gone").await;
    let list = app.get_as(&fresh, "/api/vehicles").await;
    assert_eq!(list.status(), 200);
    assert_eq!(json(list).await, json!([]));
}

#[tokio::test]
async fn the_last_admin_cannot_erase_their_account() {
    let app = spawn_app().await;
    let token = app.token("auth0|boss").await;
    let pool = app.pool().await;
    mvp_core::admin::grant(&pool, "auth0|boss", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let refused = app.delete_as(&token, "/api/user/account").await;
    assert_eq!(refused.status(), 409);
    assert_eq!(
        app.get_as(&token, "/api/vehicles").await.status(),
        200,
        "nothing erased"
    );
}
