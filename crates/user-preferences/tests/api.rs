//! Preferences against the real app: defaults on first read, partial updates, and every field's bad
//! value refused with its name.

use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn defaults_on_first_read_then_partial_updates() {
    let app = spawn_app().await;
    let token = app.token("auth0|prefs").await;
    let defaults = json(app.get_as(&token, "/api/user/preferences").await).await;
    assert_eq!(
        defaults,
        json!({"unitSystem": "imperial", "currencyCode": "USD", "timeZone": "UTC", "darkMode": false,
               "efficiencyUnit": null})
    );
    let changed = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"unitSystem": "metric", "currencyCode": "eur"}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let changed = json(changed).await;
    assert_eq!(changed["unitSystem"], "metric");
    assert_eq!(changed["currencyCode"], "EUR");
    assert_eq!(changed["timeZone"], "UTC");
    let changed = json(
        app.put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"timeZone": "Europe/Berlin", "darkMode": true}),
        )
        .await,
    )
    .await;
    assert_eq!(
        changed,
        json!({"unitSystem": "metric", "currencyCode": "EUR", "timeZone": "Europe/Berlin", "darkMode": true,
               "efficiencyUnit": null})
    );
    // Another user still has the defaults.
    let other = json(
        app.get_as(&app.token("auth0|other").await, "/api/user/preferences")
            .await,
    )
    .await;
    assert_eq!(other["unitSystem"], "imperial");
}

#[tokio::test]
async fn every_preference_rejects_a_bad_value_naming_it() {
    let app = spawn_app().await;
    let token = app.token("auth0|bad-prefs").await;
    let cases = [
        ("unitSystem", json!("nautical")),
        ("unitSystem", json!(1)),
        ("currencyCode", json!("XXY")),
        ("currencyCode", json!("US")),
        ("currencyCode", json!(840)),
        ("timeZone", json!("Mars/Olympus_Mons")),
        ("timeZone", json!("")),
        ("darkMode", json!("yes")),
        ("darkMode", json!(1)),
        ("efficiencyUnit", json!("mph")),
    ];
    for (field, value) in cases {
        let body = json!({ field: value });
        let response = app
            .put_json_as(&token, "/api/user/preferences", &body)
            .await;
        assert_eq!(response.status(), 400, "{body}");
        let error = json(response).await;
        assert_eq!(error["error"]["code"], "validation_failed", "{body}");
        assert_eq!(error["error"]["details"][0]["field"], field, "{body}");
    }
    // Nothing was changed by the refused requests.
    let unchanged = json(app.get_as(&token, "/api/user/preferences").await).await;
    assert_eq!(unchanged["unitSystem"], "imperial");
    assert_eq!(unchanged["currencyCode"], "USD");
}
