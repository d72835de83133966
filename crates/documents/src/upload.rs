//! Receiving an upload: the multipart body is streamed, never held whole in memory. The file goes to a
//! staging file (hashed with SHA-256, counted against the limit, its type sniffed from the first
//! bytes) which is fsynced when complete; the text fields are collected beside it. Whatever goes wrong
//! — a limit, a wrong type, a client that disconnects — the staging file is removed when the
//! [`StagedFile`] is dropped, so a failed upload leaves nothing behind.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{Context, SHA256};
use axum::extract::Multipart;
use mvp_core::extract::{multipart_error, next_chunk};
use mvp_core::sniff::{FileKind, SNIFF_LEN, sniff};
use mvp_core::{AppError, AppResult};
use tokio::io::{AsyncWriteExt as _, BufWriter};
use uuid::Uuid;

use crate::domain::{UPLOAD_FIELDS, clean_file_name};

/// Text fields longer than this are refused.
const MAX_TEXT_FIELD: usize = 16 * 1024;

/// A file in the staging directory, removed on drop unless it was committed (moved) before.
#[derive(Debug)]
pub struct StagedFile {
    path: PathBuf,
}

impl StagedFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        // After a commit the file has been renamed away and this finds nothing, which is fine.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A received file, safely on disk.
#[derive(Debug)]
pub struct ReceivedFile {
    pub staged: StagedFile,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
    /// Cleaned, see [`clean_file_name`].
    pub file_name: String,
}

#[derive(Debug)]
pub struct Upload {
    pub file: Option<ReceivedFile>,
    pub text: HashMap<String, String>,
}

fn too_large(limit: u64) -> AppError {
    AppError::PayloadTooLarge(format!(
        "the file is larger than the {} MiB allowed",
        limit / (1024 * 1024)
    ))
}

/// Reads the whole multipart body: the field `file` into `staging_dir`, the known text fields into
/// memory. Unknown fields are a 400 naming them.
pub async fn receive(
    mut multipart: Multipart,
    staging_dir: &Path,
    limit: u64,
) -> AppResult<Upload> {
    let mut upload = Upload {
        file: None,
        text: HashMap::new(),
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, || too_large(limit)))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if upload.file.is_some() {
                return Err(AppError::validation("file", "send one file per upload"));
            }
            upload.file = Some(receive_file(&mut field, staging_dir, limit).await?);
        } else if UPLOAD_FIELDS.contains(&name.as_str()) {
            let mut value = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| multipart_error(&e, || too_large(limit)))?
            {
                if value.len() + chunk.len() > MAX_TEXT_FIELD {
                    return Err(AppError::validation(name, "is too long"));
                }
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value)
                .map_err(|_| AppError::validation(name.clone(), "must be UTF-8 text"))?;
            upload.text.insert(name, value);
        } else {
            let shown: String = name.chars().filter(|c| !c.is_control()).take(60).collect();
            return Err(AppError::validation(
                shown,
                format!(
                    "unknown field; an upload takes file, {}",
                    UPLOAD_FIELDS.join(", ")
                ),
            ));
        }
    }
    Ok(upload)
}

async fn receive_file(
    field: &mut axum::extract::multipart::Field<'_>,
    staging_dir: &Path,
    limit: u64,
) -> AppResult<ReceivedFile> {
    let file_name = clean_file_name(field.file_name().unwrap_or_default());
    tokio::fs::create_dir_all(staging_dir)
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot create the staging directory"))?;
    let staged = StagedFile {
        path: staging_dir.join(format!("upload-{}", Uuid::new_v4().simple())),
    };
    let file = tokio::fs::File::create_new(&staged.path)
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot create a staging file"))?;
    let mut writer = BufWriter::with_capacity(256 * 1024, file);
    let mut hash = Context::new(&SHA256);
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
    let mut kind = None;
    let mut size: u64 = 0;
    let unsupported = || {
        AppError::UnsupportedMediaType(
            "the file must be a PDF, JPEG, PNG, WebP or HEIC (judged by its content, not its name)"
                .to_owned(),
        )
    };
    while let Some(chunk) = next_chunk(field, &mut size, limit, || too_large(limit)).await? {
        if kind.is_none() {
            let want = SNIFF_LEN - head.len();
            head.extend_from_slice(&chunk[..want.min(chunk.len())]);
            if head.len() == SNIFF_LEN {
                kind = Some(sniff(&head).ok_or_else(unsupported)?);
            }
        }
        hash.update(&chunk);
        writer
            .write_all(&chunk)
            .await
            .map_err(|e| anyhow::Error::new(e).context("cannot write the staging file"))?;
    }
    let kind = match kind {
        Some(kind) => kind,
        None if size == 0 => return Err(AppError::validation("file", "the file is empty")),
        None => sniff(&head).ok_or_else(unsupported)?,
    };
    writer
        .flush()
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot write the staging file"))?;
    writer
        .into_inner()
        .sync_all()
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot sync the staging file"))?;
    let sha256 = mvp_core::secret::hex(hash.finish().as_ref());
    Ok(ReceivedFile {
        staged,
        kind,
        size,
        sha256,
        file_name,
    })
}

/// A file already in the staging directory (an export archive's member) taken as if uploaded: its
/// type sniffed from its bytes, hashed, at most `limit` bytes. The file is removed when the result
/// is dropped, as an upload's is.
pub async fn adopt(path: PathBuf, file_name: &str, limit: u64) -> AppResult<ReceivedFile> {
    use tokio::io::AsyncReadExt as _;
    let staged = StagedFile { path };
    let mut file = tokio::fs::File::open(&staged.path)
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot open a staged file"))?;
    let mut hash = Context::new(&SHA256);
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
    let mut size: u64 = 0;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = file
            .read(&mut buffer)
            .await
            .map_err(|e| anyhow::Error::new(e).context("cannot read a staged file"))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > limit {
            return Err(too_large(limit));
        }
        let want = SNIFF_LEN.saturating_sub(head.len());
        head.extend_from_slice(&buffer[..want.min(n)]);
        hash.update(&buffer[..n]);
    }
    let kind = sniff(&head).ok_or_else(|| {
        AppError::UnsupportedMediaType(format!(
            "{file_name:?} is not a PDF, JPEG, PNG, WebP or HEIC"
        ))
    })?;
    Ok(ReceivedFile {
        staged,
        kind,
        size,
        sha256: mvp_core::secret::hex(hash.finish().as_ref()),
        file_name: clean_file_name(file_name),
    })
}
