//! Catalog management: every change shows in `/api/platform/*` on the next request — with Redis
//! up, with Redis down, and on another replica — and deletes refuse entries vehicles still use.

use std::time::{Duration, Instant};

use mvp_test_support::TempRedis;
use mvp_test_support::app::RedisChoice;
use mvp_test_support::app::json;
use mvp_test_support::{TestApp, TestAppBuilder, spawn_app};
use serde_json::{Value, json};

use crate::{BOSS, admin_token, audit_rows};

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["name"].as_str().map(str::to_owned))
        .collect()
}

async fn makes(app: &TestApp, token: &str, year: u16) -> Vec<String> {
    let response = app
        .get_as(token, &format!("/api/platform/makes?year={year}"))
        .await;
    assert_eq!(response.status(), 200);
    names(&json(response).await)
}

fn aptera(year: u16) -> Value {
    json!({"year": year, "make": "Aptera", "model": "Launch Edition", "trim": "Standard",
           "engine": "Electric (Triple Motor)", "transmission": "1-Speed Direct Drive"})
}

async fn add(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = app
        .post_json_as(token, "/api/admin/catalog/options", body)
        .await;
    assert_eq!(response.status(), 201, "{body}");
    json(response).await
}

#[tokio::test]
async fn a_new_make_is_in_the_cascade_on_the_next_request_with_redis_up() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let user = app.token("auth0|reader").await;
    // Cached (Redis and the near copy) before the change.
    let before = makes(&app, &user, 2024).await;
    assert!(!before.contains(&"Aptera".to_owned()));
    assert_eq!(makes(&app, &user, 2024).await, before);

    let option = add(&app, &boss, &aptera(2024)).await;
    assert_eq!(option["make"], "Aptera");
    assert_eq!(option["year"], 2024);
    let after = makes(&app, &user, 2024).await;
    assert!(after.contains(&"Aptera".to_owned()), "{after:?}");
    assert_eq!(after.len(), before.len() + 1);
    // The same option again is no change: 200, no second audit row.
    let again = app
        .post_json_as(&boss, "/api/admin/catalog/options", &aptera(2024))
        .await;
    assert_eq!(again.status(), 200);
    // Another spelling of an existing make is that make, not a second one.
    let honda = add(
        &app,
        &boss,
        &json!({"year": 2024, "make": "HONDA", "model": "Civic Type R", "trim": "Base",
                "engine": "2.0L I4 Turbo", "transmission": "6-Speed Manual"}),
    )
    .await;
    assert_eq!(honda["make"], "Honda");
    assert_eq!(
        audit_rows(&app, &boss, "?action=catalog.option.create")
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn a_new_make_is_in_the_cascade_on_the_next_request_with_redis_down() {
    let mut redis = TempRedis::start().unwrap_or_else(|e| panic!("{e:#}"));
    let app = TestAppBuilder::new()
        .redis(RedisChoice::Url(redis.url()))
        .spawn()
        .await;
    let boss = admin_token(&app, BOSS).await;
    let user = app.token("auth0|reader").await;
    let before = makes(&app, &user, 2024).await;
    redis.stop();
    assert_eq!(
        makes(&app, &user, 2024).await,
        before,
        "served from the near copy"
    );

    add(&app, &boss, &aptera(2024)).await;
    let after = makes(&app, &user, 2024).await;
    assert!(after.contains(&"Aptera".to_owned()), "{after:?}");
}

#[tokio::test]
async fn another_replica_sees_the_change_at_once() {
    let app = spawn_app().await;
    let other = app.replica().await;
    let boss = admin_token(&app, BOSS).await;
    let user = app.token("auth0|reader").await;
    // The other replica has the list in its near copy and in Redis.
    let before = makes(&other, &user, 2025).await;
    assert_eq!(makes(&other, &user, 2025).await, before);

    add(&app, &boss, &aptera(2025)).await;
    let changed = Instant::now();
    let mut seen = None;
    while changed.elapsed() < Duration::from_secs(5) {
        if makes(&other, &user, 2025)
            .await
            .contains(&"Aptera".to_owned())
        {
            seen = Some(changed.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seen = seen.unwrap_or_else(|| panic!("the other replica still serves the old list"));
    println!(
        "the other replica saw the change after {} ms",
        seen.as_millis()
    );
    assert!(seen < Duration::from_secs(1), "{seen:?}");
}

async fn entry_id(app: &TestApp, token: &str, path: &str, name: &str) -> i64 {
    let items = json(app.get_as(token, path).await).await;
    items
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["name"] == name)
        .and_then(|i| i["id"].as_i64())
        .unwrap_or_else(|| panic!("{name} not in {path}: {items}"))
}

#[tokio::test]
async fn renames_and_deletes_show_at_once_and_entries_in_use_are_kept() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let user = app.token("auth0|owner").await;
    add(&app, &boss, &aptera(2024)).await;
    let make = entry_id(&app, &user, "/api/platform/makes?year=2024", "Aptera").await;

    // Rename: the cascade shows the new name; another make's name in any case is a 409.
    let renamed = app
        .put_json_as(
            &boss,
            &format!("/api/admin/catalog/makes/{make}"),
            &json!({"name": "Aptera Motors"}),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(json(renamed).await["name"], "Aptera Motors");
    assert!(
        makes(&app, &user, 2024)
            .await
            .contains(&"Aptera Motors".to_owned())
    );
    let taken = app
        .put_json_as(
            &boss,
            &format!("/api/admin/catalog/makes/{make}"),
            &json!({"name": "honda"}),
        )
        .await;
    assert_eq!(taken.status(), 409);
    let blank = app
        .put_json_as(
            &boss,
            &format!("/api/admin/catalog/makes/{make}"),
            &json!({"name": " "}),
        )
        .await;
    assert_eq!(blank.status(), 400);
    assert_eq!(json(blank).await["error"]["details"][0]["field"], "name");
    let rename = audit_rows(&app, &boss, "?action=catalog.make.rename").await;
    assert_eq!(rename[0]["before"]["name"], "Aptera");
    assert_eq!(rename[0]["after"]["name"], "Aptera Motors");

    // A vehicle uses the make: the delete is refused, naming how many.
    app.create_vehicle(
        &user,
        10,
        json!({"year": 2024, "make": "aptera motors", "model": "Launch Edition"}),
    )
    .await;
    let refused = app
        .delete_as(&boss, &format!("/api/admin/catalog/makes/{make}"))
        .await;
    assert_eq!(refused.status(), 409);
    let message = json(refused).await["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("used by 1 vehicle"), "{message}");
    assert!(
        makes(&app, &user, 2024)
            .await
            .contains(&"Aptera Motors".to_owned())
    );

    // An unused model goes, with its options; the cascade shows it at once.
    add(
        &app,
        &boss,
        &json!({"year": 2024, "make": "Aptera Motors", "model": "Sol", "trim": "Standard",
                "engine": "Electric (Dual Motor)", "transmission": "1-Speed Direct Drive"}),
    )
    .await;
    let models_path = "/api/platform/models?year=2024&make=Aptera%20Motors";
    let sol = entry_id(&app, &user, models_path, "Sol").await;
    let deleted = app
        .delete_as(&boss, &format!("/api/admin/catalog/models/{sol}"))
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        names(&json(app.get_as(&user, models_path).await).await),
        ["Launch Edition"]
    );
    let audit = audit_rows(&app, &boss, "?action=catalog.model.delete").await;
    assert_eq!(audit[0]["before"]["entry"]["name"], "Sol");
    assert_eq!(audit[0]["before"]["options"], 1);
    // Unknown ids and kinds name nothing.
    for path in [
        "/api/admin/catalog/models/999999",
        "/api/admin/catalog/colours/1",
        "/api/admin/catalog/makes/x",
        "/api/admin/catalog/options/999999",
    ] {
        assert_eq!(app.delete_as(&boss, path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn an_option_can_be_listed_and_deleted() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let user = app.token("auth0|reader").await;
    let option = add(&app, &boss, &aptera(2026)).await;
    let listed = json(
        app.get_as(&boss, "/api/admin/catalog/options?year=2026&make=aptera")
            .await,
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], option["id"]);
    assert!(
        makes(&app, &user, 2026)
            .await
            .contains(&"Aptera".to_owned())
    );
    let id = option["id"].as_i64().unwrap_or_default();
    let deleted = app
        .delete_as(&boss, &format!("/api/admin/catalog/options/{id}"))
        .await;
    assert_eq!(deleted.status(), 204);
    assert!(
        !makes(&app, &user, 2026)
            .await
            .contains(&"Aptera".to_owned())
    );
    let missing_year = app.get_as(&boss, "/api/admin/catalog/options").await;
    assert_eq!(missing_year.status(), 400);
    let bad = app
        .post_json_as(
            &boss,
            "/api/admin/catalog/options",
            &json!({"year": 1850, "make": "", "model": "M", "trim": "T", "engine": "E",
                    "transmission": "X"}),
        )
        .await;
    assert_eq!(bad.status(), 400);
    let fields: Vec<String> = json(bad).await["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["field"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(fields, ["year", "make"]);
}

async fn import(app: &TestApp, token: &str, dry_run: bool, csv: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/admin/catalog/import?dryRun={dry_run}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap_or_else(|e| panic!("import: {e}"))
}

#[tokio::test]
async fn a_csv_import_reports_a_dry_run_then_adds_and_a_bad_file_adds_nothing() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let user = app.token("auth0|reader").await;
    let csv = "year_from,year_to,make,model,trim,engine,transmission\n\
               2024,2025,Aptera,Launch Edition,Standard,Electric (Triple Motor),1-Speed Direct Drive\n\
               2024,2024,Honda,Civic,LX,2.0L I4,CVT\n";

    let dry = import(&app, &boss, true, csv).await;
    assert_eq!(dry.status(), 200);
    let report = json(dry).await;
    assert_eq!(report["dryRun"], true);
    assert_eq!(report["applied"], false);
    assert_eq!(report["rows"], 2);
    assert_eq!(report["optionRows"], 3);
    assert_eq!(report["created"]["makes"], 1, "{report}");
    assert_eq!(
        report["created"]["options"], 2,
        "Honda's Civic LX is there already: {report}"
    );
    assert_eq!(report["errors"], json!([]));
    assert!(
        !makes(&app, &user, 2025)
            .await
            .contains(&"Aptera".to_owned()),
        "a dry run added"
    );
    assert!(audit_rows(&app, &boss, "?action=catalog").await.is_empty());

    let real = json(import(&app, &boss, false, csv).await).await;
    assert_eq!(real["applied"], true);
    assert_eq!(real["created"], report["created"]);
    assert!(
        makes(&app, &user, 2025)
            .await
            .contains(&"Aptera".to_owned())
    );
    let audit = audit_rows(&app, &boss, "?action=catalog.import").await;
    assert_eq!(audit[0]["after"]["created"]["options"], 2);

    let bad = "year_from,year_to,make,model,trim,engine,transmission\n\
               2024,2024,Lucid,Air,Pure,Electric (Single Motor),1-Speed Direct Drive\n\
               2024,2023,Lucid,Gravity,Touring,Electric (Dual Motor),1-Speed Direct Drive\n\
               twenty,2024,Lucid,Air,Grand Touring,Electric (Dual Motor),1-Speed Direct Drive\n\
               2024,2024,Lucid,,Pure,Electric,1-Speed\n";
    let report = json(import(&app, &boss, false, bad).await).await;
    assert_eq!(report["applied"], false, "{report}");
    let lines: Vec<i64> = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["line"].as_i64())
        .collect();
    assert_eq!(lines, [3, 4, 5], "{report}");
    assert!(!makes(&app, &user, 2024).await.contains(&"Lucid".to_owned()));

    let empty = import(&app, &boss, false, "").await;
    assert_eq!(empty.status(), 400);
    let maybe = app
        .client
        .post(app.url("/api/admin/catalog/import?dryRun=maybe"))
        .bearer_auth(&boss)
        .body(csv.to_owned())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(maybe.status(), 400);
}
