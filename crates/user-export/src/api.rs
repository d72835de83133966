//! Handlers of `/api/user/export`, `/api/user/import` and `/api/user/account`.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mvp_core::extract::{field_bytes, multipart_error, next_chunk, path_id};
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use mvp_types::export::{DeleteAccountRequest, ImportReport};
use serde::Deserialize;

use crate::import::Format;
use crate::ingest::{self, Request};

/// The largest CSV file an import takes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The format name of this app's own export archive.
pub const ARCHIVE_FORMAT: &str = "motovaultpro";

/// The largest export archive an import takes: the document quota and room for everything else.
pub fn max_archive_bytes(state: &AppState) -> u64 {
    state
        .config
        .documents
        .quota_bytes
        .saturating_add(ARCHIVE_SLACK)
}
/// An archive's room besides documents: photos and records.
pub const ARCHIVE_SLACK: u64 = 256 * 1024 * 1024;

fn too_large() -> AppError {
    AppError::PayloadTooLarge(format!(
        "an import file may be at most {} MiB",
        MAX_FILE_BYTES / (1024 * 1024)
    ))
}

/// Everything the user has, as a gzip-compressed tar (see API.md).
#[utoipa::path(get, path = "/api/user/export", tag = "user", security(("bearer" = [])),
    responses((status = 200, description = "A tar.gz: manifest.json, a JSON and a CSV file per kind of record, documents/ and images/",
               content_type = "application/gzip")))]
#[tracing::instrument(skip_all)]
pub async fn export(State(state): State<AppState>, user: AuthUser) -> AppResult<Response> {
    crate::export::respond(state, user).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// lubelogger, fuelly, fuelio, generic (CSV), or motovaultpro (this app's export archive).
    pub format: Option<String>,
    /// The vehicle the rows are for (required for lubelogger and generic files).
    #[serde(rename = "vehicleId")]
    pub vehicle_id: Option<String>,
    /// `true`: read and check everything, write nothing, and show the first rows as read.
    #[serde(rename = "dryRun")]
    pub dry_run: Option<String>,
}

/// Reads the multipart field `file` (at most [`MAX_FILE_BYTES`]).
async fn file_field(multipart: Multipart) -> AppResult<Vec<u8>> {
    field_bytes(multipart, "file", MAX_FILE_BYTES, too_large)
        .await?
        .ok_or_else(|| AppError::validation("file", "send the CSV file in the field \"file\""))
}

/// Streams the multipart field `file` (an export archive) to a staging file.
async fn archive_field(
    state: &AppState,
    mut multipart: Multipart,
) -> AppResult<std::path::PathBuf> {
    use tokio::io::AsyncWriteExt as _;
    let limit = max_archive_bytes(state);
    let too_large = || {
        AppError::PayloadTooLarge(format!(
            "an archive may be at most {} MiB",
            limit / (1024 * 1024)
        ))
    };
    let io = |e: std::io::Error| AppError::Internal(anyhow::anyhow!("import: {e}"));
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, too_large))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let dir = state.storage.staging_dir();
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let path = dir.join(format!("import-{}.tar.gz", uuid::Uuid::now_v7()));
        let mut out = tokio::io::BufWriter::new(tokio::fs::File::create(&path).await.map_err(io)?);
        let mut size = 0u64;
        let written: AppResult<()> = async {
            while let Some(chunk) = next_chunk(&mut field, &mut size, limit, too_large).await? {
                out.write_all(&chunk).await.map_err(io)?;
            }
            out.flush().await.map_err(io)
        }
        .await;
        if let Err(err) = written {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(err);
        }
        return Ok(path);
    }
    Err(AppError::validation(
        "file",
        "send the archive in the field \"file\"",
    ))
}

/// Imports fill-ups (and LubeLogger service records) from another app's CSV export, or everything
/// from this app's own export archive (`format=motovaultpro`).
#[utoipa::path(post, path = "/api/user/import", tag = "user", security(("bearer" = [])),
    params(ImportQuery),
    request_body(content_type = "multipart/form-data", description = "the field `file`: the CSV"),
    responses((status = 200, body = ImportReport),
              (status = 400, description = "Unknown format, missing columns, no vehicle chosen", body = mvp_types::ErrorBody),
              (status = 404, description = "Not your vehicle", body = mvp_types::ErrorBody),
              (status = 413, description = "Over 10 MiB or 100,000 rows", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn import(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<ImportQuery>,
    multipart: Multipart,
) -> AppResult<axum::Json<ImportReport>> {
    let names = format!("{}, {ARCHIVE_FORMAT}", Format::NAMES);
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("") => {
            return Err(AppError::validation(
                "format",
                format!("choose the file's format: {names}"),
            ));
        }
        Some(name) if name.eq_ignore_ascii_case(ARCHIVE_FORMAT) => {
            let staged = archive_field(&state, multipart).await?;
            return Ok(axum::Json(
                crate::archive::run(&state, &user, staged).await?,
            ));
        }
        Some(name) => Format::parse(name).ok_or_else(|| {
            AppError::validation("format", format!("{name:?} is not one of {names}"))
        })?,
    };
    let vehicle_id = match query.vehicle_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(path_id(raw, "vehicle").map_err(|_| {
            AppError::validation("vehicleId", format!("{raw:?} is not a vehicle id"))
        })?),
    };
    let dry_run = match query.dry_run.as_deref().map(str::trim) {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AppError::validation(
                "dryRun",
                format!("{other:?} is not true or false"),
            ));
        }
    };
    let bytes = file_field(multipart).await?;
    let request = Request {
        format,
        vehicle_id,
        dry_run,
    };
    Ok(axum::Json(
        ingest::run(&state, &user, request, bytes).await?,
    ))
}

/// Erases the account: every row and file of the user; their tokens stop working. The local
/// provider asks for the password.
#[utoipa::path(delete, path = "/api/user/account", tag = "user", security(("bearer" = [])),
    request_body(content = DeleteAccountRequest, description = "local provider: the password"),
    responses((status = 204, description = "Erased"),
              (status = 400, description = "Wrong or missing password", body = mvp_types::ErrorBody),
              (status = 409, description = "The last administrator", body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete_account(
    State(state): State<AppState>,
    user: AuthUser,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    if state.signing_key.is_some() {
        let body: DeleteAccountRequest = if body.iter().all(u8::is_ascii_whitespace) {
            DeleteAccountRequest::default()
        } else {
            serde_json::from_slice(&body).map_err(|e| {
                AppError::validation("password", format!("the body is not {{\"password\"}}: {e}"))
            })?
        };
        let password = body
            .password
            .filter(|p| !p.is_empty())
            .ok_or_else(|| AppError::validation("password", "enter your password to confirm"))?;
        mvp_auth::confirm_password(&state, &user.user_id, &password, "password").await?;
    }
    crate::erase::erase(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
