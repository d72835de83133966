//! `GET /api/user/export`: a gzip-compressed tar of everything the user has, streamed. First each
//! kind of record is written to a spool file (JSON and CSV) under the storage's staging dir, hashing
//! as it goes — fill-ups straight from a database cursor, so memory stays flat however many there
//! are; a database error here is still an ordinary error response. Then the archive is produced
//! member by member into a small channel the response body drains (back-pressure: a slow client
//! slows the producer, nothing piles up): the spooled files, `documents/<id>.<ext>` and
//! `images/<vehicle id>.<ext>` read from storage, and last `manifest.json` with the format version,
//! the counts and every member's size and SHA-256 (known by then). Money and fuel are written with
//! the digits they were typed with (exact decimals, never floats).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{Context, SHA256};
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::{StreamExt as _, TryStreamExt as _};
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncWriteExt as _, BufWriter};
use tokio::sync::mpsc;

use crate::csv_out;

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

/// A spool file being written: JSON or CSV, hashed and counted on the way.
struct Spool {
    path: PathBuf,
    member: String,
    out: BufWriter<tokio::fs::File>,
    digest: Context,
    bytes: u64,
}

impl Spool {
    async fn create(dir: &Path, member: &str) -> AppResult<Self> {
        let path = dir.join(member.replace('/', "_"));
        let file = tokio::fs::File::create(&path).await.map_err(internal)?;
        Ok(Self {
            path,
            member: member.to_owned(),
            out: BufWriter::with_capacity(CHUNK, file),
            digest: Context::new(&SHA256),
            bytes: 0,
        })
    }

    async fn write(&mut self, data: &[u8]) -> AppResult<()> {
        self.digest.update(data);
        self.bytes += data.len() as u64;
        self.out.write_all(data).await.map_err(internal)
    }

    async fn finish(mut self) -> AppResult<(Member, PathBuf)> {
        self.out.flush().await.map_err(internal)?;
        let member = Member {
            path: self.member,
            bytes: self.bytes,
            sha256: mvp_core::secret::hex(self.digest.finish().as_ref()),
        };
        Ok((member, self.path))
    }
}

fn internal(err: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("export: {err}"))
}

/// One kind of record spooled as `<kind>.json` (an array, or an object for a single record) and
/// `<kind>.csv` (a header from the first record's fields, one line per record).
struct Kind {
    json: Spool,
    csv: Spool,
    header: Option<Vec<String>>,
    count: u64,
    single: bool,
}

impl Kind {
    async fn start(dir: &Path, name: &str, single: bool) -> AppResult<Self> {
        let mut json = Spool::create(dir, &format!("{name}.json")).await?;
        if !single {
            json.write(b"[").await?;
        }
        Ok(Self {
            json,
            csv: Spool::create(dir, &format!("{name}.csv")).await?,
            header: None,
            count: 0,
            single,
        })
    }

    async fn add(&mut self, record: &impl Serialize) -> AppResult<()> {
        let value = serde_json::to_value(record).map_err(internal)?;
        let object = match value {
            Value::Object(map) => map,
            other => Map::from_iter([("value".to_owned(), other)]),
        };
        if self.header.is_none() {
            let header: Vec<String> = object.keys().cloned().collect();
            self.csv
                .write(csv_out::line(header.iter().map(|h| csv_out::Cell::Text(h))).as_bytes())
                .await?;
            self.header = Some(header);
        }
        let header = self.header.as_deref().unwrap_or_default();
        let line = csv_out::line(header.iter().map(|h| csv_out::Cell::of(object.get(h))));
        self.csv.write(line.as_bytes()).await?;
        let separator: &[u8] = if self.count == 0 { b"\n" } else { b",\n" };
        if !self.single {
            self.json.write(separator).await?;
        }
        let text = serde_json::to_vec(&Value::Object(object)).map_err(internal)?;
        self.json.write(&text).await?;
        self.count += 1;
        Ok(())
    }

    async fn finish(mut self, spooled: &mut Vec<(Member, PathBuf)>) -> AppResult<u64> {
        if !self.single {
            self.json.write(b"\n]\n").await?;
        } else {
            self.json.write(b"\n").await?;
        }
        spooled.push(self.json.finish().await?);
        spooled.push(self.csv.finish().await?);
        Ok(self.count)
    }
}

async fn spool_all<T: Serialize>(
    dir: &Path,
    name: &str,
    records: &[T],
    spooled: &mut Vec<(Member, PathBuf)>,
    counts: &mut Map<String, Value>,
) -> AppResult<()> {
    let mut kind = Kind::start(dir, name, false).await?;
    for record in records {
        kind.add(record).await?;
    }
    counts.insert(name.to_owned(), json!(kind.finish(spooled).await?));
    Ok(())
}

/// A stored file to put in the archive.
struct StoredFile {
    member: String,
    key: String,
}

/// The extension a member gets: the file name's (letters and digits, up to 8), else `bin`.
fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".to_owned())
}

fn image_extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "jpg",
    }
}

/// Spools every record of the user and lists their files; the directory is the caller's to remove.
async fn prepare(
    state: &AppState,
    user: &AuthUser,
    dir: &Path,
) -> AppResult<(Vec<(Member, PathBuf)>, Vec<StoredFile>, Map<String, Value>)> {
    let user_id = &user.user_id;
    let prefs = mvp_user_preferences::get(state, user_id).await?;
    let mut spooled = Vec::new();
    let mut counts = Map::new();
    let mut files = Vec::new();

    let profile = mvp_user_profile::profile(&state.db, user).await?;
    let mut kind = Kind::start(dir, "profile", true).await?;
    kind.add(&profile).await?;
    kind.finish(&mut spooled).await?;
    let mut kind = Kind::start(dir, "preferences", true).await?;
    kind.add(&prefs).await?;
    kind.finish(&mut spooled).await?;

    let vehicles = mvp_vehicles::export(&state.db, user_id, prefs.unit_system).await?;
    for v in &vehicles {
        if let Some((key, content_type)) = &v.image {
            files.push(StoredFile {
                member: format!("images/{}.{}", v.vehicle.id, image_extension(content_type)),
                key: key.clone(),
            });
        }
    }
    let list: Vec<_> = vehicles.into_iter().map(|v| v.vehicle).collect();
    spool_all(dir, "vehicles", &list, &mut spooled, &mut counts).await?;

    let mut kind = Kind::start(dir, "fuel-logs", false).await?;
    let mut logs = std::pin::pin!(mvp_fuel_logs::export(&state.db, user_id, &prefs));
    while let Some(log) = logs.next().await {
        kind.add(&log?).await?;
    }
    counts.insert(
        "fuel-logs".to_owned(),
        json!(kind.finish(&mut spooled).await?),
    );

    let (records, schedules) = mvp_maintenance::export(state, user).await?;
    spool_all(
        dir,
        "maintenance-records",
        &records,
        &mut spooled,
        &mut counts,
    )
    .await?;
    spool_all(
        dir,
        "maintenance-schedules",
        &schedules,
        &mut spooled,
        &mut counts,
    )
    .await?;

    let documents = mvp_documents::export(&state.db, user_id).await?;
    for (document, key) in &documents {
        files.push(StoredFile {
            member: format!(
                "documents/{}.{}",
                document.id,
                extension(&document.file_name)
            ),
            key: key.clone(),
        });
    }
    let list: Vec<_> = documents.into_iter().map(|(d, _)| d).collect();
    spool_all(dir, "documents", &list, &mut spooled, &mut counts).await?;

    let saved = mvp_stations::saved_stations(&state.db, user_id).await?;
    spool_all(dir, "saved-stations", &saved, &mut spooled, &mut counts).await?;
    Ok((spooled, files, counts))
}

/// Gzip over the channel: bytes in, compressed chunks out to the response.
struct Sink {
    gzip: GzEncoder<Vec<u8>>,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    digest: Option<Context>,
}

impl Sink {
    /// Adds `data` to the archive (and to the member digest being kept, if any).
    async fn put(&mut self, data: &[u8]) -> std::io::Result<()> {
        if let Some(digest) = self.digest.as_mut() {
            digest.update(data);
        }
        self.gzip.write_all(data)?;
        if self.gzip.get_ref().len() >= CHUNK {
            let chunk = std::mem::take(self.gzip.get_mut());
            self.send(chunk).await?;
        }
        Ok(())
    }

    async fn send(&self, chunk: Vec<u8>) -> std::io::Result<()> {
        self.tx
            .send(Ok(Bytes::from(chunk)))
            .await
            .map_err(|_| std::io::Error::other("the client went away"))
    }

    async fn header(&mut self, path: &str, size: u64, mtime: DateTime<Utc>) -> std::io::Result<()> {
        let mut header = tar::Header::new_ustar();
        header.set_path(path)?;
        header.set_size(size);
        header.set_mode(0o644);
        header.set_mtime(u64::try_from(mtime.timestamp()).unwrap_or(0));
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        self.put(header.as_bytes()).await
    }

    async fn pad(&mut self, size: u64) -> std::io::Result<()> {
        let rest = (512 - size % 512) % 512;
        self.put(&vec![0u8; rest as usize]).await
    }

    async fn file(
        &mut self,
        path: &str,
        source: &Path,
        size: u64,
        now: DateTime<Utc>,
    ) -> std::io::Result<()> {
        use tokio::io::AsyncReadExt as _;
        self.header(path, size, now).await?;
        let mut file = tokio::fs::File::open(source).await?;
        let mut buffer = vec![0u8; CHUNK];
        loop {
            let n = file.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            self.put(&buffer[..n]).await?;
        }
        self.pad(size).await
    }

    async fn finish(mut self) -> std::io::Result<()> {
        self.put(&[0u8; 1024]).await?;
        let Sink { gzip, tx, .. } = self;
        let rest = gzip.finish()?;
        if !rest.is_empty() {
            tx.send(Ok(Bytes::from(rest)))
                .await
                .map_err(|_| std::io::Error::other("the client went away"))?;
        }
        Ok(())
    }
}

/// Writes the archive into `tx`.
async fn produce(
    state: &AppState,
    spooled: Vec<(Member, PathBuf)>,
    files: Vec<StoredFile>,
    counts: Map<String, Value>,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
) -> std::io::Result<()> {
    let now = Utc::now();
    let mut sink = Sink {
        gzip: GzEncoder::new(Vec::with_capacity(CHUNK * 2), Compression::fast()),
        tx,
        digest: None,
    };
    let mut members: Vec<Member> = Vec::new();
    for (member, path) in spooled {
        sink.file(&member.path, &path, member.bytes, now).await?;
        members.push(member);
    }
    let mut missing = Vec::new();
    for file in files {
        let object = match state.storage.get_stream(&file.key, None).await {
            Ok(object) => object,
            Err(err) => {
                tracing::warn!(error = %err, member = %file.member, "export: a stored file is missing");
                missing.push(file.member);
                continue;
            }
        };
        sink.header(&file.member, object.size, now).await?;
        sink.digest = Some(Context::new(&SHA256));
        let mut written = 0u64;
        let mut stream = object.stream;
        while let Some(chunk) = stream.try_next().await? {
            let take = usize::try_from(object.size - written)
                .unwrap_or(usize::MAX)
                .min(chunk.len());
            sink.put(&chunk[..take]).await?;
            written += take as u64;
        }
        if written != object.size {
            return Err(std::io::Error::other(
                "a stored file changed size while it was read",
            ));
        }
        let digest = sink
            .digest
            .take()
            .map(|d| mvp_core::secret::hex(d.finish().as_ref()))
            .unwrap_or_default();
        sink.pad(object.size).await?;
        members.push(Member {
            path: file.member,
            bytes: object.size,
            sha256: digest,
        });
    }
    let manifest = json!({
        "format": FORMAT,
        "version": VERSION,
        "createdAt": now,
        "counts": counts,
        "members": members,
        "missing": missing,
    });
    let text = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    sink.header("manifest.json", text.len() as u64, now).await?;
    sink.put(&text).await?;
    sink.pad(text.len() as u64).await?;
    sink.finish().await
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
