//! The archive format: a gzip-compressed tar whose members are the database tables (`db/…`, each
//! the text of a `COPY … TO STDOUT`) and the stored files (`files/<key>`), and last `manifest.json`
//! naming every member with its size and SHA-256. [`write`] builds one from staged members in one
//! pass (the archive's own SHA-256 computed on the way); [`verify`] reads one through and checks
//! every member against the manifest before anything trusts it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{Context, SHA256};
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

/// The format this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
/// A manifest larger than this is not one of ours.
const MANIFEST_MAX: u64 = 64 * 1024 * 1024;

/// What an archive holds; written last, read first by everything that uses an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format_version: u32,
    pub app_version: String,
    /// The newest database migration applied when the snapshot was taken.
    pub schema_version: i64,
    pub created_at: DateTime<Utc>,
    pub tables: Vec<TableDump>,
    pub members: Vec<Member>,
}

/// One table's rows: member `member` holds them in `COPY` text format, columns in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableDump {
    pub schema: String,
    pub name: String,
    pub columns: Vec<String>,
    pub rows: u64,
    pub member: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// A member written to a local file first (its digest taken while it was written).
#[derive(Debug, Clone)]
pub struct Staged {
    pub member: Member,
    pub path: PathBuf,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A writer that counts and hashes what goes through it.
pub struct Hashing<W> {
    inner: W,
    digest: Context,
    written: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            digest: Context::new(&SHA256),
            written: 0,
        }
    }

    /// The inner writer, the byte count and the hex SHA-256.
    pub fn finish(self) -> (W, u64, String) {
        let sha = hex(self.digest.finish().as_ref());
        (self.inner, self.written, sha)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digest.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that counts and hashes what is read through it.
struct HashingReader<R> {
    inner: R,
    digest: Context,
    read: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

fn header(size: u64, mtime: DateTime<Utc>) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(mtime.timestamp()).unwrap_or(0));
    header.set_entry_type(tar::EntryType::Regular);
    header
}

/// Writes the archive to `out` (blocking; run it off the async threads): every staged member in
/// order, then the manifest. Returns the archive's size and SHA-256.
pub fn write(manifest: &Manifest, staged: &[Staged], out: &Path) -> io::Result<(u64, String)> {
    let file = BufWriter::new(File::create(out)?);
    let gz = GzEncoder::new(Hashing::new(file), Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for s in staged {
        let mut h = header(s.member.size, manifest.created_at);
        tar.append_data(&mut h, &s.member.name, File::open(&s.path)?)?;
    }
    let json = serde_json::to_vec_pretty(manifest)?;
    let mut h = header(json.len() as u64, manifest.created_at);
    tar.append_data(&mut h, MANIFEST, json.as_slice())?;
    let gz = tar.into_inner()?;
    let hashing = gz.finish()?;
    let (mut file, size, sha) = hashing.finish();
    file.flush()?;
    file.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    Ok((size, sha))
}

/// Why an archive is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("not a MotoVaultPro backup: {0}")]
    NotAnArchive(String),
    #[error("the archive has no manifest")]
    NoManifest,
    #[error("the manifest cannot be read: {0}")]
    BadManifest(String),
    #[error("archive format {0} is newer than this version reads ({FORMAT_VERSION})")]
    NewerFormat(u32),
    #[error("member {0} is damaged: its SHA-256 or size differs from the manifest")]
    Damaged(String),
    #[error("member {0} is missing")]
    Missing(String),
    #[error("member {0} is not in the manifest")]
    Unlisted(String),
    #[error("the archive differs from the one recorded (SHA-256)")]
    NotTheRecorded,
}

/// An archive that passed [`verify`]: its manifest, and its own size and SHA-256 (to compare with
/// what was recorded when it was made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub manifest: Manifest,
    pub size: u64,
    pub sha256: String,
}

/// Reads the whole archive and checks every member's size and SHA-256 against the manifest
/// (blocking). A flipped byte that changes what the archive holds fails: in a member, its digest; in
/// the compressed stream or the tar padding, gzip's CRC (the stream is read to its end); in the
/// manifest, its parse or the digests it names. A few bytes change nothing the archive holds (the
/// gzip header's time and OS, a code length of a symbol the compressed data never uses): those are
/// caught by [`verify_recorded`], against the digest recorded when the archive was made.
pub fn verify(path: &Path) -> Result<Verified, Refused> {
    let not = |e: io::Error| Refused::NotAnArchive(e.to_string());
    let file = File::open(path).map_err(not)?;
    let raw = HashingReader {
        inner: BufReader::new(file),
        digest: Context::new(&SHA256),
        read: 0,
    };
    let mut archive = tar::Archive::new(GzDecoder::new(raw));
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest = None;
    for entry in archive.entries().map_err(not)? {
        let mut entry = entry.map_err(not)?;
        let name = entry.path().map_err(not)?.to_string_lossy().into_owned();
        if name == MANIFEST {
            let mut text = String::new();
            entry
                .by_ref()
                .take(MANIFEST_MAX)
                .read_to_string(&mut text)
                .map_err(not)?;
            let parsed: Manifest =
                serde_json::from_str(&text).map_err(|e| Refused::BadManifest(e.to_string()))?;
            manifest = Some(parsed);
            continue;
        }
        let mut sink = Hashing::new(io::sink());
        io::copy(&mut entry, &mut sink).map_err(not)?;
        let (_, size, sha) = sink.finish();
        seen.insert(name, (size, sha));
    }
    // The end-of-archive blocks and the gzip trailer (its CRC and length are checked at the end).
    let mut gz = archive.into_inner();
    io::copy(&mut gz, &mut io::sink()).map_err(not)?;
    let mut raw = gz.into_inner();
    io::copy(&mut raw, &mut io::sink()).map_err(not)?;
    let (size, sha256) = (raw.read, hex(raw.digest.finish().as_ref()));
    let manifest = manifest.ok_or(Refused::NoManifest)?;
    if manifest.format_version > FORMAT_VERSION {
        return Err(Refused::NewerFormat(manifest.format_version));
    }
    for m in &manifest.members {
        match seen.remove(&m.name) {
            None => return Err(Refused::Missing(m.name.clone())),
            Some((size, sha)) if size != m.size || sha != m.sha256 => {
                return Err(Refused::Damaged(m.name.clone()));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.into_keys().next() {
        return Err(Refused::Unlisted(extra));
    }
    Ok(Verified {
        manifest,
        size,
        sha256,
    })
}

/// [`verify`], and the archive must be byte for byte the one whose SHA-256 was recorded.
pub fn verify_recorded(path: &Path, sha256: &str) -> Result<Verified, Refused> {
    let verified = verify(path)?;
    if verified.sha256 == sha256 {
        Ok(verified)
    } else {
        Err(Refused::NotTheRecorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(dir: &Path, name: &str, bytes: &[u8]) -> Staged {
        let path = dir.join(name.replace('/', "_"));
        let mut w = Hashing::new(File::create(&path).unwrap_or_else(|e| panic!("{e}")));
        w.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
        let (_, size, sha256) = w.finish();
        Staged {
            member: Member {
                name: name.to_owned(),
                size,
                sha256,
            },
            path,
        }
    }

    fn sample(dir: &Path) -> (Manifest, Vec<Staged>) {
        let staged = vec![
            stage(dir, "db/public.vehicles", b"1\tHonda\n2\tMazda\n"),
            stage(dir, "files/documents/ab/x.pdf", &[7u8; 100_000]),
        ];
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            app_version: "test".to_owned(),
            schema_version: 1,
            created_at: Utc::now(),
            tables: Vec::new(),
            members: staged.iter().map(|s| s.member.clone()).collect(),
        };
        (manifest, staged)
    }

    #[test]
    fn an_archive_verifies_and_any_flipped_byte_is_refused() {
        let dir = std::env::temp_dir().join(format!("mvp-archive-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let (manifest, staged) = sample(&dir);
        let out = dir.join("a.tar.gz");
        let (size, sha) = write(&manifest, &staged, &out).unwrap_or_else(|e| panic!("{e}"));
        let bytes = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(size, bytes.len() as u64);
        let mut digest = Context::new(&SHA256);
        digest.update(&bytes);
        assert_eq!(sha, hex(digest.finish().as_ref()));
        let verified = verify(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(verified.manifest, manifest);
        assert_eq!(
            (verified.size, verified.sha256.as_str()),
            (size, sha.as_str())
        );

        // Every byte flipped in turn, header to trailer: never accepted as the recorded archive;
        // where the content still verifies, it is the content that was written.
        let path = dir.join("broken.tar.gz");
        let mut same_content = 0;
        for at in 0..bytes.len() {
            let mut broken = bytes.clone();
            broken[at] ^= 0x55;
            std::fs::write(&path, &broken).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                verify_recorded(&path, &sha).is_err(),
                "a flipped byte at {at} was accepted"
            );
            if let Ok(v) = verify(&path) {
                assert_eq!(v.manifest, manifest, "byte {at}");
                same_content += 1;
            }
        }
        assert!(verify(&out).is_ok() && verify_recorded(&out, &sha).is_ok());
        // For the record (57 of 1,046 when written): header bytes and unused Huffman code lengths.
        eprintln!(
            "{same_content} of {} flips changed nothing the archive holds",
            bytes.len()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
