//! mvp-user-export: the user's data is theirs. `GET /api/user/export` streams everything as a tar.gz
//! (export/, CSV lines in csv_out.rs); `POST /api/user/import` reads LubeLogger, Fuelly, Fuelio and
//! generic CSV files (import/, without the database) and writes them through the fuel-logs and
//! maintenance capsules (ingest.rs), or this app's own archive (archive/); `DELETE
//! /api/user/account` erases the account (erase.rs).

pub mod api;
pub mod archive;
pub mod csv_out;
pub mod erase;
pub mod export;
pub mod import;
pub mod ingest;

use axum::extract::DefaultBodyLimit;
use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Multipart overhead allowed on top of the import file limit.
const MULTIPART_SLACK: u64 = 64 * 1024;

/// The routes; an import body may be as large as an export archive for a user with a full document
/// quota (`documents_quota_bytes`, config `documents.quota_bytes`); a CSV is held to 10 MiB by the
/// handler.
pub fn router(documents_quota_bytes: u64) -> OpenApiRouter<AppState> {
    let limit = documents_quota_bytes
        .saturating_add(api::ARCHIVE_SLACK)
        .saturating_add(MULTIPART_SLACK);
    let import = OpenApiRouter::new()
        .routes(routes!(api::import))
        .layer(DefaultBodyLimit::max(
            usize::try_from(limit).unwrap_or(usize::MAX),
        ));
    OpenApiRouter::new()
        .routes(routes!(api::export))
        .routes(routes!(api::delete_account))
        .merge(import)
}
