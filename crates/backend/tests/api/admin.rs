//! The admin guard, generated from the OpenAPI document the app serves: every operation of every
//! `/api/admin/*` path is tried without a token (401), as a signed-in user who is not an admin (403)
//! and as an admin (neither, and never a 500). A route added later without `AdminUser` fails here
//! as soon as it is in the document.

use mvp_test_support::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{assert_error, json};

/// A value for each path parameter an admin path has: something of the right form that names
/// nothing, so the admin's request is a harmless 404 (or a 400 for the body).
fn fill(template: &str) -> String {
    template
        .replace("{userId}", "auth0%7Cnobody")
        .replace("{kind}", "makes")
        .replace("{key}", "no-such-template")
        .replace(
            "{id}",
            if template.contains("/stations/") {
                "00000000-0000-0000-0000-000000000000"
            } else {
                "999999"
            },
        )
}

async fn send(
    app: &mvp_test_support::TestApp,
    method: &Method,
    path: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        request = request.json(&json!({}));
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

#[tokio::test]
async fn every_admin_operation_is_401_without_a_token_403_for_a_user_and_open_to_an_admin() {
    let app = spawn_app().await;
    let user = app.token("auth0|plain").await;
    mvp_core::admin::grant(&app.state.db, "auth0|boss", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = app.token("auth0|boss").await;
    let doc = json(app.get("/api/openapi.json").await).await;
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();

    let mut tried = Vec::new();
    for (template, item) in paths.iter().filter(|(p, _)| p.starts_with("/api/admin/")) {
        let path = fill(template);
        assert!(
            !path.contains('{'),
            "{template}: a path parameter this test cannot fill"
        );
        let methods = item.as_object().cloned().unwrap_or_default();
        for method in methods
            .keys()
            .filter(|m| !matches!(m.as_str(), "parameters" | "summary" | "description"))
        {
            let method = Method::from_bytes(method.to_uppercase().as_bytes())
                .unwrap_or_else(|e| panic!("{method}: {e}"));
            assert_error(send(&app, &method, &path, None).await, 401, "unauthorized").await;
            let as_user = send(&app, &method, &path, Some(&user)).await;
            assert_eq!(as_user.status(), 403, "{method} {template} as a user");
            let body: Value = json(as_user).await;
            assert_eq!(
                body["error"]["code"], "forbidden",
                "{method} {template}: {body}"
            );
            let as_admin = send(&app, &method, &path, Some(&admin)).await;
            let status = as_admin.status().as_u16();
            let text = as_admin.text().await.unwrap_or_default();
            assert!(
                !matches!(status, 401 | 403) && status < 500,
                "{method} {template} as an admin: {status} {text}"
            );
            tried.push(format!("{method} {template}"));
        }
    }
    // Users, grant, revoke, the audit log, catalog (options ×3, entries ×2, import), stations (2)
    // and the e-mail templates (4): 16 at least.
    assert!(
        tried.len() >= 16,
        "only {} admin operations: {tried:?}",
        tried.len()
    );
}
