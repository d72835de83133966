//! Writing the archive: the spooled files, the stored files and last `manifest.json` as a gzip'd
//! tar, in chunks into the channel the response body drains ([`produce`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{Context, SHA256};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::TryStreamExt as _;
use mvp_core::AppState;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use super::{CHUNK, FORMAT, Member, StoredFile, VERSION};

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
pub(super) async fn produce(
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
