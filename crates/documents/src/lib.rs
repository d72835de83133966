//! mvp-documents: a user's documents (insurance, registration, receipts …) for their vehicles, and text
//! extraction through the OCR service. Uploads are streamed to a staging file, typed by their bytes,
//! limited per file and per user, and committed to object storage before the row is written;
//! downloads stream back with the stored type, an RFC 6266 file name and `Range`. Deletes are soft; the
//! purge job removes the bytes later. Other features ask this crate about document ids
//! ([`documents_of_vehicle`], [`live_documents`]) and documents with an expiry date
//! ([`with_expiry`]); the admin capsule asks for counts and bytes per user ([`usage_by_user`]).

pub mod api;
pub mod domain;
pub mod job;
pub mod ocr;
pub mod repo;
pub mod upload;

use axum::extract::DefaultBodyLimit;
use mvp_core::AppState;
use mvp_types::document::Document;
use mvp_types::ids::UserId;
use mvp_types::ids::{DocumentId, VehicleId};
use sqlx::{PgConnection, PgPool};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest file sent for extraction (the OCR service's own limit).
pub const OCR_MAX_BYTES: usize = 25 * 1024 * 1024;
/// Multipart overhead allowed on top of a file limit (boundaries, headers, the text fields).
const MULTIPART_SLACK: usize = 128 * 1024;

/// Per user, for each of `user_ids` that has any: `(live documents, bytes their files take)`, the
/// bytes counted as the upload quota counts them (the admin's user list).
pub async fn usage_by_user(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<std::collections::HashMap<String, (i64, i64)>> {
    Ok(repo::usage_by_user(pool, user_ids)
        .await?
        .into_iter()
        .map(|(user, documents, bytes)| (user, (documents, bytes)))
        .collect())
}

/// The routes; uploads may be up to `max_bytes` (config `documents.max_bytes`).
pub fn router(max_bytes: u64) -> OpenApiRouter<AppState> {
    let upload_limit = usize::try_from(max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(MULTIPART_SLACK);
    let uploads = OpenApiRouter::new()
        .routes(routes!(api::create, api::list))
        .layer(DefaultBodyLimit::max(upload_limit));
    let ocr = OpenApiRouter::new()
        .routes(routes!(ocr::extract))
        .layer(DefaultBodyLimit::max(OCR_MAX_BYTES + MULTIPART_SLACK));
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(api::get, api::update, api::delete))
        .routes(routes!(api::download))
        .merge(ocr)
}

/// Of `ids`, the ones that are the user's live documents of `vehicle_id` (for attaching documents to
/// a maintenance record).
pub async fn documents_of_vehicle(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    ids: &[DocumentId],
) -> sqlx::Result<Vec<DocumentId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    repo::live_ids_of_vehicle(conn, user_id, vehicle_id, ids).await
}

pub use repo::ExpiringDocument;

/// Every live document of the user (oldest first) with its file's storage key (the export).
pub async fn export(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<(Document, String)>> {
    Ok(repo::all(pool, user_id)
        .await?
        .into_iter()
        .map(|row| {
            let key = row.storage_key.clone();
            (Document::from(row), key)
        })
        .collect())
}

/// Adds the file at `path` (in the staging directory; it is moved or removed) as a document of
/// `user_id` on `vehicle_id`, with the type, title, dates and notes of `exported` — the importer of
/// an export archive. Checked as an upload is (type from the bytes, `documents.max_bytes`, the
/// quota). A live document of that vehicle with the same bytes is not added again: its id is
/// returned with `false`.
pub async fn import_file(
    state: &AppState,
    user_id: &UserId,
    vehicle_id: VehicleId,
    exported: &Document,
    path: std::path::PathBuf,
) -> mvp_core::AppResult<(DocumentId, bool)> {
    let file = upload::adopt(path, &exported.file_name, state.config.documents.max_bytes).await?;
    if let Some(id) = repo::find_by_sha256(&state.db, user_id, vehicle_id, &file.sha256).await? {
        return Ok((id, false));
    }
    let text = [
        ("vehicleId", Some(vehicle_id.to_string())),
        ("documentType", Some(exported.document_type.clone())),
        ("title", Some(exported.title.clone())),
        ("notes", exported.notes.clone()),
        ("issuedDate", exported.issued_date.map(|d| d.to_string())),
        (
            "expirationDate",
            exported.expiration_date.map(|d| d.to_string()),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
    .collect();
    let fields = domain::upload_fields(text, &file.file_name)?;
    let row = api::store(state, user_id, &fields, file).await?;
    Ok((row.id, true))
}

/// The storage keys of every file of the user's documents not yet purged, deleted documents
/// included (erasing the account removes the files).
pub async fn file_keys(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<String>> {
    repo::file_keys(pool, user_id).await
}

/// Live documents on live vehicles with an expiry date — of `user`, or of every user — expiring on
/// or before `by` when given, soonest first (for reminders, the notification summary and the
/// calendar feed).
pub async fn with_expiry(
    pool: &PgPool,
    user: Option<&str>,
    by: Option<chrono::NaiveDate>,
) -> sqlx::Result<Vec<ExpiringDocument>> {
    let documents = repo::with_expiry(pool, user, by).await?;
    let vehicle_ids: Vec<VehicleId> = documents.iter().map(|d| d.vehicle_id).collect();
    let vehicles = mvp_vehicles::live(pool, &vehicle_ids).await?;
    Ok(documents
        .into_iter()
        .filter(|d| {
            vehicles
                .get(&d.vehicle_id)
                .is_some_and(|v| v.user_id == d.user_id)
        })
        .collect())
}

/// Of `ids`, the ones that are still the user's live documents (deleted ones drop out of lists that
/// refer to them).
pub async fn live_documents(
    pool: &PgPool,
    user_id: &UserId,
    ids: &[DocumentId],
) -> sqlx::Result<Vec<DocumentId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    repo::live_ids(pool, user_id, ids).await
}
