//! Unpacking an export archive into the staging directory on a blocking thread, checked against
//! its manifest on the way: format and version, every member's size and SHA-256, nothing unlisted,
//! no path outside the known members.

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::path::Path;

use aws_lc_rs::digest::{Context, SHA256};
use serde_json::Value;

use super::{KINDS, Unpacked};
use crate::export::{FORMAT, VERSION};

/// Whether `path` is a member an export may hold: a kind's JSON or CSV, or a file under
/// `documents/` or `images/` named `<uuid>.<ext>`.
fn known_member(path: &str) -> bool {
    if let Some((kind, ext)) = path.rsplit_once('.')
        && !kind.contains('/')
        && KINDS.contains(&kind)
        && matches!(ext, "json" | "csv")
    {
        return true;
    }
    let Some((dir, name)) = path.split_once('/') else {
        return false;
    };
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    matches!(dir, "documents" | "images")
        && uuid::Uuid::parse_str(stem).is_ok()
        && !ext.is_empty()
        && ext.len() <= 8
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn unpack(archive: &Path, dir: &Path) -> Result<Unpacked, String> {
    let file = std::fs::File::open(archive).map_err(|e| format!("cannot open the archive: {e}"))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    let mut seen: HashMap<String, (u64, String)> = HashMap::new();
    let mut json = HashMap::new();
    let mut files = HashMap::new();
    let mut manifest: Option<Value> = None;
    let entries = tar
        .entries()
        .map_err(|e| format!("not a tar.gz archive: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("the archive is damaged: {e}"))?;
        let path = entry
            .path()
            .map_err(|e| format!("a member's name cannot be read: {e}"))?
            .to_string_lossy()
            .into_owned();
        if manifest.is_some() {
            return Err(format!("{path}: a member after manifest.json"));
        }
        if path == "manifest.json" {
            let mut text = Vec::new();
            entry
                .read_to_end(&mut text)
                .map_err(|e| format!("manifest.json cannot be read: {e}"))?;
            manifest =
                Some(serde_json::from_slice(&text).map_err(|e| format!("manifest.json: {e}"))?);
            continue;
        }
        if !known_member(&path) || seen.contains_key(&path) {
            return Err(format!("{path}: not a member of a MotoVaultPro export"));
        }
        let mut digest = Context::new(&SHA256);
        let mut size = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        let keep_json = path.ends_with(".json");
        let mut text = Vec::new();
        let mut out = if keep_json || path.ends_with(".csv") {
            None
        } else {
            let target = dir.join(path.replace('/', "_"));
            let file =
                std::fs::File::create(&target).map_err(|e| format!("cannot unpack {path}: {e}"))?;
            files.insert(path.clone(), target);
            Some(std::io::BufWriter::new(file))
        };
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|e| format!("{path} cannot be read: {e}"))?;
            if n == 0 {
                break;
            }
            digest.update(&buffer[..n]);
            size += n as u64;
            if keep_json {
                text.extend_from_slice(&buffer[..n]);
            }
            if let Some(out) = out.as_mut() {
                std::io::Write::write_all(out, &buffer[..n])
                    .map_err(|e| format!("cannot unpack {path}: {e}"))?;
            }
        }
        if let Some(out) = out {
            out.into_inner()
                .map_err(|e| format!("cannot unpack {path}: {e}"))?;
        }
        if keep_json {
            json.insert(path.trim_end_matches(".json").to_owned(), text);
        }
        seen.insert(
            path,
            (size, mvp_core::secret::hex(digest.finish().as_ref())),
        );
    }
    let manifest =
        manifest.ok_or("the archive has no manifest.json (is it a MotoVaultPro export?)")?;
    if manifest["format"] != FORMAT {
        return Err("manifest.json does not describe a MotoVaultPro export".to_owned());
    }
    if manifest["version"]
        .as_u64()
        .is_none_or(|v| v > u64::from(VERSION) || v == 0)
    {
        return Err(format!(
            "the archive's format version {} is not one this server reads (1 to {VERSION})",
            manifest["version"]
        ));
    }
    let listed = manifest["members"].as_array().cloned().unwrap_or_default();
    let mut expected = HashSet::new();
    for member in &listed {
        let path = member["path"].as_str().unwrap_or_default();
        let Some((size, sha256)) = seen.get(path) else {
            return Err(format!("{path} is listed in the manifest but missing"));
        };
        if member["bytes"].as_u64() != Some(*size) || member["sha256"].as_str() != Some(sha256) {
            return Err(format!("{path} does not match its SHA-256 in the manifest"));
        }
        expected.insert(path.to_owned());
    }
    if let Some(extra) = seen.keys().find(|p| !expected.contains(*p)) {
        return Err(format!("{extra} is not listed in the manifest"));
    }
    Ok(Unpacked { json, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_members_an_export_writes() {
        assert!(known_member("fuel-logs.json"));
        assert!(known_member("saved-stations.csv"));
        assert!(known_member(
            "documents/0190a5c8-7f3e-7d4a-9d2e-1c2b3a4d5e6f.pdf"
        ));
        assert!(known_member(
            "images/0190a5c8-7f3e-7d4a-9d2e-1c2b3a4d5e6f.jpg"
        ));
        for bad in [
            "../etc/passwd",
            "documents/../../x.pdf",
            "documents/not-an-id.pdf",
            "files/backups/x.tar.gz",
            "fuel-logs.exe",
            "documents/0190a5c8-7f3e-7d4a-9d2e-1c2b3a4d5e6f.p/df",
            "notes.txt",
        ] {
            assert!(!known_member(bad), "{bad}");
        }
    }
}
