//! The archive format: a gzip-compressed tar whose members are the database tables (`db/…`, each
//! the text of a `COPY … TO STDOUT`) and the stored files (`files/<key>`), and last `manifest.json`
//! naming every member with its size and SHA-256. After the compressed tar comes a second, tiny
//! gzip member, the seal: the SHA-256 of every byte before it, so that no byte of the file can
//! change unnoticed (not even one a decompressor ignores, like the gzip header's time). `gunzip`
//! and `tar` read the whole as one archive (the seal's text lands after the tar's end and is
//! ignored). [`write`] builds one from staged members in one pass (the archive's own SHA-256
//! computed on the way); [`verify`] reads one through and checks the seal and every member against
//! the manifest before anything trusts it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{Context, SHA256};
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

/// The format this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
/// The storage prefixes of user files (members `files/<prefix>/…`); nothing else is restored into
/// storage. Backups themselves (`backups/`) are not backed up.
pub const FILE_PREFIXES: &[&str] = &["documents", "vehicle-images"];
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

    /// The SHA-256 of what has been written so far.
    fn digest_so_far(&self) -> Vec<u8> {
        self.digest.clone().finish().as_ref().to_vec()
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

/// A buffered reader that hashes the bytes its user consumes, no more: after the gzip decoder has
/// read the first member to its end, the digest is exactly that member's.
struct Consumed<R> {
    inner: BufReader<R>,
    digest: Context,
    read: u64,
}

impl<R: Read> Read for Consumed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Consumed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.inner.buffer().len());
        self.digest.update(&self.inner.buffer()[..amount]);
        self.read += amount as u64;
        self.inner.consume(amount);
    }
}

/// The seal that follows the compressed tar: a gzip member (fixed header, one stored block) whose
/// text names the SHA-256 of every byte before it. Built the same way by [`write`] and [`verify`],
/// which compares it byte for byte.
fn seal(sealed_sha256: &[u8]) -> Vec<u8> {
    let text = format!("MotoVaultPro archive seal: sha256 {}\n", hex(sealed_sha256));
    let data = text.as_bytes();
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    // ID1 ID2, deflate, no flags, no time, no extra flags, OS unknown.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    // The final block, stored: BFINAL = 1, BTYPE = 00, then LEN and its complement.
    out.push(1);
    out.extend(len.to_le_bytes());
    out.extend((!len).to_le_bytes());
    out.extend(data);
    out.extend(crc.sum().to_le_bytes());
    out.extend(crc.amount().to_le_bytes());
    out
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
    let mut hashing = gz.finish()?;
    let sealed = hashing.digest_so_far();
    hashing.write_all(&seal(&sealed))?;
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
    #[error("member {0} is not one a backup holds")]
    Unexpected(String),
    #[error("the archive is damaged or altered: its seal does not match its content")]
    Unsealed,
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

/// Reads the whole archive and checks it (blocking): the seal against every byte before it (any
/// flipped, added or missing byte fails, even one a decompressor would ignore), gzip's CRC, every
/// member's size and SHA-256 against the manifest, and that the members are what a backup holds
/// (one per table of the manifest, user files under [`FILE_PREFIXES`], nothing else).
pub fn verify(path: &Path) -> Result<Verified, Refused> {
    let not = |e: io::Error| Refused::NotAnArchive(e.to_string());
    let file = File::open(path).map_err(not)?;
    let raw = Consumed {
        inner: BufReader::with_capacity(256 * 1024, file),
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
    // The end-of-archive blocks and the gzip trailer (its CRC and length are checked at the end),
    // then the seal, which must be exactly the one for the bytes before it, and the file's end.
    let mut gz = archive.into_inner();
    io::copy(&mut gz, &mut io::sink()).map_err(not)?;
    let mut raw = gz.into_inner();
    let expected = seal(raw.digest.clone().finish().as_ref());
    let mut rest = Vec::with_capacity(expected.len() + 1);
    raw.by_ref()
        .take(expected.len() as u64 + 1)
        .read_to_end(&mut rest)
        .map_err(not)?;
    if rest != expected {
        return Err(Refused::Unsealed);
    }
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
    expected_members(&manifest)?;
    Ok(Verified {
        manifest,
        size,
        sha256,
    })
}

/// Whether `name` is a user file's member: `files/<prefix>/…` with plain, non-empty segments.
pub fn is_file_member(name: &str) -> bool {
    let mut segments = name.split('/');
    segments.next() == Some("files")
        && segments.next().is_some_and(|p| FILE_PREFIXES.contains(&p))
        && {
            let rest: Vec<&str> = segments.collect();
            !rest.is_empty()
                && rest
                    .iter()
                    .all(|s| !s.is_empty() && *s != "." && *s != ".." && !s.contains('\\'))
        }
}

/// Each table's member is `db/<schema>.<table>.copy` and among the members; every other member is
/// a user file. A restore puts nothing anywhere else.
fn expected_members(manifest: &Manifest) -> Result<(), Refused> {
    let mut tables = std::collections::BTreeSet::new();
    for t in &manifest.tables {
        let name = format!("db/{}.{}.copy", t.schema, t.name);
        if t.member != name || !manifest.members.iter().any(|m| m.name == name) {
            return Err(Refused::Unexpected(t.member.clone()));
        }
        tables.insert(name);
    }
    match manifest
        .members
        .iter()
        .find(|m| !tables.contains(&m.name) && !is_file_member(&m.name))
    {
        Some(m) => Err(Refused::Unexpected(m.name.clone())),
        None => Ok(()),
    }
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

    fn sample(dir: &Path, file_member: &str) -> (Manifest, Vec<Staged>) {
        let staged = vec![
            stage(dir, "db/public.vehicles.copy", b"1\tHonda\n2\tMazda\n"),
            stage(dir, file_member, &[7u8; 100_000]),
        ];
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            app_version: "test".to_owned(),
            schema_version: 1,
            created_at: Utc::now(),
            tables: vec![TableDump {
                schema: "public".to_owned(),
                name: "vehicles".to_owned(),
                columns: vec!["id".to_owned(), "make".to_owned()],
                rows: 2,
                member: "db/public.vehicles.copy".to_owned(),
            }],
            members: staged.iter().map(|s| s.member.clone()).collect(),
        };
        (manifest, staged)
    }

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mvp-archive-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        dir
    }

    #[test]
    fn an_archive_verifies_and_every_flipped_byte_is_refused() {
        let dir = scratch();
        let (manifest, staged) = sample(&dir, "files/documents/ab/x.pdf");
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

        // Every byte flipped in turn, header to seal: refused, whatever the byte was.
        let path = dir.join("broken.tar.gz");
        for at in 0..bytes.len() {
            let mut broken = bytes.clone();
            broken[at] ^= 0x55;
            std::fs::write(&path, &broken).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                verify(&path).is_err(),
                "a flipped byte at {at} was accepted"
            );
        }
        // A byte added at the end, or the last one missing.
        let mut longer = bytes.clone();
        longer.push(0);
        std::fs::write(&path, &longer).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(verify(&path), Err(Refused::Unsealed));
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(verify(&path), Err(Refused::Unsealed));
        assert!(verify(&out).is_ok() && verify_recorded(&out, &sha).is_ok());
        assert_eq!(
            verify_recorded(&out, &"0".repeat(64)),
            Err(Refused::NotTheRecorded)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn gunzip_and_tar_read_a_sealed_archive_as_one() {
        let dir = scratch();
        let (manifest, staged) = sample(&dir, "files/vehicle-images/v/1.jpg");
        let out = dir.join("a.tar.gz");
        write(&manifest, &staged, &out).unwrap_or_else(|e| panic!("{e}"));
        // As `tar xzf` reads it: every gzip member in turn, the seal's text after the tar's end.
        let file = File::open(&out).unwrap_or_else(|e| panic!("{e}"));
        let mut tar = tar::Archive::new(flate2::read::MultiGzDecoder::new(file));
        let names: Vec<String> = tar
            .entries()
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|e| {
                let e = e.unwrap_or_else(|e| panic!("{e}"));
                e.path()
                    .unwrap_or_else(|e| panic!("{e}"))
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "db/public.vehicles.copy",
                "files/vehicle-images/v/1.jpg",
                MANIFEST
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn members_other_than_tables_and_user_files_are_refused() {
        for name in [
            "files/backups/other.tar.gz",
            "files/keys/jwt.pem",
            "files/documents",
            "notes.txt",
        ] {
            let dir = scratch();
            let (manifest, staged) = sample(&dir, name);
            let out = dir.join("a.tar.gz");
            write(&manifest, &staged, &out).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(verify(&out), Err(Refused::Unexpected(name.to_owned())));
            let _ = std::fs::remove_dir_all(&dir);
        }
        assert!(is_file_member("files/documents/ab/x.pdf"));
        // (The tar writer refuses to write these, so they are checked here alone.)
        for name in [
            "files/documents/./x.pdf",
            "files/documents/../../etc/passwd",
            "files/documents/",
            "files//documents/x",
        ] {
            assert!(!is_file_member(name), "{name}");
        }
    }
}
