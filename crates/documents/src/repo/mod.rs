//! SQL of the documents feature; every query on a user's data is scoped by `user_id`, and a deleted
//! document is invisible to all of them except the purge job's. This file holds the row, its column
//! list and a document's own reads and writes; `across` the jobs' and the admin's reads across
//! users, `account` the export's, erasure's and importer's.

use chrono::{DateTime, NaiveDate, Utc};
use mvp_core::pagination::Page;
use mvp_types::document::Document;
use mvp_types::ids::UserId;
use mvp_types::ids::{DocumentId, VehicleId, uuids};
use sqlx::{PgConnection, PgPool};

use crate::domain::DocumentFields;

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: DocumentId,
    pub user_id: String,
    pub vehicle_id: VehicleId,
    pub document_type: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub issued_date: Option<NaiveDate>,
    pub expiration_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `sqlx::query_as!(DocumentRow, …)` with the row's columns between `$before` and `$after`: sqlx's
/// macros take only string literals, so the column list is spelled once, here.
macro_rules! document_rows {
    ($before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            DocumentRow,
            $before
                + "id as \"id: DocumentId\", user_id, vehicle_id as \"vehicle_id: VehicleId\",
                   document_type, title, file_name, content_type, size_bytes,
                   sha256, storage_key, issued_date, expiration_date, notes, created_at, updated_at"
                + $after
            $(, $arg)*
        )
    };
}

mod account;
mod across;

pub use account::{all, file_keys, find_by_sha256};
pub use across::{
    ExpiringDocument, due_for_purge, known_keys, mark_purged, usage_by_user, with_expiry,
};

impl From<DocumentRow> for Document {
    fn from(r: DocumentRow) -> Self {
        Self {
            id: r.id,
            vehicle_id: r.vehicle_id,
            document_type: r.document_type,
            title: r.title,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            issued_date: r.issued_date,
            expiration_date: r.expiration_date,
            notes: r.notes,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The file's facts, known once its bytes are staged.
#[derive(Debug)]
pub struct StoredFile<'a> {
    pub storage_key: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
}

/// Serialises one user's uploads (quota check and insert) until the transaction ends.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn lock_user(conn: &mut PgConnection, user_id: &UserId) -> sqlx::Result<()> {
    mvp_core::db::xact_lock(conn, &format!("documents:{user_id}")).await
}

/// Bytes the user's files take on disk: live documents and deleted ones not yet purged (their bytes
/// are kept for the retention period, so an upload→delete loop cannot fill the disk).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn usage(conn: &mut PgConnection, user_id: &UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select coalesce(sum(size_bytes), 0)::bigint as "bytes!" from documents
            where user_id = $1 and purged_at is null"#,
        user_id.as_str(),
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert(
    conn: &mut PgConnection,
    id: DocumentId,
    user_id: &UserId,
    fields: &DocumentFields,
    file: &StoredFile<'_>,
) -> sqlx::Result<DocumentRow> {
    document_rows!(
        "insert into documents (id, user_id, vehicle_id, document_type, title, file_name,
                content_type, size_bytes, sha256, storage_key, issued_date, expiration_date, notes)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         returning ",
        "",
        id.0,
        user_id.as_str(),
        fields.vehicle_id.0,
        fields.document_type,
        fields.title,
        file.file_name,
        file.content_type,
        file.size_bytes,
        file.sha256,
        file.storage_key,
        fields.issued_date,
        fields.expiration_date,
        fields.notes,
    )
    .fetch_one(conn)
    .await
}

/// What a list is filtered by.
#[derive(Debug, Default, Clone, Copy)]
pub struct ListFilter {
    pub vehicle_id: Option<VehicleId>,
    /// Only documents expiring on or before this day (already expired included), soonest first.
    pub expiring_by: Option<NaiveDate>,
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn list(
    pool: &PgPool,
    user_id: &UserId,
    filter: ListFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<DocumentRow>, i64)> {
    // Two orders, two statements (a statement's text is fixed at compile time).
    let rows = if filter.expiring_by.is_some() {
        document_rows!(
            "select ",
            " from documents
              where user_id = $1 and deleted_at is null
                and ($2::uuid is null or vehicle_id = $2)
                and ($3::date is null or expiration_date <= $3)
              order by expiration_date asc, id asc limit $4 offset $5",
            user_id.as_str(),
            filter.vehicle_id.map(|v| v.0),
            filter.expiring_by,
            limit,
            offset,
        )
        .fetch_all(pool)
        .await?
    } else {
        document_rows!(
            "select ",
            " from documents
              where user_id = $1 and deleted_at is null
                and ($2::uuid is null or vehicle_id = $2)
                and ($3::date is null or expiration_date <= $3)
              order by created_at desc, id desc limit $4 offset $5",
            user_id.as_str(),
            filter.vehicle_id.map(|v| v.0),
            filter.expiring_by,
            limit,
            offset,
        )
        .fetch_all(pool)
        .await?
    };
    if let Some(total) = (Page { limit, offset }).total_from(rows.len()) {
        return Ok((rows, total));
    }
    let total = sqlx::query_scalar!(
        r#"select count(*) as "total!" from documents
            where user_id = $1 and deleted_at is null
              and ($2::uuid is null or vehicle_id = $2)
              and ($3::date is null or expiration_date <= $3)"#,
        user_id.as_str(),
        filter.vehicle_id.map(|v| v.0),
        filter.expiring_by,
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn find(
    pool: &PgPool,
    user_id: &UserId,
    id: DocumentId,
) -> sqlx::Result<Option<DocumentRow>> {
    document_rows!(
        "select ",
        " from documents where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn update(
    pool: &PgPool,
    user_id: &UserId,
    id: DocumentId,
    fields: &DocumentFields,
) -> sqlx::Result<Option<DocumentRow>> {
    document_rows!(
        "update documents set vehicle_id = $3, document_type = $4, title = $5, issued_date = $6,
                expiration_date = $7, notes = $8
          where user_id = $1 and id = $2 and deleted_at is null
          returning ",
        "",
        user_id.as_str(),
        id.0,
        fields.vehicle_id.0,
        fields.document_type,
        fields.title,
        fields.issued_date,
        fields.expiration_date,
        fields.notes,
    )
    .fetch_optional(pool)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn soft_delete(pool: &PgPool, user_id: &UserId, id: DocumentId) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update documents set deleted_at = now()
          where user_id = $1 and id = $2 and deleted_at is null",
        user_id.as_str(),
        id.0,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Of `ids`, those that are the user's live documents of `vehicle_id`.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn live_ids_of_vehicle(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    ids: &[DocumentId],
) -> sqlx::Result<Vec<DocumentId>> {
    sqlx::query_scalar!(
        r#"select id as "id: DocumentId" from documents
            where user_id = $1 and vehicle_id = $2 and id = any($3) and deleted_at is null"#,
        user_id.as_str(),
        vehicle_id.0,
        &uuids(ids),
    )
    .fetch_all(conn)
    .await
}

/// Of `ids`, those that are the user's live documents (any vehicle).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn live_ids(
    pool: &PgPool,
    user_id: &UserId,
    ids: &[DocumentId],
) -> sqlx::Result<Vec<DocumentId>> {
    sqlx::query_scalar!(
        r#"select id as "id: DocumentId" from documents
            where user_id = $1 and id = any($2) and deleted_at is null"#,
        user_id.as_str(),
        &uuids(ids),
    )
    .fetch_all(pool)
    .await
}
