//! Access tokens: RS256 via the issuer's JWKS, every bad-token case a 401, key caching and refetch.

use std::sync::Arc;
use std::time::Duration;

use mvp_test_support::app::RedisChoice;
use mvp_test_support::{StubIssuer, TestAppBuilder, spawn_app};

use crate::{assert_error, json};

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_sub_as_user_id() {
    let app = spawn_app().await;
    let token = app.token("auth0|user-123").await;
    let response = app.get_as(&token, "/api/_test/me").await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["userId"], "auth0|user-123");
}

#[tokio::test]
async fn every_bad_token_is_a_401_with_the_error_body() {
    let app = spawn_app().await;
    let issuer = &app.issuer;
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no Authorization header", None),
        ("expired", Some(issuer.expired_token("u1"))),
        ("wrong iss", Some(issuer.wrong_issuer_token("u1"))),
        ("wrong aud", Some(issuer.wrong_audience_token("u1"))),
        ("missing sub", Some(issuer.missing_sub_token())),
        ("missing exp", Some(issuer.missing_exp_token("u1"))),
        ("alg none", Some(issuer.alg_none_token("u1"))),
        (
            "HS256 signed with the public key",
            Some(issuer.hs256_with_public_key_token("u1")),
        ),
        ("unknown kid", Some(issuer.unknown_kid_token("u1"))),
        (
            "embedded jwk / jku header",
            Some(issuer.embedded_jwk_token("u1")),
        ),
        ("garbage", Some("not.a.jwt".to_owned())),
        (
            "tampered payload",
            Some({
                let good = issuer.token("u1");
                let mut parts: Vec<&str> = good.split('.').collect();
                let other = issuer.token("someone-else");
                let other_payload = other.split('.').nth(1).unwrap_or_default().to_owned();
                parts[1] = &other_payload;
                parts.join(".")
            }),
        ),
    ];
    for (name, token) in cases {
        let mut request = app.client.get(app.url("/api/_test/me"));
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.status(), 401, "case: {name}");
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer"),
            "case: {name}"
        );
        let body = json(response).await;
        assert_eq!(
            body["error"]["code"], "unauthorized",
            "case: {name}: {body}"
        );
    }
    // A non-Bearer scheme is not a token either.
    let response = app
        .client
        .get(app.url("/api/_test/me"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_error(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_thousand_unknown_kid_requests_fetch_the_jwks_once() {
    let app = TestAppBuilder::new()
        .var("MVP_AUTH__JWKS_REFETCH_COOLDOWN_SECS", "60")
        .spawn()
        .await;
    let tokens: Vec<String> = (0..8)
        .map(|i| app.issuer.unknown_kid_token(&format!("u{i}")))
        .collect();
    let client = app.client.clone();
    let url = app.url("/api/_test/me");
    let mut handles = Vec::new();
    for worker in 0..25 {
        let client = client.clone();
        let url = url.clone();
        let tokens = tokens.clone();
        handles.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..40 {
                let token = &tokens[(worker + i) % tokens.len()];
                let response = client.get(&url).bearer_auth(token).send().await;
                statuses.push(response.map(|r| r.status().as_u16()).unwrap_or(0));
            }
            statuses
        }));
    }
    let mut total = 0;
    for handle in handles {
        for status in handle.await.unwrap_or_default() {
            assert_eq!(status, 401);
            total += 1;
        }
    }
    assert_eq!(total, 1000);
    assert_eq!(
        app.issuer.fetches(),
        1,
        "JWKS fetched more than once within the cooldown"
    );
}

#[tokio::test]
async fn an_unknown_kid_refetches_again_only_after_the_cooldown() {
    let app = TestAppBuilder::new()
        .var("MVP_AUTH__JWKS_REFETCH_COOLDOWN_SECS", "1")
        .spawn()
        .await;
    let stranger = app.issuer.unknown_kid_token("u1");
    assert_eq!(app.get_as(&stranger, "/api/_test/me").await.status(), 401);
    assert_eq!(app.issuer.fetches(), 1);
    assert_eq!(app.get_as(&stranger, "/api/_test/me").await.status(), 401);
    assert_eq!(app.issuer.fetches(), 1, "refetched inside the cooldown");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.get_as(&stranger, "/api/_test/me").await.status(), 401);
    assert_eq!(
        app.issuer.fetches(),
        2,
        "did not refetch after the cooldown"
    );
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_by_refetching() {
    let app = TestAppBuilder::new()
        .var("MVP_AUTH__JWKS_REFETCH_COOLDOWN_SECS", "1")
        .spawn()
        .await;
    let old = app.token("u1").await;
    assert_eq!(app.get_as(&old, "/api/_test/me").await.status(), 200);
    app.issuer.rotate();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let new = app.token("u1").await;
    assert_eq!(app.get_as(&new, "/api/_test/me").await.status(), 200);
    assert_eq!(app.issuer.fetches(), 2);
    // Both keys are published during the rotation: old tokens keep working.
    assert_eq!(app.get_as(&old, "/api/_test/me").await.status(), 200);
}

/// A key the issuer stops publishing is refused from the first request after the refetch that no
/// longer finds it (before, the stale cached key was still used as if the issuer were down).
#[tokio::test]
async fn a_key_removed_from_the_jwks_is_refused_after_the_refetch() {
    let app = TestAppBuilder::new()
        .var("MVP_AUTH__JWKS_CACHE_SECS", "1")
        .var("MVP_AUTH__JWKS_REFETCH_COOLDOWN_SECS", "0")
        .spawn()
        .await;
    let old = app.token("u1").await;
    assert_eq!(app.get_as(&old, "/api/_test/me").await.status(), 200);
    app.issuer.rotate();
    app.issuer.retire_oldest();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.get_as(&old, "/api/_test/me").await.status(), 401);
    assert_eq!(app.get_as(&old, "/api/_test/me").await.status(), 401);
    let new = app.token("u1").await;
    assert_eq!(app.get_as(&new, "/api/_test/me").await.status(), 200);
}

#[tokio::test]
async fn cached_keys_still_verify_while_the_issuer_is_down() {
    let issuer = Arc::new(StubIssuer::start().await);
    let app = TestAppBuilder::new()
        .issuer(issuer.clone())
        // Keys go stale after a second, so the down issuer is really asked again.
        .var("MVP_AUTH__JWKS_CACHE_SECS", "1")
        .var("MVP_AUTH__JWKS_REFETCH_COOLDOWN_SECS", "0")
        .var("MVP_AUTH__JWKS_FETCH_TIMEOUT_MS", "500")
        .redis(RedisChoice::None)
        .spawn()
        .await;
    let token = issuer.token("u1");
    assert_eq!(app.get_as(&token, "/api/_test/me").await.status(), 200);
    issuer.stop();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for _ in 0..3 {
        assert_eq!(app.get_as(&token, "/api/_test/me").await.status(), 200);
    }
    // A key we never had cannot appear while the issuer is down.
    let stranger = issuer.unknown_kid_token("u1");
    assert_eq!(app.get_as(&stranger, "/api/_test/me").await.status(), 401);
    issuer.restart().await;
    assert_eq!(app.get_as(&token, "/api/_test/me").await.status(), 200);
}

#[tokio::test]
async fn admin_routes_need_an_admin() {
    let app = spawn_app().await;
    let token = app.token("auth0|plain").await;
    let response = app.get_as(&token, "/api/_test/admin").await;
    assert_error(response, 403, "forbidden").await;

    let pool = app.pool().await;
    mvp_core::admin::grant(&pool, "auth0|plain", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(app.get_as(&token, "/api/_test/admin").await.status(), 200);

    // By e-mail: only when the token says the address is verified.
    mvp_core::admin::grant(&pool, "Boss@Example.com", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let unverified = app
        .issuer
        .token_with_email("auth0|boss", "boss@example.com", false);
    assert_eq!(
        app.get_as(&unverified, "/api/_test/admin").await.status(),
        403
    );
    let verified = app
        .issuer
        .token_with_email("auth0|boss", "boss@example.com", true);
    assert_eq!(
        app.get_as(&verified, "/api/_test/admin").await.status(),
        200
    );
    // Granting twice is harmless.
    let again = mvp_core::admin::grant(&pool, "auth0|plain", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, mvp_core::admin::Granted::AlreadyAdmin);
}

/// A token is verified once and then remembered, but never past its `exp`: the remembered copy is
/// refused as soon as the token itself would be.
#[tokio::test]
async fn a_remembered_token_is_refused_once_it_expires() {
    let app = TestAppBuilder::new()
        .var("MVP_AUTH__LEEWAY_SECS", "0")
        .spawn()
        .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let mut claims = app.issuer.claims("u1");
    claims["exp"] = serde_json::json!(now + 2);
    let token = app.issuer.sign(&claims);
    for _ in 0..2 {
        assert_eq!(app.get_as(&token, "/api/_test/me").await.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(app.get_as(&token, "/api/_test/me").await.status(), 401);
    // Another token of the same user still passes.
    let fresh = app.token("u1").await;
    assert_eq!(app.get_as(&fresh, "/api/_test/me").await.status(), 200);
}
