//! Onboarding against the real app: status, preferences step, completion kept at its first time.

use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn onboarding_goes_from_nothing_to_complete_and_stays_complete() {
    let app = spawn_app().await;
    let token = app.token("auth0|newcomer").await;
    let status = json(app.get_as(&token, "/api/onboarding/status").await).await;
    assert_eq!(
        status,
        json!({"preferencesSet": false, "onboardingCompleted": false, "onboardingCompletedAt": null})
    );
    // Reading preferences (defaults) does not count as choosing them.
    let _ = app.get_as(&token, "/api/user/preferences").await;
    let status = json(app.get_as(&token, "/api/onboarding/status").await).await;
    assert_eq!(status["preferencesSet"], false);

    let bad = app
        .post_json_as(
            &token,
            "/api/onboarding/preferences",
            &json!({"timeZone": "Nowhere/Land"}),
        )
        .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(json(bad).await["error"]["details"][0]["field"], "timeZone");

    let set = app
        .post_json_as(
            &token,
            "/api/onboarding/preferences",
            &json!({"unitSystem": "metric", "currencyCode": "CAD", "timeZone": "America/Toronto"}),
        )
        .await;
    assert_eq!(set.status(), 200);
    assert_eq!(json(set).await["currencyCode"], "CAD");
    let status = json(app.get_as(&token, "/api/onboarding/status").await).await;
    assert_eq!(status["preferencesSet"], true);
    assert_eq!(status["onboardingCompleted"], false);

    let done = json(
        app.post_json_as(&token, "/api/onboarding/complete", &json!({}))
            .await,
    )
    .await;
    assert_eq!(done["onboardingCompleted"], true);
    let first = done["onboardingCompletedAt"].clone();
    assert!(first.is_string());
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let again = json(
        app.post_json_as(&token, "/api/onboarding/complete", &json!({}))
            .await,
    )
    .await;
    assert_eq!(again["onboardingCompletedAt"], first);

    // Another user's onboarding is their own.
    let other = json(
        app.get_as(&app.token("auth0|someone").await, "/api/onboarding/status")
            .await,
    )
    .await;
    assert_eq!(other["onboardingCompleted"], false);
}
