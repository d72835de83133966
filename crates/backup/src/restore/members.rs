//! An archive's members written under the restore's directory, each name checked to stay inside
//! it and each digest checked again on the way.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::RestoreError;
use crate::archive::{self, Manifest, Refused};

/// Where an unpacked member lives (names are checked by [`unpack`] to stay inside `dir`).
pub(crate) fn member_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// Writes every member of the (verified) archive under `dir`, refusing a name that would leave it,
/// and checks each member's digest again against `manifest` while writing.
pub(crate) fn unpack(
    archive_path: &Path,
    dir: &Path,
    manifest: &Manifest,
) -> Result<(), RestoreError> {
    use std::io::Write as _;
    let file = std::fs::File::open(archive_path).context("cannot open the archive")?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    for entry in tar.entries().context("cannot read the archive")? {
        let mut entry = entry.context("cannot read the archive")?;
        let name = entry
            .path()
            .context("a member without a name")?
            .to_string_lossy()
            .into_owned();
        if name == archive::MANIFEST {
            continue;
        }
        let Some(listed) = manifest.members.iter().find(|m| m.name == name) else {
            return Err(Refused::Unlisted(name).into());
        };
        let safe = Path::new(&name)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe {
            return Err(Refused::NotAnArchive(format!("member name {name:?}")).into());
        }
        let target = member_path(dir, &name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).context("cannot unpack")?;
        }
        let mut out = archive::Hashing::new(std::io::BufWriter::new(
            std::fs::File::create(&target).context("cannot unpack")?,
        ));
        std::io::copy(&mut entry, &mut out).context("cannot unpack")?;
        let (writer, size, sha) = out.finish();
        writer
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .context("cannot unpack")?
            .flush()
            .context("cannot unpack")?;
        if size != listed.size || sha != listed.sha256 {
            return Err(Refused::Damaged(name).into());
        }
    }
    Ok(())
}
