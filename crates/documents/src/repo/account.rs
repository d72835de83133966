//! The account's bulk reads: every document (the export), every stored file (the erasure) and the
//! importer's duplicate check by SHA-256.

use mvp_types::ids::{DocumentId, UserId, VehicleId};
use sqlx::PgPool;

use super::DocumentRow;

/// Every live document of the user, oldest first (the export).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn all(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<DocumentRow>> {
    document_rows!(
        "select ",
        " from documents where user_id = $1 and deleted_at is null order by created_at, id",
        user_id.as_str(),
    )
    .fetch_all(pool)
    .await
}

/// Every stored file of the user's documents not yet purged, deleted ones included (the erasure).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn file_keys(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "select storage_key from documents where user_id = $1 and purged_at is null",
        user_id.as_str(),
    )
    .fetch_all(pool)
    .await
}

/// The user's live document of `vehicle_id` whose file has this SHA-256, if any (the importer's
/// duplicates).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn find_by_sha256(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: VehicleId,
    sha256: &str,
) -> sqlx::Result<Option<DocumentId>> {
    sqlx::query_scalar!(
        r#"select id as "id: DocumentId" from documents
            where user_id = $1 and vehicle_id = $2 and sha256 = $3 and deleted_at is null
            limit 1"#,
        user_id.as_str(),
        vehicle_id.0,
        sha256,
    )
    .fetch_optional(pool)
    .await
}
