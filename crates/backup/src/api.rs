//! `/api/admin/backups*` (API.md "Backups"): the list, "back up now" (202, built in the
//! background, one backup or restore at a time), the archive's download, deletion, upload, the
//! schedule settings and restore; every write audited.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mvp_admin::audit::{self, Actor, Change};
use mvp_core::{AdminUser, AppError, AppJson, AppResult, AppState, ClientInfo};
use mvp_types::admin::{Backup, BackupSettings, RestoreReport, RestoreStatus};
use uuid::Uuid;

use crate::repo::{self, BackupRow};
use crate::{BUSY, Kind, RestoreError, UploadError, schedule, settings};

const NOT_FOUND: AppError = AppError::NotFound("backup");

fn dto(r: BackupRow) -> Backup {
    Backup {
        id: r.id,
        kind: r.kind,
        status: r.status,
        size_bytes: r.size_bytes,
        sha256: r.sha256,
        created_at: r.created_at,
        finished_at: r.finished_at,
        error: r.error,
        schedules: r.schedules,
    }
}

fn backup_id(raw: &str) -> AppResult<Uuid> {
    raw.trim().parse().map_err(|_| NOT_FOUND)
}

async fn audited(state: &AppState, actor: &Actor, change: Change) -> AppResult<()> {
    let mut conn = state.db.acquire().await?;
    audit::record(&mut conn, actor, change).await
}

/// Every backup, newest first.
#[utoipa::path(get, path = "/api/admin/backups", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = [Backup]), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<Vec<Backup>>> {
    Ok(Json(
        crate::list(&state.db).await?.into_iter().map(dto).collect(),
    ))
}

/// Backs up now: 202 with the `running` backup, which becomes `ready` (or `failed`, with the
/// reason) when the archive is stored; 409 while another is running.
#[utoipa::path(post, path = "/api/admin/backups", tag = "admin", security(("bearer" = [])),
    responses((status = 202, body = Backup), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody), (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
) -> AppResult<Response> {
    let Some((held, row)) = crate::begin(&state.db, Kind::Manual)
        .await
        .map_err(AppError::Internal)?
    else {
        return Err(AppError::Conflict(BUSY.to_owned()));
    };
    let backup = dto(row.clone());
    audited(
        &state,
        &Actor::new(&admin, &client),
        Change::new("backup.create", "backup", row.id).after(&backup),
    )
    .await?;
    let (pool, storage, id) = (state.db.clone(), state.storage.clone(), row.id);
    tokio::spawn(async move {
        // `complete` records a failure on the row and logs it.
        let _ = crate::complete(&pool, &storage, id).await;
        held.release().await;
    });
    Ok((StatusCode::ACCEPTED, Json(backup)).into_response())
}

/// The archive (`.tar.gz`), streamed.
#[utoipa::path(get, path = "/api/admin/backups/{id}/download", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/gzip", description = "The archive"),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody), (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn download(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let id = backup_id(&raw)?;
    let row = repo::find(&state.db, id).await?.ok_or(NOT_FOUND)?;
    if row.status != "ready" {
        return Err(AppError::Conflict(format!("the backup is {}", row.status)));
    }
    let object = state.storage.get_stream(&row.storage_key, None).await?;
    let name = format!(
        "attachment; filename=\"motovaultpro-backup-{}.tar.gz\"",
        row.created_at.format("%Y%m%d-%H%M%S")
    );
    let mut response = Body::from_stream(object.stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/gzip"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(object.size));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Deletes a backup and its archive (not while it is being made: 409).
#[utoipa::path(delete, path = "/api/admin/backups/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody),
              (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path(raw): Path<String>,
) -> AppResult<StatusCode> {
    let id = backup_id(&raw)?;
    let Some(row) = crate::remove(&state.db, &state.storage, id)
        .await
        .map_err(AppError::Internal)?
    else {
        return match repo::find(&state.db, id).await? {
            Some(_) => Err(AppError::Conflict(
                "the backup is being made; delete it when it has finished".to_owned(),
            )),
            None => Err(NOT_FOUND),
        };
    };
    audited(
        &state,
        &Actor::new(&admin, &client),
        Change::new("backup.delete", "backup", id).before(&dto(row)),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn restore_dto(r: repo::RestoreRow) -> RestoreStatus {
    RestoreStatus {
        id: r.id,
        backup_id: r.backup_id,
        status: r.status,
        stage: r.stage,
        report: r.report.and_then(|v| serde_json::from_value(v).ok()),
        error: r.error,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }
}

/// Puts the instance back as the backup holds it: every table and stored file. The archive is
/// fetched and checked first (a damaged or altered one, or one of another schema, is a 400 and
/// changes nothing); then 202, and the restore runs in the background while every replica answers
/// other writes with 503. `GET /api/admin/backups/restore` follows it.
#[utoipa::path(post, path = "/api/admin/backups/{id}/restore", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 202, body = RestoreStatus), (status = 400, body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody), (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn restore(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let id = backup_id(&raw)?;
    let prepared = match crate::restore::prepare(&state.db, &state.storage, id).await {
        Ok(prepared) => prepared,
        Err(RestoreError::NotFound) => return Err(NOT_FOUND),
        Err(e @ (RestoreError::NotReady(_) | RestoreError::Busy)) => {
            return Err(AppError::Conflict(e.to_string()));
        }
        Err(RestoreError::Failed(e)) => return Err(AppError::Internal(e)),
        Err(e) => return Err(AppError::validation("id", e.to_string())),
    };
    let run = repo::insert_restore(&state.db, Uuid::now_v7(), id).await?;
    let started = restore_dto(run.clone());
    // This process refuses other writes at once; the others when they see the maintenance lock.
    let maintenance = state.maintenance.enter();
    let actor = Actor::new(&admin, &client);
    let (pool, storage) = (state.db.clone(), state.storage.clone());
    let state = state.clone();
    tokio::spawn(async move {
        let progress = |stage: crate::restore::Stage| {
            let pool = pool.clone();
            async move {
                let _ = repo::restore_stage(&pool, run.id, stage.as_str()).await;
            }
        };
        let outcome = prepared.run(&pool, &storage, progress).await;
        // This process's near copies (preferences, vehicle ownership, the catalog …) describe what
        // the restore replaced: all of them go (other replicas' expire within seconds).
        state.cache.forget_near("");
        // Every user's kept reads, here and on the other replicas.
        state
            .reads
            .announce(&pool, &mvp_core::reads::Changed::Everyone)
            .await;
        drop(maintenance);
        match outcome {
            Ok(done) => {
                let report = RestoreReport {
                    tables: done.tables,
                    rows: done.rows,
                    files: done.files,
                    files_removed: done.files_removed,
                };
                let value = serde_json::to_value(&report).unwrap_or_default();
                let _ = repo::finish_restore(&pool, run.id, Ok(value)).await;
                // Written after the restore, so the restored audit log ends with it.
                if let Ok(mut conn) = pool.acquire().await {
                    let change = Change::new("backup.restore", "backup", id).after(&report);
                    let _ = audit::record(&mut conn, &actor, change).await;
                }
            }
            Err(err) => {
                let reason = err.to_string();
                tracing::error!(backup_id = %id, error = %reason, "restore failed");
                let _ = repo::finish_restore(&pool, run.id, Err(&reason)).await;
            }
        }
    });
    Ok((StatusCode::ACCEPTED, Json(started)).into_response())
}

/// The newest restore: where it is while it runs, what it did or why it failed after.
#[utoipa::path(get, path = "/api/admin/backups/restore", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = RestoreStatus), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody, description = "No restore yet")))]
#[tracing::instrument(skip_all)]
pub async fn restore_status(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<RestoreStatus>> {
    repo::latest_restore(&state.db)
        .await?
        .map(|r| Json(restore_dto(r)))
        .ok_or(AppError::NotFound("restore"))
}

/// Accepts an archive taken elsewhere (multipart `file`, at most `backup.max_upload_bytes`): 201
/// with the `uploaded` backup once its seal and every member are verified; a damaged, foreign or
/// newer one is a 400 and nothing is kept.
#[utoipa::path(post, path = "/api/admin/backups/upload", tag = "admin", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "field `file`: a MotoVaultPro backup archive (.tar.gz)"),
    responses((status = 201, body = Backup), (status = 400, body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody),
              (status = 413, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn upload(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    multipart: Multipart,
) -> AppResult<Response> {
    let limit = state.config.backup.max_upload_bytes;
    let received = crate::upload::receive(multipart, state.storage.staging_dir(), limit).await?;
    let row = match crate::upload(&state.db, &state.storage, &received.path).await {
        Ok(row) => row,
        Err(UploadError::Failed(e)) => return Err(AppError::Internal(e)),
        Err(e) => return Err(AppError::validation("file", e.to_string())),
    };
    drop(received);
    let backup = dto(row);
    audited(
        &state,
        &Actor::new(&admin, &client),
        Change::new("backup.upload", "backup", backup.id).after(&backup),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(backup)).into_response())
}

async fn settings_dto(state: &AppState, row: &repo::SettingsRow) -> AppResult<BackupSettings> {
    let made: Vec<schedule::Made> = repo::scheduled(&state.db)
        .await?
        .iter()
        .filter_map(settings::made)
        .collect();
    let next = settings::of_row(row).next_run(chrono::Utc::now(), &made);
    Ok(settings::dto(row, next))
}

/// The schedules and retention, with when the next scheduled backup is due.
#[utoipa::path(get, path = "/api/admin/backups/settings", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = BackupSettings), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_settings(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<BackupSettings>> {
    let row = repo::settings(&state.db).await?;
    Ok(Json(settings_dto(&state, &row).await?))
}

/// Replaces the schedules and retention (`nextRunAt` is ignored). Slots already past when the
/// settings change are not owed a backup; retention applies at the scheduler's next pass.
#[utoipa::path(put, path = "/api/admin/backups/settings", tag = "admin", security(("bearer" = [])),
    request_body = BackupSettings,
    responses((status = 200, body = BackupSettings), (status = 400, body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn put_settings(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    AppJson(body): AppJson<BackupSettings>,
) -> AppResult<Json<BackupSettings>> {
    let wanted = settings::parse(&body)?;
    let mut tx = state.db.begin().await?;
    let before = settings::dto(&repo::settings(&state.db).await?, None);
    let stored = repo::put_settings(&mut tx, &wanted).await?;
    let after = settings::dto(&stored, None);
    audit::record(
        &mut tx,
        &Actor::new(&admin, &client),
        Change::new("backup.settings", "backup_settings", "settings")
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(settings_dto(&state, &stored).await?))
}
