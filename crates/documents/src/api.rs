//! Handlers of `/api/documents*`: upload, list, read, edit, delete, download.

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Days, Utc};
use mvp_core::extract::path_id;
use mvp_core::http::created;
use mvp_core::pagination::total_header;
use mvp_core::{AppError, AppJson, AppResult, AppState, AuthUser, Page};
use mvp_types::document::{Document, DocumentInput};
use mvp_types::ids::DocumentId;
use mvp_types::limits::EXPIRING_WITHIN_DAYS_MAX;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::{self, RangeRequest};
use crate::repo::{self, ListFilter, StoredFile};
use crate::upload;

const NOT_FOUND: AppError = AppError::NotFound("document");

fn mib(bytes: u64) -> String {
    let tenths = bytes * 10 / (1024 * 1024);
    format!("{}.{} MiB", tenths / 10, tenths % 10)
}

/// Uploads a document (multipart: `file`, `vehicleId`, `documentType`, optional `title`, `notes`,
/// `issuedDate`, `expirationDate`). The type is judged from the bytes.
#[utoipa::path(post, path = "/api/documents", tag = "documents", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data",
        description = "fields `file` (PDF, JPEG, PNG, WebP or HEIC), `vehicleId`, `documentType`, optional `title`, `notes`, `issuedDate`, `expirationDate`"),
    responses((status = 201, body = Document, headers(("Location" = String))),
              (status = 400, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody),
              (status = 413, description = "Over the file limit or the user's quota", body = mvp_types::ErrorBody),
              (status = 415, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    multipart: Multipart,
) -> AppResult<Response> {
    let settings = &state.config.documents;
    let received =
        upload::receive(multipart, state.storage.staging_dir(), settings.max_bytes).await?;
    let file = received.file.ok_or_else(|| {
        AppError::validation(
            "file",
            "send the document in a multipart field named \"file\"",
        )
    })?;
    let fields = domain::upload_fields(received.text, &file.file_name)?;
    let row = store(&state, &user.user_id, &fields, file).await?;
    tracing::info!(document_id = %row.id, size_bytes = row.size_bytes, content_type = %row.content_type, "document stored");
    Ok(created(
        &format!("/api/documents/{}", row.id),
        Document::from(row),
    ))
}

/// Stores a received file as a new document of `user_id` with `fields`: the vehicle must be theirs
/// (404), the file must fit their quota (413); the bytes are committed to storage before the row,
/// and removed again if the row cannot be written.
pub(crate) async fn store(
    state: &AppState,
    user_id: &mvp_types::ids::UserId,
    fields: &domain::DocumentFields,
    file: upload::ReceivedFile,
) -> AppResult<repo::DocumentRow> {
    let settings = &state.config.documents;
    let id = DocumentId::new();
    let name = Uuid::new_v4().simple().to_string();
    let key = format!("documents/{}/{name}.{}", &name[..2], file.kind.extension());
    let size = i64::try_from(file.size).map_err(anyhow::Error::from)?;

    let mut tx = state.db.begin().await?;
    mvp_vehicles::require(&mut tx, user_id, fields.vehicle_id).await?;
    repo::lock_user(&mut tx, user_id).await?;
    let used = repo::usage(&mut tx, user_id).await?;
    let quota = i64::try_from(settings.quota_bytes).unwrap_or(i64::MAX);
    if used.saturating_add(size) > quota {
        return Err(AppError::PayloadTooLarge(format!(
            "this file ({}) does not fit in your document storage: {} of {} used; deleted \
             documents count until their files are purged, {} days after deletion",
            mib(file.size),
            mib(used.unsigned_abs()),
            mib(settings.quota_bytes),
            settings.retention_days
        )));
    }
    state.storage.put_file(&key, file.staged.path()).await?;
    let stored = StoredFile {
        storage_key: &key,
        file_name: &file.file_name,
        content_type: file.kind.content_type(),
        size_bytes: size,
        sha256: &file.sha256,
    };
    let saved = match repo::insert(&mut tx, id, user_id, fields, &stored).await {
        Ok(row) => tx.commit().await.map(|()| row),
        Err(err) => Err(err),
    };
    match saved {
        Ok(row) => Ok(row),
        Err(err) => {
            // The row is not there, so neither may the bytes be.
            if let Err(cleanup) = state.storage.delete(&key).await {
                tracing::warn!(error = %format!("{cleanup:#}"), "could not remove an uncommitted document");
            }
            Err(err.into())
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this vehicle's documents.
    #[serde(rename = "vehicleId")]
    pub vehicle_id: Option<String>,
    /// Only documents expiring within this many days (0–3650), already expired ones included;
    /// soonest first.
    #[serde(rename = "expiringWithinDays")]
    pub expiring_within_days: Option<String>,
}

/// The user's documents, newest first (or soonest to expire first with `expiringWithinDays`).
#[utoipa::path(get, path = "/api/documents", tag = "documents", security(("bearer" = [])),
    params(ListQuery, ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, body = [Document], headers(("X-Total-Count" = i64))),
              (status = 400, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    page: Page,
    Query(query): Query<ListQuery>,
) -> AppResult<(HeaderMap, Json<Vec<Document>>)> {
    let user_id = &user.user_id;
    let vehicle_id = mvp_vehicles::filter(&state, user_id, query.vehicle_id.as_deref()).await?;
    let expiring_by = match query
        .expiring_within_days
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(raw) => {
            let days = raw
                .parse::<u16>()
                .ok()
                .filter(|d| *d <= EXPIRING_WITHIN_DAYS_MAX)
                .ok_or_else(|| {
                    AppError::validation(
                        "expiringWithinDays",
                        format!(
                            "must be a whole number of days from 0 to {EXPIRING_WITHIN_DAYS_MAX}"
                        ),
                    )
                })?;
            // "Today" is the user's own day (their time zone preference), not the server's.
            let prefs = mvp_user_preferences::get(&state, user_id).await?;
            let zone = prefs
                .time_zone
                .parse::<chrono_tz::Tz>()
                .unwrap_or(chrono_tz::UTC);
            let today = Utc::now().with_timezone(&zone).date_naive();
            today.checked_add_days(Days::new(days.into()))
        }
        None => None,
    };
    let filter = ListFilter {
        vehicle_id,
        expiring_by,
    };
    let (rows, total) = repo::list(&state.db, user_id, filter, page.limit, page.offset).await?;
    Ok((
        total_header(total),
        Json(rows.into_iter().map(Document::from).collect()),
    ))
}

/// One document's metadata.
#[utoipa::path(get, path = "/api/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Document), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(document_id = %id))]
pub async fn get(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<Json<Document>> {
    let id = path_id(&id, "document")?;
    let row = repo::find(&state.db, &user.user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(Json(row.into()))
}

/// Edits a document's metadata (type, title, dates, notes, vehicle); the file itself is unchanged.
#[utoipa::path(put, path = "/api/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = DocumentInput,
    responses((status = 200, body = Document), (status = 400, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(document_id = %id))]
pub async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    AppJson(input): AppJson<DocumentInput>,
) -> AppResult<Json<Document>> {
    let id = path_id(&id, "document")?;
    let user_id = &user.user_id;
    let current = repo::find(&state.db, user_id, id).await?.ok_or(NOT_FOUND)?;
    let fields = domain::update_fields(input, current.vehicle_id)?;
    if fields.vehicle_id != current.vehicle_id {
        let mut conn = state.db.acquire().await?;
        mvp_vehicles::require(&mut conn, user_id, fields.vehicle_id).await?;
    }
    let row = repo::update(&state.db, user_id, id, &fields)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(Json(row.into()))
}

/// Deletes a document: it disappears at once; its bytes are purged after the retention period.
#[utoipa::path(delete, path = "/api/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all, fields(document_id = %id))]
pub async fn delete(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = path_id(&id, "document")?;
    if repo::soft_delete(&state.db, &user.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(NOT_FOUND)
    }
}

/// The document's bytes, as an attachment with the stored type; one `Range` is honoured (206).
#[utoipa::path(get, path = "/api/documents/{id}/download", tag = "documents", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream"),
              (status = 206, description = "The requested range"),
              (status = 304, description = "Unchanged (If-None-Match)"),
              (status = 404, body = mvp_types::ErrorBody),
              (status = 416, description = "Range outside the file")))]
#[tracing::instrument(skip_all, fields(document_id = %id))]
pub async fn download(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let id = path_id(&id, "document")?;
    let row = repo::find(&state.db, &user.user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    let etag = format!("\"{}\"", row.sha256);
    let size = row.size_bytes.unsigned_abs();
    let header_text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());

    let mut common = HeaderMap::new();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            common.insert(name, value);
        }
    };
    set(header::CONTENT_TYPE, &row.content_type);
    set(
        header::CONTENT_DISPOSITION,
        &domain::content_disposition(&row.file_name),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::CACHE_CONTROL, "private, no-cache");
    set(header::ETAG, &etag);
    set(header::ACCEPT_RANGES, "bytes");

    if header_text(header::IF_NONE_MATCH)
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    // A range only applies to the version the client has (If-Range with our ETag) or to any.
    let range_applies = header_text(header::IF_RANGE).is_none_or(|v| v.trim() == etag);
    let range = match header_text(header::RANGE) {
        Some(value) if range_applies => domain::parse_range(value, size),
        _ => RangeRequest::Full,
    };
    match range {
        RangeRequest::Unsatisfiable => {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                common.insert(header::CONTENT_RANGE, value);
            }
            Ok((StatusCode::RANGE_NOT_SATISFIABLE, common).into_response())
        }
        RangeRequest::Full => {
            let object = state.storage.get_stream(&row.storage_key, None).await?;
            common.insert(header::CONTENT_LENGTH, HeaderValue::from(object.size));
            Ok((common, Body::from_stream(object.stream)).into_response())
        }
        RangeRequest::Partial(range) => {
            let content_range = format!("bytes {}-{}/{size}", range.start, range.end - 1);
            let length = range.end - range.start;
            let object = state
                .storage
                .get_stream(&row.storage_key, Some(range))
                .await?;
            common.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            if let Ok(value) = HeaderValue::from_str(&content_range) {
                common.insert(header::CONTENT_RANGE, value);
            }
            Ok((
                StatusCode::PARTIAL_CONTENT,
                common,
                Body::from_stream(object.stream),
            )
                .into_response())
        }
    }
}
