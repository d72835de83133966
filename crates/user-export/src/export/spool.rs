//! Spooling the user's records: each kind to `<kind>.json` and `<kind>.csv` in the export's
//! directory, hashed and counted on the way, and the list of the stored files to add ([`prepare`]).

use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{Context, SHA256};
use futures_util::StreamExt as _;
use mvp_core::{AppResult, AppState, AuthUser};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncWriteExt as _, BufWriter};

use super::{CHUNK, Member, StoredFile, internal};
use crate::csv_out;

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
pub(super) async fn prepare(
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
