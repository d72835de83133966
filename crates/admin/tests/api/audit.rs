//! The audit log: one row per admin write with the target before and after, filters, and a table
//! the application's own database role cannot change or empty.

use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::json;

use crate::{BOSS, admin_token, audit_rows};

#[tokio::test]
async fn the_audit_log_refuses_update_delete_and_truncate_from_the_apps_role() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let granted = app
        .post_json_as(&boss, "/api/admin/admins", &json!({"userId": "auth0|gail"}))
        .await;
    assert_eq!(granted.status(), 201);
    let before = audit_rows(&app, &boss, "").await;
    assert_eq!(before.len(), 1);

    // The pool the app itself runs with: its role, its database.
    let db = &app.state.db;
    for statement in [
        "update admin_audit_logs set action = 'admin.nothing'",
        "delete from admin_audit_logs",
        "truncate admin_audit_logs",
    ] {
        let err = sqlx::query(statement)
            .execute(db)
            .await
            .err()
            .unwrap_or_else(|| panic!("{statement} was allowed"));
        let code = err
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned())
            .unwrap_or_default();
        assert_eq!(code, "42501", "{statement}: {err}");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    assert_eq!(audit_rows(&app, &boss, "").await, before, "a row changed");
}

#[tokio::test]
async fn the_log_filters_by_action_family_actor_and_time() {
    let app = spawn_app().await;
    let boss = admin_token(&app, BOSS).await;
    let helen = admin_token(&app, "auth0|helen").await;
    for user in ["auth0|ivan", "auth0|judy"] {
        let r = app
            .post_json_as(&boss, "/api/admin/admins", &json!({"userId": user}))
            .await;
        assert_eq!(r.status(), 201);
    }
    let option = app
        .post_json_as(
            &helen,
            "/api/admin/catalog/options",
            &json!({"year": 2024, "make": "Aptera", "model": "Launch Edition", "trim": "Standard",
                    "engine": "Electric (Triple Motor)", "transmission": "1-Speed Direct Drive"}),
        )
        .await;
    assert_eq!(option.status(), 201);

    let all = app.get_as(&boss, "/api/admin/audit-logs?limit=2").await;
    assert_eq!(all.headers()["x-total-count"], "3");
    assert_eq!(json(all).await.as_array().map(Vec::len), Some(2));
    let grants = audit_rows(&app, &boss, "?action=admin.grant").await;
    assert_eq!(grants.len(), 2);
    let catalog = audit_rows(&app, &boss, "?action=catalog").await;
    assert_eq!(catalog.len(), 1);
    assert_eq!(catalog[0]["action"], "catalog.option.create");
    assert_eq!(catalog[0]["after"]["make"], "Aptera");
    assert_eq!(catalog[0]["before"], serde_json::Value::Null);
    // "catalog" is a family; "catalo" is not.
    assert!(audit_rows(&app, &boss, "?action=catalo").await.is_empty());
    let by_helen = audit_rows(&app, &boss, "?actor=auth0%7Chelen").await;
    assert_eq!(by_helen.len(), 1);
    assert!(
        audit_rows(&app, &boss, "?since=2999-01-01T00:00:00Z")
            .await
            .is_empty()
    );
    assert_eq!(
        audit_rows(&app, &boss, "?until=2999-01-01T00:00:00Z")
            .await
            .len(),
        3
    );

    let bad = app
        .get_as(&boss, "/api/admin/audit-logs?since=yesterday&limit=0")
        .await;
    assert_eq!(bad.status(), 400);
    let error = json(bad).await;
    assert_eq!(error["error"]["code"], "validation_failed");
    let fields: Vec<&str> = error["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"limit") || fields.contains(&"since"),
        "{error}"
    );
}
