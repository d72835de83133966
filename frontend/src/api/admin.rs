//! The admin area's calls (`/api/admin/*`), typed with mvp-types' admin DTOs.

use mvp_types::admin::{
    AdminGrant, AdminUserSummary, AuditLog, Backup, BackupSettings, CatalogEntry,
    CatalogImportReport, CatalogKind, CatalogOption, GrantAdmin, ModerateStation, NewCatalogOption,
    RenameCatalogEntry, RestoreStatus,
};
use mvp_types::ids::CommunityStationId;
use mvp_types::notification::{EmailPreview, EmailTemplate, UpdateEmailTemplate};
use mvp_types::station::{CommunityStation, CommunityStatus};

use super::{delete, enc, get, get_counted, json, post, put, send, ApiResult, Body};

pub const PAGE: i64 = 25;

pub async fn users(query: &str, offset: i64) -> ApiResult<(Vec<AdminUserSummary>, i64)> {
    get_counted(&format!(
        "/api/admin/users?query={}&limit={PAGE}&offset={offset}",
        enc(query)
    ))
    .await
}

pub async fn grant(user_id: &str) -> ApiResult<AdminGrant> {
    post(
        "/api/admin/admins",
        &GrantAdmin {
            user_id: user_id.to_owned(),
        },
    )
    .await
}

pub async fn revoke(user_id: &str) -> ApiResult<()> {
    delete(&format!("/api/admin/admins/{}", enc(user_id))).await
}

/// Audit filters: an action (or family), an actor, and a page.
pub async fn audit_logs(action: &str, actor: &str, offset: i64) -> ApiResult<(Vec<AuditLog>, i64)> {
    get_counted(&format!(
        "/api/admin/audit-logs?action={}&actor={}&limit={PAGE}&offset={offset}",
        enc(action),
        enc(actor)
    ))
    .await
}

pub async fn catalog_options(year: i32, make: &str, model: &str) -> ApiResult<Vec<CatalogOption>> {
    get(&format!(
        "/api/admin/catalog/options?year={year}&make={}&model={}",
        enc(make),
        enc(model)
    ))
    .await
}

pub async fn add_option(body: &NewCatalogOption) -> ApiResult<CatalogOption> {
    post("/api/admin/catalog/options", body).await
}

pub async fn delete_option(id: i64) -> ApiResult<()> {
    delete(&format!("/api/admin/catalog/options/{id}")).await
}

pub async fn rename_entry(kind: CatalogKind, id: i32, name: &str) -> ApiResult<CatalogEntry> {
    put(
        &format!("/api/admin/catalog/{}/{id}", kind.plural()),
        &RenameCatalogEntry {
            name: name.to_owned(),
        },
    )
    .await
}

pub async fn delete_entry(kind: CatalogKind, id: i32) -> ApiResult<()> {
    delete(&format!("/api/admin/catalog/{}/{id}", kind.plural())).await
}

pub async fn import_catalog(csv: String, dry_run: bool) -> ApiResult<CatalogImportReport> {
    json(
        send(
            "POST",
            &format!("/api/admin/catalog/import?dryRun={dry_run}"),
            Body::Text(csv, "text/csv"),
        )
        .await?,
    )
    .await
}

pub async fn pending_stations() -> ApiResult<(Vec<CommunityStation>, i64)> {
    get_counted("/api/admin/stations/community?status=pending&limit=100").await
}

pub async fn moderate_station(
    id: CommunityStationId,
    status: CommunityStatus,
    reason: Option<String>,
) -> ApiResult<CommunityStation> {
    json(
        send(
            "PATCH",
            &format!("/api/admin/stations/community/{id}"),
            Body::json(&ModerateStation { status, reason }),
        )
        .await?,
    )
    .await
}

pub async fn email_templates() -> ApiResult<Vec<EmailTemplate>> {
    get("/api/admin/email-templates").await
}

pub async fn save_email_template(
    key: &str,
    body: &UpdateEmailTemplate,
) -> ApiResult<EmailTemplate> {
    put(&format!("/api/admin/email-templates/{}", enc(key)), body).await
}

pub async fn preview_email_template(
    key: &str,
    body: &UpdateEmailTemplate,
) -> ApiResult<EmailPreview> {
    post(
        &format!("/api/admin/email-templates/{}/preview", enc(key)),
        body,
    )
    .await
}

pub async fn backups() -> ApiResult<Vec<Backup>> {
    get("/api/admin/backups").await
}

/// Starts a backup (202: it is `running` until the archive is stored).
pub async fn back_up_now() -> ApiResult<Backup> {
    json(send("POST", "/api/admin/backups", Body::None).await?).await
}

pub async fn delete_backup(id: uuid::Uuid) -> ApiResult<()> {
    delete(&format!("/api/admin/backups/{id}")).await
}

/// Starts a restore (202: the archive has been checked; the restore runs on the server).
pub async fn restore_backup(id: uuid::Uuid) -> ApiResult<RestoreStatus> {
    json(
        send(
            "POST",
            &format!("/api/admin/backups/{id}/restore"),
            Body::None,
        )
        .await?,
    )
    .await
}

pub async fn backup_settings() -> ApiResult<BackupSettings> {
    get("/api/admin/backups/settings").await
}

pub async fn save_backup_settings(body: &BackupSettings) -> ApiResult<BackupSettings> {
    put("/api/admin/backups/settings", body).await
}

/// Uploads an archive taken elsewhere (verified by the server before it is kept), reporting the
/// share sent (0–1).
pub async fn upload_backup(
    file: &web_sys::File,
    on_progress: impl Fn(f64) + 'static,
) -> ApiResult<Backup> {
    let form = web_sys::FormData::new()
        .map_err(|_| super::ApiError::network("cannot build the upload"))?;
    let _ = form.append_with_blob_and_filename("file", file, &file.name());
    super::upload::post("/api/admin/backups/upload", form, on_progress).await
}

/// The newest restore: where it is, or how it ended.
pub async fn restore_status() -> ApiResult<RestoreStatus> {
    get("/api/admin/backups/restore").await
}

/// The archive as an object URL (revoke it when done).
pub async fn backup_url(id: uuid::Uuid) -> ApiResult<String> {
    super::object_url(&format!("/api/admin/backups/{id}/download")).await
}
