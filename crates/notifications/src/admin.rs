//! Admin routes over the e-mail templates: list, read, change (checked: only the key's variables,
//! and it must render with sample data; audited in the admin capsule's log) and preview.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use mvp_admin::audit::{self, Actor, Change};
use mvp_core::{AdminUser, AppError, AppJson, AppResult, AppState, ClientInfo};
use mvp_types::notification::{EmailPreview, EmailTemplate, UpdateEmailTemplate};

use crate::repo::{self, TemplateRow};
use crate::templates::{self, Parts};

fn to_dto(row: TemplateRow) -> EmailTemplate {
    EmailTemplate {
        key: row.key,
        subject: row.subject,
        text_body: row.text_body,
        html_body: row.html_body,
        variables: row.variables,
        updated_at: row.updated_at,
    }
}

async fn stored(state: &AppState, key: &str) -> AppResult<TemplateRow> {
    repo::template(&state.db, key)
        .await?
        .ok_or(AppError::NotFound("email template"))
}

/// The changed parts over the stored ones, checked.
fn edited(state: &AppState, row: &TemplateRow, body: UpdateEmailTemplate) -> AppResult<Parts> {
    let parts = Parts {
        subject: body.subject.unwrap_or_else(|| row.subject.clone()),
        text_body: body.text_body.unwrap_or_else(|| row.text_body.clone()),
        html_body: body.html_body.unwrap_or_else(|| row.html_body.clone()),
    };
    let sample = templates::sample_vars(&state.config.server.public_url);
    let problems = templates::check(&parts, &row.variables, &sample);
    if problems.is_empty() {
        Ok(parts)
    } else {
        Err(AppError::validation_many(problems))
    }
}

/// Every e-mail template.
#[utoipa::path(get, path = "/api/admin/email-templates", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = [EmailTemplate]), (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<Vec<EmailTemplate>>> {
    Ok(Json(
        repo::templates(&state.db)
            .await?
            .into_iter()
            .map(to_dto)
            .collect(),
    ))
}

/// One e-mail template.
#[utoipa::path(get, path = "/api/admin/email-templates/{key}", tag = "admin", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses((status = 200, body = EmailTemplate), (status = 403, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(key): Path<String>,
) -> AppResult<Json<EmailTemplate>> {
    Ok(Json(to_dto(stored(&state, &key).await?)))
}

/// Changes a template. It may use only its own variables and must render with sample data.
#[utoipa::path(put, path = "/api/admin/email-templates/{key}", tag = "admin", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = UpdateEmailTemplate,
    responses((status = 200, body = EmailTemplate), (status = 400, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path(key): Path<String>,
    AppJson(body): AppJson<UpdateEmailTemplate>,
) -> AppResult<Json<EmailTemplate>> {
    let row = stored(&state, &key).await?;
    let parts = edited(&state, &row, body)?;
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let saved = repo::save_template(&mut tx, &key, &parts, admin.0.user_id.as_str())
        .await?
        .ok_or(AppError::NotFound("email template"))?;
    let (before, after) = (to_dto(row), to_dto(saved));
    audit::record(
        &mut tx,
        &actor,
        Change::new("email_template.update", "email_template", &key)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(template = %key, "e-mail template changed");
    Ok(Json(after))
}

/// The template rendered with sample data: the stored one, or the unsaved changes in the body.
#[utoipa::path(post, path = "/api/admin/email-templates/{key}/preview", tag = "admin", security(("bearer" = [])),
    params(("key" = String, Path)), request_body(content = Option<UpdateEmailTemplate>),
    responses((status = 200, body = EmailPreview), (status = 400, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn preview(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(key): Path<String>,
    body: Bytes,
) -> AppResult<Json<EmailPreview>> {
    let row = stored(&state, &key).await?;
    // No body, or `null`: the stored template as it is.
    let changes: UpdateEmailTemplate = if body.iter().all(u8::is_ascii_whitespace) {
        UpdateEmailTemplate::default()
    } else {
        mvp_core::extract::parse_json::<Option<UpdateEmailTemplate>>(&body)?.unwrap_or_default()
    };
    let parts = edited(&state, &row, changes)?;
    let sample = templates::sample_vars(&state.config.server.public_url);
    let rendered = templates::render(&parts, &sample)
        .map_err(|(field, message)| AppError::validation(field, message))?;
    Ok(Json(EmailPreview {
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
    }))
}
