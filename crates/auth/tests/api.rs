//! Identity against the real app: the local provider end to end, brute-force limits, terms, and
//! Auth0 signup against a fake Management API.

use std::time::Duration;

use mvp_test_support::app::json;
use mvp_test_support::fakes::FakeAuth0;
use mvp_test_support::{TestApp, TestAppBuilder, spawn_app};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

async fn signup(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json(
        "/api/auth/signup",
        &json!({"email": email, "password": PASSWORD, "acceptTerms": true}),
    )
    .await
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/auth/login",
        &json!({"email": email, "password": password}),
    )
    .await
}

/// The token from the newest verification link sent to `email`.
async fn verification_token(app: &TestApp, email: &str) -> String {
    let messages = app.outbox().await;
    let message = messages
        .iter()
        .rev()
        .find(|m| m.to == email && m.kind == "verify_email")
        .unwrap_or_else(|| panic!("no verification e-mail for {email}: {messages:?}"));
    let link = message
        .text
        .lines()
        .find(|l| l.contains("verify-email?token="))
        .unwrap_or_default();
    link.rsplit("token=")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

async fn verify(app: &TestApp, token: &str) -> reqwest::Response {
    app.get(&format!("/api/auth/verify-email?token={token}"))
        .await
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/api/auth/refresh", &json!({"refreshToken": token}))
        .await
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn local_signup_verify_login_refresh_reuse_and_logout() {
    let app = TestAppBuilder::new().local().spawn().await;
    let email = "jane@example.com";

    let created = signup(&app, email).await;
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    assert_eq!(created["email"], email);
    let user_id = str_of(&created, "userId");

    // The outbox message holds the link; the log line does not (checked in the process tests).
    let token = verification_token(&app, email).await;
    assert_eq!(token.len(), 43);

    // Before verification the status says so.
    let tokens = json(login(&app, email, PASSWORD).await).await;
    let access = str_of(&tokens, "accessToken");
    let status = json(app.get_as(&access, "/api/auth/user-status").await).await;
    assert_eq!(status["emailVerified"], false);
    assert_eq!(status["termsAccepted"], true);
    assert_eq!(status["onboardingCompleted"], false);
    assert_eq!(status["isAdmin"], false);

    let verified = verify(&app, &token).await;
    assert_eq!(verified.status(), 200);
    assert_eq!(json(verified).await["verified"], true);
    // A link works once.
    let again = verify(&app, &token).await;
    assert_eq!(again.status(), 400);
    assert_eq!(json(again).await["error"]["details"][0]["field"], "token");

    let login_response = login(&app, email, PASSWORD).await;
    assert_eq!(login_response.status(), 200);
    let tokens = json(login_response).await;
    assert_eq!(tokens["tokenType"], "Bearer");
    assert_eq!(tokens["expiresIn"], 900);
    let access = str_of(&tokens, "accessToken");
    let first_refresh = str_of(&tokens, "refreshToken");

    let profile = app.get_as(&access, "/api/user/profile").await;
    assert_eq!(profile.status(), 200);
    let profile = json(profile).await;
    assert_eq!(profile["id"], user_id.as_str());
    assert_eq!(profile["email"], email);
    let status = json(app.get_as(&access, "/api/auth/user-status").await).await;
    assert_eq!(status["emailVerified"], true);

    // Rotation: the first refresh token gives a new pair…
    let rotated = refresh(&app, &first_refresh).await;
    assert_eq!(rotated.status(), 200);
    let rotated = json(rotated).await;
    let second_refresh = str_of(&rotated, "refreshToken");
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(
        app.get_as(&str_of(&rotated, "accessToken"), "/api/user/profile")
            .await
            .status(),
        200
    );
    // …and presenting the first one again is theft: the whole family is revoked.
    assert_eq!(refresh(&app, &first_refresh).await.status(), 401);
    let revoked = refresh(&app, &second_refresh).await;
    assert_eq!(revoked.status(), 401);
    assert_eq!(json(revoked).await["error"]["code"], "unauthorized");

    // A new sign-in starts a new family; logout ends it.
    let tokens = json(login(&app, email, PASSWORD).await).await;
    let third_refresh = str_of(&tokens, "refreshToken");
    let out = app
        .post_json("/api/auth/logout", &json!({"refreshToken": third_refresh}))
        .await;
    assert_eq!(out.status(), 204);
    assert_eq!(refresh(&app, &third_refresh).await.status(), 401);
}

/// Rotation cannot keep a sign-in alive for ever: every token of a family ends at the family's end
/// (refresh_family_max_days after the sign-in), which a rotation carries over instead of extending.
#[tokio::test]
async fn a_refresh_family_has_an_absolute_lifetime() {
    let app = TestAppBuilder::new()
        .local()
        .var("MVP_AUTH__LOCAL__REFRESH_TOKEN_TTL_DAYS", "30")
        .var("MVP_AUTH__LOCAL__REFRESH_FAMILY_MAX_DAYS", "2")
        .spawn()
        .await;
    let email = "ann@example.com";
    assert_eq!(signup(&app, email).await.status(), 201);
    let tokens = json(login(&app, email, PASSWORD).await).await;
    let rotated = json(refresh(&app, &str_of(&tokens, "refreshToken")).await).await;
    let latest = str_of(&rotated, "refreshToken");

    let pool = app.pool().await;
    let rows: Vec<(
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    )> = sqlx::query_as(
        "select created_at, expires_at, family_expires_at from refresh_tokens order by created_at",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_default();
    assert_eq!(rows.len(), 2);
    for (created, expires, family_ends) in &rows {
        // 2 days, not 30: the family's end caps each token.
        assert!(*expires <= *family_ends, "{expires} after {family_ends}");
        assert!(
            *family_ends - *created <= chrono::Duration::days(2) + chrono::Duration::seconds(5)
        );
    }
    assert_eq!(rows[0].2, rows[1].2, "a rotation moved the family's end");

    // Time passes: the family's end is reached while its newest token is unused.
    sqlx::query("update refresh_tokens set family_expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ended = refresh(&app, &latest).await;
    assert_eq!(ended.status(), 401);
}

#[tokio::test]
async fn the_same_email_in_any_letter_case_is_a_409() {
    let app = TestAppBuilder::new().local().spawn().await;
    assert_eq!(signup(&app, "Sam.Lee@Example.com").await.status(), 201);
    let duplicate = signup(&app, "sam.lee@EXAMPLE.COM").await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(json(duplicate).await["error"]["code"], "conflict");
    // Login is case-insensitive too.
    assert_eq!(
        login(&app, "SAM.LEE@example.com", PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestAppBuilder::new().local().spawn().await;
    assert_eq!(signup(&app, "kim@example.com").await.status(), 201);
    let wrong = login(&app, "kim@example.com", "not the password").await;
    let unknown = login(&app, "nobody@example.com", "not the password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (wrong, unknown) = (json(wrong).await, json(unknown).await);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn the_eleventh_login_attempt_from_one_address_in_a_minute_is_a_429() {
    let app = TestAppBuilder::new().local().spawn().await;
    for attempt in 1..=10 {
        let response = login(
            &app,
            &format!("nobody{attempt}@example.com"),
            "wrong password!",
        )
        .await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let limited = login(&app, "nobody11@example.com", "wrong password!").await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(json(limited).await["error"]["code"], "rate_limited");
}

async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Failed logins slow the guesser down — 5 free, then waits of 1 s, 2 s, 4 s … — without locking
/// the owner out: from another address the right password still works at once. (Before, the 11th
/// attempt in a minute was refused even with the right password, from anywhere.)
#[tokio::test]
async fn failed_logins_slow_the_guesser_but_not_the_owner() {
    let app = TestAppBuilder::new()
        .local()
        .var("MVP_SERVER__TRUST_PROXY_HEADERS", "true")
        .var("MVP_AUTH__RATE_LIMITS__LOGIN_PER_MINUTE", "100")
        .spawn()
        .await;
    assert_eq!(signup(&app, "lee@example.com").await.status(), 201);
    let guesser = "203.0.113.7";
    for attempt in 1..=6 {
        let response = login_from(&app, guesser, "lee@example.com", "wrong password!").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    // The 6th failure earned a 1 s wait: even the right password waits from that address.
    let waiting = login_from(&app, guesser, "lee@example.com", PASSWORD).await;
    assert_eq!(waiting.status(), 429);
    assert_eq!(retry_after(&waiting), 1);
    // The owner, elsewhere, signs in at once.
    let owner = login_from(&app, "198.51.100.20", "lee@example.com", PASSWORD).await;
    assert_eq!(owner.status(), 200);
    // The guesser's next failure after the wait doubles it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = login_from(&app, guesser, "lee@example.com", "wrong again!").await;
    assert_eq!(again.status(), 401);
    let longer = login_from(&app, guesser, "lee@example.com", "wrong again!").await;
    assert_eq!(longer.status(), 429);
    assert_eq!(retry_after(&longer), 2);
    // A client cannot choose its address: a forged X-Forwarded-For entry is skipped, the one the
    // trusted proxy (the loopback peer here) appended is used.
    let forged = login_from(
        &app,
        &format!("192.0.2.99, {guesser}"),
        "lee@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(forged.status(), 429);
}

/// argon2id takes 19 MiB a hash: with one at a time and nobody allowed to wait, a burst of logins
/// gets 503 with Retry-After for what does not fit — never a 500, never unbounded memory.
#[tokio::test]
async fn password_checks_past_the_bound_get_503_with_retry_after() {
    let app = TestAppBuilder::new()
        .local()
        .var("MVP_LIMITS__PASSWORD_HASHES", "1")
        .var("MVP_LIMITS__QUEUE", "0")
        .spawn()
        .await;
    // The first check makes the dummy hash for unknown accounts; the burst starts after it.
    assert_eq!(
        login(&app, "first@example.com", "not the password")
            .await
            .status(),
        401
    );
    let burst: Vec<_> = (0..8)
        .map(|i| {
            let client = app.client.clone();
            let url = app.url("/api/auth/login");
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"email": format!("burst{i}@example.com"), "password": "guess guess"}))
                    .send()
                    .await
            })
        })
        .collect();
    let (mut refused, mut checked) = (0, 0);
    for handle in burst {
        let response = handle
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        match response.status().as_u16() {
            401 => checked += 1,
            503 => {
                refused += 1;
                assert_eq!(
                    response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()),
                    Some("1")
                );
                assert_eq!(json(response).await["error"]["code"], "unavailable");
            }
            other => panic!("a login got {other}"),
        }
    }
    assert!(
        checked >= 1 && refused >= 1,
        "{checked} checked, {refused} refused"
    );
}

#[tokio::test]
async fn signup_without_terms_is_a_400_and_writes_nothing() {
    let app = TestAppBuilder::new().local().spawn().await;
    let response = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": "t@example.com", "password": PASSWORD, "acceptTerms": false}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(body["error"]["details"][0]["field"], "acceptTerms");
    // Missing altogether is the same.
    let missing = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": "t@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(missing.status(), 400);

    let pool = app.pool().await;
    for table in [
        "local_accounts",
        "terms_agreements",
        "user_profiles",
        "email_verification_tokens",
    ] {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
                .fetch_one(&pool)
                .await
                .unwrap_or(-1);
        assert_eq!(count, 0, "{table} has rows");
    }
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn password_rules_name_the_field() {
    let app = TestAppBuilder::new().local().spawn().await;
    for (email, password) in [
        ("a@example.com", "short"),
        ("b@example.com", "b@example.com"),
        // Long enough, but among the 10,000 most common passwords.
        ("c@example.com", "Qwertyuiop"),
    ] {
        let response = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": email, "password": password, "acceptTerms": true}),
            )
            .await;
        assert_eq!(response.status(), 400);
        assert_eq!(
            json(response).await["error"]["details"][0]["field"],
            "password"
        );
    }
}

#[tokio::test]
async fn an_expired_verification_token_is_a_400() {
    let app = TestAppBuilder::new().local().spawn().await;
    assert_eq!(signup(&app, "old@example.com").await.status(), 201);
    let token = verification_token(&app, "old@example.com").await;
    let pool = app.pool().await;
    sqlx::query("update email_verification_tokens set expires_at = now() - interval '1 minute'")
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let response = verify(&app, &token).await;
    assert_eq!(response.status(), 400);
    assert_eq!(json(response).await["error"]["code"], "validation_failed");
    assert_eq!(verify(&app, "made-up-token").await.status(), 400);
}

#[tokio::test]
async fn resend_sends_a_fresh_link_and_is_rate_limited() {
    let app = TestAppBuilder::new().local().spawn().await;
    assert_eq!(signup(&app, "re@example.com").await.status(), 201);
    let first = verification_token(&app, "re@example.com").await;
    let resent = app
        .post_json(
            "/api/auth/resend-verification",
            &json!({"email": "re@example.com"}),
        )
        .await;
    assert_eq!(resent.status(), 202);
    let second = verification_token(&app, "re@example.com").await;
    assert_ne!(first, second);
    // Unknown addresses get the same answer (no account probing), and no mail.
    let before = app.outbox().await.len();
    let unknown = app
        .post_json(
            "/api/auth/resend-verification",
            &json!({"email": "ghost@example.com"}),
        )
        .await;
    assert_eq!(unknown.status(), 202);
    assert_eq!(app.outbox().await.len(), before);
    for _ in 0..5 {
        let _ = app
            .post_json(
                "/api/auth/resend-verification",
                &json!({"email": "re@example.com"}),
            )
            .await;
    }
    let limited = app
        .post_json(
            "/api/auth/resend-verification",
            &json!({"email": "re@example.com"}),
        )
        .await;
    assert_eq!(limited.status(), 429);
    // Both links still verify (each once).
    assert_eq!(verify(&app, &second).await.status(), 200);
}

#[tokio::test]
async fn terms_acceptance_is_recorded_with_version_ip_and_user_agent() {
    let app = TestAppBuilder::new()
        .local()
        .var("MVP_SERVER__TRUST_PROXY_HEADERS", "true")
        .var("MVP_AUTH__TERMS_VERSION", "2026-03")
        .spawn()
        .await;
    let response = app
        .client
        .post(app.url("/api/auth/signup"))
        .header("x-forwarded-for", "203.0.113.7, 10.0.0.2")
        .header("user-agent", "MotoVaultPro-Test/1.0")
        .json(&json!({"email": "terms@example.com", "password": PASSWORD, "acceptTerms": true}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 201);
    let user_id = str_of(&json(response).await, "userId");
    let pool = app.pool().await;
    let (version, ip, agent): (String, Option<String>, Option<String>) = sqlx::query_as(
        "select terms_version, ip_address, user_agent from terms_agreements where user_id = $1",
    )
    .bind(&user_id)
    .fetch_one(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(version, "2026-03");
    assert_eq!(ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(agent.as_deref(), Some("MotoVaultPro-Test/1.0"));
}

#[tokio::test]
async fn local_and_oidc_tokens_reach_the_same_handler_but_not_each_others_server() {
    let local = TestAppBuilder::new().local().spawn().await;
    assert_eq!(signup(&local, "both@example.com").await.status(), 201);
    let tokens = json(login(&local, "both@example.com", PASSWORD).await).await;
    let local_token = str_of(&tokens, "accessToken");
    assert_eq!(
        local
            .get_as(&local_token, "/api/user/profile")
            .await
            .status(),
        200
    );

    let oidc = spawn_app().await;
    let oidc_token = oidc.token("auth0|both").await;
    let profile = oidc.get_as(&oidc_token, "/api/user/profile").await;
    assert_eq!(profile.status(), 200);
    assert_eq!(json(profile).await["id"], "auth0|both");

    let crossed = oidc.get_as(&local_token, "/api/user/profile").await;
    assert_eq!(crossed.status(), 401);
    let crossed = local.get_as(&oidc_token, "/api/user/profile").await;
    assert_eq!(crossed.status(), 401);
    // Local-only routes do not exist on an OIDC server.
    assert_eq!(
        login(&oidc, "both@example.com", PASSWORD).await.status(),
        404
    );
    assert_eq!(oidc.get("/api/auth/jwks.json").await.status(), 404);
    assert_eq!(local.get("/api/auth/jwks.json").await.status(), 200);
}

#[tokio::test]
async fn with_verification_required_an_unverified_user_is_held_at_the_door() {
    let app = TestAppBuilder::new()
        .local()
        .var("MVP_AUTH__REQUIRE_VERIFIED_EMAIL", "true")
        .spawn()
        .await;
    assert_eq!(signup(&app, "door@example.com").await.status(), 201);
    let tokens = json(login(&app, "door@example.com", PASSWORD).await).await;
    let access = str_of(&tokens, "accessToken");
    let refused = app.get_as(&access, "/api/user/profile").await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        app.get_as(&access, "/api/auth/user-status").await.status(),
        200
    );

    let token = verification_token(&app, "door@example.com").await;
    assert_eq!(verify(&app, &token).await.status(), 200);
    // A refreshed access token carries the verified claim.
    let renewed = json(refresh(&app, &str_of(&tokens, "refreshToken")).await).await;
    let access = str_of(&renewed, "accessToken");
    assert_eq!(app.get_as(&access, "/api/user/profile").await.status(), 200);
}

async fn auth0_app(fake: &FakeAuth0) -> TestApp {
    let mut builder = TestAppBuilder::new();
    for (key, value) in fake.vars() {
        builder = builder.var(key, value);
    }
    builder.spawn().await
}

#[tokio::test]
async fn auth0_signup_creates_the_user_with_the_right_requests() {
    let fake = FakeAuth0::start().await;
    let app = auth0_app(&fake).await;
    let response = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": "Ann@Example.com", "password": "Str0ng-enough-pass", "acceptTerms": true}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body = json(response).await;
    let user_id = str_of(&body, "userId");
    assert!(user_id.starts_with("auth0|"), "{user_id}");

    let requests = fake.requests();
    assert_eq!(requests[0].path, "/oauth/token");
    assert_eq!(requests[0].body["grant_type"], "client_credentials");
    assert_eq!(
        requests[0].body["audience"],
        format!("{}/api/v2/", fake.url())
    );
    let create = &requests[1];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/api/v2/users")
    );
    assert_eq!(
        create.authorization.as_deref(),
        Some("Bearer fake-management-token")
    );
    assert_eq!(
        create.body["connection"],
        "Username-Password-Authentication"
    );
    assert_eq!(create.body["email"], "Ann@Example.com");
    assert_eq!(create.body["password"], "Str0ng-enough-pass");
    assert_eq!(create.body["email_verified"], false);

    // Terms recorded under Auth0's user id; a token for that user sees it.
    let token = app.issuer.token(&user_id);
    let status = json(app.get_as(&token, "/api/auth/user-status").await).await;
    assert_eq!(status["termsAccepted"], true);

    // A second signup reuses the cached management token.
    let _ = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": "bo@example.com", "password": "Str0ng-enough-pass", "acceptTerms": true}),
        )
        .await;
    let token_requests = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count();
    assert_eq!(token_requests, 1);

    // Resend goes through users-by-email and a verification job.
    let resent = app
        .post_json(
            "/api/auth/resend-verification",
            &json!({"email": "ann@example.com"}),
        )
        .await;
    assert_eq!(resent.status(), 202);
    let paths: Vec<String> = fake.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.contains(&"/api/v2/users-by-email".to_owned()),
        "{paths:?}"
    );
    let job = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v2/jobs/verification-email")
        .unwrap_or_else(|| panic!("no job request: {paths:?}"));
    assert_eq!(job.body["user_id"], user_id.as_str());
}

#[tokio::test]
async fn auth0_conflict_weak_password_and_outage_map_to_clear_errors() {
    let fake = FakeAuth0::start().await;
    let app = auth0_app(&fake).await;
    let body =
        json!({"email": "dup@example.com", "password": "Str0ng-enough-pass", "acceptTerms": true});
    assert_eq!(app.post_json("/api/auth/signup", &body).await.status(), 201);
    let conflict = app.post_json("/api/auth/signup", &body).await;
    assert_eq!(conflict.status(), 409);
    let conflict = json(conflict).await;
    assert_eq!(conflict["error"]["code"], "conflict");
    assert!(!conflict.to_string().contains("auth0_idp_error"));

    let weak = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": "weak@example.com", "password": "onlyletters", "acceptTerms": true}),
        )
        .await;
    assert_eq!(weak.status(), 400);
    assert_eq!(json(weak).await["error"]["details"][0]["field"], "password");

    fake.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let down = app
        .post_json(
            "/api/auth/signup",
            &json!({"email": "late@example.com", "password": "Str0ng-enough-pass", "acceptTerms": true}),
        )
        .await;
    assert_eq!(down.status(), 502);
    let down = json(down).await;
    assert_eq!(down["error"]["code"], "bad_gateway");
    // Nothing was recorded for the failed signup.
    let pool = app.pool().await;
    let terms: i64 = sqlx::query_scalar("select count(*) from terms_agreements")
        .fetch_one(&pool)
        .await
        .unwrap_or(-1);
    assert_eq!(terms, 1);
}

/// The terms gate: a user who has not accepted the current terms version (an OIDC sign-up at the
/// identity provider, or anyone after the version changed) gets 403 on data routes, while status,
/// profile and accept-terms stay open; accepting opens the data routes at once.
#[tokio::test]
async fn data_routes_wait_for_the_current_terms() {
    let app = spawn_app().await;
    let newcomer = app.issuer.token("auth0|newcomer");
    let blocked = app.get_as(&newcomer, "/api/vehicles").await;
    assert_eq!(blocked.status(), 403);
    let body = json(blocked).await;
    assert_eq!(body["error"]["code"], "forbidden");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("accept-terms"),
        "{body}"
    );
    for path in ["/api/user/preferences", "/api/fuel-logs", "/api/documents"] {
        assert_eq!(app.get_as(&newcomer, path).await.status(), 403, "{path}");
    }
    let status = json(app.get_as(&newcomer, "/api/auth/user-status").await).await;
    assert_eq!(status["termsAccepted"], false);
    assert_eq!(
        app.get_as(&newcomer, "/api/user/profile").await.status(),
        200
    );
    let config = json(app.get("/api/config").await).await;
    let version = config["termsVersion"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!version.is_empty(), "{config}");

    let wrong = app
        .post_json_as(
            &newcomer,
            "/api/auth/accept-terms",
            &json!({"version": "1999-01"}),
        )
        .await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(json(wrong).await["error"]["details"][0]["field"], "version");
    assert_eq!(app.get_as(&newcomer, "/api/vehicles").await.status(), 403);

    let accepted = app
        .post_json_as(
            &newcomer,
            "/api/auth/accept-terms",
            &json!({"version": version}),
        )
        .await;
    assert_eq!(accepted.status(), 204);
    assert_eq!(app.get_as(&newcomer, "/api/vehicles").await.status(), 200);
    let status = json(app.get_as(&newcomer, "/api/auth/user-status").await).await;
    assert_eq!(status["termsAccepted"], true);
    // Accepting twice is harmless and records one acceptance.
    let again = app
        .post_json_as(
            &newcomer,
            "/api/auth/accept-terms",
            &json!({"version": version}),
        )
        .await;
    assert_eq!(again.status(), 204);
    let rows: i64 = sqlx::query_scalar(
        "select count(*) from terms_agreements where user_id = 'auth0|newcomer'",
    )
    .fetch_one(&app.pool().await)
    .await
    .unwrap_or(0);
    assert_eq!(rows, 1);

    // Someone who accepted an older version only is held too.
    sqlx::query(
        "insert into terms_agreements (id, user_id, terms_version, accepted_at)
         values (gen_random_uuid(), 'auth0|veteran', '2025-01', now())",
    )
    .execute(&app.pool().await)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let veteran = app.issuer.token("auth0|veteran");
    assert_eq!(app.get_as(&veteran, "/api/vehicles").await.status(), 403);
    // No token at all is still a 401, not a 403.
    assert_eq!(app.get("/api/vehicles").await.status(), 401);
}

/// Sixteen simultaneous accept-terms requests for one user (a double-click, a retrying client) all
/// answer 204 and leave exactly one acceptance row: the database's unique index decides, not a
/// check-then-insert that two requests can both pass.
#[tokio::test]
async fn simultaneous_accepts_record_one_acceptance() {
    let app = spawn_app().await;
    let token = app.issuer.token("auth0|eager");
    let config = json(app.get("/api/config").await).await;
    let version = config["termsVersion"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let body = json!({"version": version});
    let answers = futures_util::future::join_all(
        (0..16).map(|_| app.post_json_as(&token, "/api/auth/accept-terms", &body)),
    )
    .await;
    for answer in answers {
        assert_eq!(answer.status(), 204);
    }
    let rows: i64 = sqlx::query_scalar(
        "select count(*) from terms_agreements where user_id = 'auth0|eager' and deleted_at is null",
    )
    .fetch_one(&app.pool().await)
    .await
    .unwrap_or(0);
    assert_eq!(rows, 1);
}
