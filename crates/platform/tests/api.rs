//! The catalog cascade and VIN decoding against the real app and the real catalog data.

use std::time::Duration;

use mvp_test_support::app::{RedisChoice, json};
use mvp_test_support::{TempPostgres, TempRedis, TestApp, TestAppBuilder, spawn_app};
use serde_json::Value;

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    json(response).await
}

#[tokio::test]
async fn the_cascade_filters_each_level_by_the_one_above() {
    let app = spawn_app().await;
    let token = app.token("auth0|cascade").await;
    let years = get_json(&app, &token, "/api/platform/years").await;
    let years: Vec<i64> = years
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    assert!(years.contains(&2024) && years.contains(&2010), "{years:?}");
    assert!(years.windows(2).all(|w| w[0] > w[1]), "newest first");

    let makes = names(&get_json(&app, &token, "/api/platform/makes?year=2024").await);
    for make in ["Honda", "Toyota", "Ford", "Chevrolet"] {
        assert!(
            makes.contains(&make.to_owned()),
            "2024 makes lack {make}: {makes:?}"
        );
    }
    let honda = names(&get_json(&app, &token, "/api/platform/models?year=2024&make=Honda").await);
    for model in ["Civic", "Accord", "CR-V"] {
        assert!(
            honda.contains(&model.to_owned()),
            "2024 Honda lacks {model}: {honda:?}"
        );
    }
    assert!(!honda.contains(&"Camry".to_owned()), "{honda:?}");
    // Any letter case names the same make.
    assert_eq!(
        names(&get_json(&app, &token, "/api/platform/models?year=2024&make=hONDA").await),
        honda
    );
    let toyota = names(&get_json(&app, &token, "/api/platform/models?year=2024&make=Toyota").await);
    assert!(toyota.contains(&"Camry".to_owned()) && !toyota.contains(&"Civic".to_owned()));
    // Years filter: no Model 3 before it existed.
    let tesla_2010 =
        names(&get_json(&app, &token, "/api/platform/models?year=2010&make=Tesla").await);
    assert!(
        !tesla_2010.contains(&"Model 3".to_owned()),
        "{tesla_2010:?}"
    );

    let civic_trims = names(
        &get_json(
            &app,
            &token,
            "/api/platform/trims?year=2024&make=Honda&model=Civic",
        )
        .await,
    );
    let accord_trims = names(
        &get_json(
            &app,
            &token,
            "/api/platform/trims?year=2024&make=Honda&model=Accord",
        )
        .await,
    );
    assert!(!civic_trims.is_empty() && !accord_trims.is_empty());
    assert_ne!(civic_trims, accord_trims);

    let all_engines = names(
        &get_json(
            &app,
            &token,
            "/api/platform/engines?year=2024&make=Honda&model=Civic",
        )
        .await,
    );
    assert!(!all_engines.is_empty());
    for trim in &civic_trims {
        let path = format!(
            "/api/platform/engines?year=2024&make=Honda&model=Civic&trim={}",
            trim.replace(' ', "%20")
        );
        let engines = names(&get_json(&app, &token, &path).await);
        assert!(!engines.is_empty(), "{trim} has no engine");
        assert!(
            engines.iter().all(|e| all_engines.contains(e)),
            "{trim}: {engines:?} not within {all_engines:?}"
        );
        let path = format!(
            "/api/platform/transmissions?year=2024&make=Honda&model=Civic&trim={}&engine={}",
            trim.replace(' ', "%20"),
            engines[0].replace(' ', "%20")
        );
        assert!(
            !names(&get_json(&app, &token, &path).await).is_empty(),
            "{trim} has no transmission"
        );
    }
}

#[tokio::test]
async fn unknown_years_are_empty_and_bad_parameters_are_400s() {
    let app = spawn_app().await;
    let token = app.token("auth0|edge").await;
    assert_eq!(
        get_json(&app, &token, "/api/platform/makes?year=1950").await,
        serde_json::json!([])
    );
    assert_eq!(
        get_json(&app, &token, "/api/platform/models?year=2099&make=Honda").await,
        serde_json::json!([])
    );
    assert_eq!(
        get_json(
            &app,
            &token,
            "/api/platform/models?year=2024&make=Nosuchmake"
        )
        .await,
        serde_json::json!([])
    );
    for (path, field) in [
        ("/api/platform/makes", "year"),
        ("/api/platform/makes?year=abc", "year"),
        ("/api/platform/makes?year=99999", "year"),
        ("/api/platform/models?year=2024", "make"),
        ("/api/platform/trims?year=2024&make=Honda", "model"),
    ] {
        let response = app.get_as(&token, path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(
            json(response).await["error"]["details"][0]["field"],
            field,
            "{path}"
        );
    }
    assert_eq!(app.get("/api/platform/makes?year=2024").await.status(), 401);
}

#[tokio::test]
async fn real_vins_decode_offline() {
    let app = spawn_app().await;
    let token = app.token("auth0|vin").await;
    let accord = get_json(&app, &token, "/api/platform/vin/1HGCM82633A004352").await;
    assert_eq!(accord["valid"], true);
    assert_eq!(accord["year"], 2003);
    assert_eq!(accord["make"], "Honda");
    assert_eq!(accord["model"], "Accord");
    assert!(
        accord["manufacturer"]
            .as_str()
            .is_some_and(|m| m.contains("Honda")),
        "{accord}"
    );
    let tesla = get_json(&app, &token, "/api/platform/vin/5YJ3E1EA2KF317000").await;
    assert_eq!(tesla["year"], 2019);
    assert_eq!(tesla["make"], "Tesla");
    assert_eq!(tesla["model"], "Model 3");
    assert_eq!(tesla["fuelType"], "electric");
    // Lower case and spaces are tolerated; the answer is the normalised VIN.
    let spaced = get_json(&app, &token, "/api/platform/vin/1hgcm82633a004352").await;
    assert_eq!(spaced["vin"], "1HGCM82633A004352");
}

#[tokio::test]
async fn ten_malformed_vins_are_400s_with_a_reason() {
    let app = spawn_app().await;
    let token = app.token("auth0|badvin").await;
    let cases = [
        ("1HGCM82633A00435", "17 characters"),
        ("1HGCM82633A0043521", "17 characters"),
        ("1", "17 characters"),
        ("1HGCM82633A00435I", "not allowed"),
        ("1HGCM82633AOO4352", "not allowed"),
        ("QHGCM82633A004352", "not allowed"),
        ("1HGCM82633A00435%21", "not allowed"),
        ("1HGCM82643A004352", "check digit"),
        ("5YJ3E1EA3KF317000", "check digit"),
        ("11111111211111111", "check digit"),
    ];
    for (vin, reason) in cases {
        let response = app
            .get_as(&token, &format!("/api/platform/vin/{vin}"))
            .await;
        assert_eq!(response.status(), 400, "{vin}");
        let body = json(response).await;
        assert_eq!(body["error"]["details"][0]["field"], "vin", "{vin}");
        let message = body["error"]["details"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(message.contains(reason), "{vin}: {message}");
    }
}

#[tokio::test]
async fn cold_and_warm_reads_are_identical_and_survive_redis_stopping() {
    let mut redis = TempRedis::start().unwrap_or_else(|e| panic!("{e:#}"));
    let app = TestAppBuilder::new()
        .redis(RedisChoice::Url(redis.url()))
        .spawn()
        .await;
    let token = app.token("auth0|cache").await;
    let path = "/api/platform/models?year=2024&make=Honda";
    let cold = app
        .get_as(&token, path)
        .await
        .bytes()
        .await
        .unwrap_or_default();
    let warm = app
        .get_as(&token, path)
        .await
        .bytes()
        .await
        .unwrap_or_default();
    assert!(!cold.is_empty());
    assert_eq!(cold, warm);
    redis.stop();
    let without_redis = app.get_as(&token, path).await;
    assert_eq!(without_redis.status(), 200);
    assert_eq!(without_redis.bytes().await.unwrap_or_default(), cold);
    let makes = app.get_as(&token, "/api/platform/makes?year=2015").await;
    assert_eq!(makes.status(), 200);
}

/// The strongest form of "a warm read makes no SQL query": Postgres is stopped, and warm reads still
/// answer with the same bytes.
#[tokio::test]
async fn a_warm_read_needs_no_database() {
    let pg = TempPostgres::start().unwrap_or_else(|e| panic!("{e:#}"));
    let app = TestAppBuilder::new()
        .postgres(pg.url("postgres"))
        .redis(RedisChoice::None)
        .spawn()
        .await;
    let token = app.token("auth0|warm").await;
    let paths = [
        "/api/platform/years",
        "/api/platform/makes?year=2024",
        "/api/platform/models?year=2024&make=Honda",
        "/api/platform/trims?year=2024&make=Honda&model=Civic",
    ];
    let mut cold = Vec::new();
    for path in paths {
        cold.push(
            app.get_as(&token, path)
                .await
                .bytes()
                .await
                .unwrap_or_default(),
        );
    }
    pg.stop().unwrap_or_else(|e| panic!("{e:#}"));
    for (path, cold) in paths.iter().zip(cold) {
        let response = app.get_as(&token, path).await;
        assert_eq!(response.status(), 200, "{path} needed the database");
        assert_eq!(response.bytes().await.unwrap_or_default(), cold, "{path}");
    }
    // A read that is not cached does need it, and says so.
    let response = app.get_as(&token, "/api/platform/makes?year=2001").await;
    assert_eq!(response.status(), 503);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn an_import_adds_rows_once_and_invalidates_cached_reads() {
    let app = spawn_app().await;
    let token = app.token("auth0|import").await;
    let before = names(&get_json(&app, &token, "/api/platform/makes?year=2024").await);
    assert!(!before.contains(&"Aptera".to_owned()));
    let extra = format!(
        "{}2024,2025,Aptera,Launch Edition,Standard,Electric (Triple Motor),1-Speed Direct Drive\n",
        mvp_platform::catalog::CATALOG_CSV
    );
    let pool = app.pool().await;
    let imported = mvp_platform::catalog::import(
        &pool,
        Some(&app.state.cache),
        "test",
        &extra,
        mvp_platform::catalog::WMI_CSV,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(imported);
    let again = mvp_platform::catalog::import(
        &pool,
        Some(&app.state.cache),
        "test",
        &extra,
        mvp_platform::catalog::WMI_CSV,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!again, "the same data imported twice");
    let after = names(&get_json(&app, &token, "/api/platform/makes?year=2024").await);
    assert!(
        after.contains(&"Aptera".to_owned()),
        "stale cache after import: {after:?}"
    );
    assert_eq!(after.len(), before.len() + 1);
}
