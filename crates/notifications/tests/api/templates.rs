//! E-mail templates (admin): non-admins get 403; an unknown variable or a template that does not
//! render is a 400 naming the field and changes nothing; a valid change is used by the next mail;
//! the preview renders sample data, HTML-escaped; a change is in the admin audit log.

use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn admins_edit_and_preview_templates_with_checks() {
    let app = spawn_app().await;
    let admin = app
        .token_with_email("auth0|tpl-admin", "admin@example.com", true)
        .await;
    mvp_core::admin::grant(&app.pool().await, "auth0|tpl-admin", "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let user = app.token("auth0|tpl-user").await;

    assert_eq!(
        app.get_as(&user, "/api/admin/email-templates")
            .await
            .status(),
        403
    );
    let list = json(app.get_as(&admin, "/api/admin/email-templates").await).await;
    let keys: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["key"].as_str()).collect())
        .unwrap_or_default();
    for key in [
        "document_expired",
        "document_expiring",
        "maintenance_due_soon",
        "maintenance_overdue",
        "password_reset",
        "verify_email",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert_eq!(
        app.get_as(&admin, "/api/admin/email-templates/nope")
            .await
            .status(),
        404
    );
    let original = json(
        app.get_as(&admin, "/api/admin/email-templates/maintenance_due_soon")
            .await,
    )
    .await;

    for (field, body, says) in [
        (
            "textBody",
            json!({"textBody": "{{ vehicle }} {{ password }}"}),
            "password",
        ),
        ("subject", json!({"subject": "{% if %}"}), "syntax"),
        (
            "htmlBody",
            json!({"htmlBody": "{{ vehicle | nosuchfilter }}"}),
            "filter",
        ),
        ("subject", json!({"subject": "  "}), "empty"),
    ] {
        let response = app
            .put_json_as(
                &admin,
                "/api/admin/email-templates/maintenance_due_soon",
                &body,
            )
            .await;
        assert_eq!(response.status(), 400, "{body}");
        let error = json(response).await;
        assert_eq!(error["error"]["details"][0]["field"], field, "{error}");
        assert!(
            error["error"]["details"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(says)),
            "{error}"
        );
    }
    let unchanged = json(
        app.get_as(&admin, "/api/admin/email-templates/maintenance_due_soon")
            .await,
    )
    .await;
    assert_eq!(unchanged, original);

    let preview = app
        .post_json_as(
            &admin,
            "/api/admin/email-templates/maintenance_due_soon/preview",
            &json!({"htmlBody": "<p>{{ vehicle }} & {{ service }}</p>", "subject": "Soon:\r\n{{ service }}"}),
        )
        .await;
    assert_eq!(preview.status(), 200);
    let preview = json(preview).await;
    assert_eq!(preview["subject"], "Soon: Engine Oil, Oil Filter");
    assert_eq!(
        preview["htmlBody"],
        "<p>2019 Honda Civic & Engine Oil, Oil Filter</p>"
    );

    let saved = app
        .put_json_as(
            &admin,
            "/api/admin/email-templates/maintenance_due_soon",
            &json!({"subject": "Heads up: {{ service }} for {{ vehicle }}"}),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let saved = json(saved).await;
    assert_eq!(
        saved["subject"],
        "Heads up: {{ service }} for {{ vehicle }}"
    );
    assert_eq!(saved["textBody"], original["textBody"]);
    // The change is in the admin audit log with the template before and after; the refused
    // attempts above wrote nothing.
    let audit = json(
        app.get_as(&admin, "/api/admin/audit-logs?action=email_template")
            .await,
    )
    .await;
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    assert_eq!(audit[0]["action"], "email_template.update");
    assert_eq!(audit[0]["targetId"], "maintenance_due_soon");
    assert_eq!(audit[0]["before"]["subject"], original["subject"]);
    assert_eq!(
        audit[0]["after"]["subject"],
        "Heads up: {{ service }} for {{ vehicle }}"
    );
    let stored = app
        .client
        .post(app.url("/api/admin/email-templates/maintenance_due_soon/preview"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json(stored).await["subject"],
        "Heads up: Engine Oil, Oil Filter for 2019 Honda Civic"
    );
}
