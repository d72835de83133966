//! `GET /api/user/export`: a gzip-compressed tar of everything the user has, streamed. First each
//! kind of record is written to a spool file (JSON and CSV) under the storage's staging dir, hashing
//! as it goes — fill-ups straight from a database cursor, so memory stays flat however many there
//! are; a database error here is still an ordinary error response. Then the archive is produced
//! member by member into a small channel the response body drains (back-pressure: a slow client
//! slows the producer, nothing piles up): the spooled files, `documents/<id>.<ext>` and
//! `images/<vehicle id>.<ext>` read from storage, and last `manifest.json` with the format version,
//! the counts and every member's size and SHA-256 (known by then). Money and fuel are written with
//! the digits they were typed with (exact decimals, never floats).
//!
//! The records are spooled by spool.rs, the archive is written into the channel by sink.rs; the
//! member types both use and the response are here.

mod sink;
mod spool;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use bytes::Bytes;
use chrono::Utc;
use futures_util::StreamExt as _;
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use serde::Serialize;
use tokio::sync::mpsc;

use sink::produce;
use spool::prepare;

/// The archive's format, written in its manifest (the importer checks it).
pub const FORMAT: &str = "motovaultpro-export";
pub const VERSION: u32 = 1;
/// Archive bytes handed to the response at a time, and chunks waiting at most.
const CHUNK: usize = 64 * 1024;
const QUEUED: usize = 4;

/// A finished member: its path in the archive, size and digest.
#[derive(Debug, Clone, Serialize)]
struct Member {
    path: String,
    bytes: u64,
    sha256: String,
}

/// A stored file to put in the archive.
struct StoredFile {
    member: String,
    key: String,
}

fn internal(err: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("export: {err}"))
}

/// The export's response: headers now, the archive as it is made.
pub async fn respond(state: AppState, user: AuthUser) -> AppResult<Response> {
    let dir = state
        .storage
        .staging_dir()
        .join(format!("export-{}", uuid::Uuid::now_v7()));
    tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
    let prepared = prepare(&state, &user, &dir).await;
    let (spooled, files, counts) = match prepared {
        Ok(parts) => parts,
        Err(err) => {
            let _ = tokio::fs::remove_dir_all(&dir).await;
            return Err(err);
        }
    };
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(QUEUED);
    let short = user.user_id.short();
    tokio::spawn(async move {
        let errors = tx.clone();
        let started = std::time::Instant::now();
        match produce(&state, spooled, files, counts, tx).await {
            Ok(()) => {
                tracing::info!(user = %short, ms = started.elapsed().as_millis() as u64, "export sent")
            }
            Err(err) => {
                tracing::warn!(user = %short, error = %err, "export stopped");
                let _ = errors.send(Err(err)).await;
            }
        }
        if let Err(err) = tokio::fs::remove_dir_all(&dir).await {
            tracing::warn!(error = %err, "export: the spool directory could not be removed");
        }
    });
    // Fused: layers around the body (compression, tracing) may poll once more after its end.
    let body = Body::from_stream(
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
        .fuse(),
    );
    let name = format!(
        "motovaultpro-export-{}.tar.gz",
        Utc::now().format("%Y-%m-%d")
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/gzip"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
