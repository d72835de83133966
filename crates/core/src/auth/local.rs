//! The local identity provider's signing key: from the `jwt-signing-key` secret when given, else read
//! from (or generated once into) `<data dir>/keys/jwt-signing-key.pem` with owner-only permissions.

use std::path::Path;

use anyhow::Context as _;
use jsonwebtoken::jwk::JwkSet;
use secrecy::ExposeSecret;

use super::keys::SigningKey;
use crate::config::Config;

/// The key file's path under the data dir.
pub const KEY_FILE: &str = "keys/jwt-signing-key.pem";

pub fn load_or_generate(config: &Config) -> anyhow::Result<SigningKey> {
    if let Some(pem) = &config.auth.local.signing_key_pem {
        return SigningKey::from_pem(pem.expose_secret()).context(
            "auth.local.signing_key_pem (secret jwt-signing-key) is not a usable RSA key",
        );
    }
    let path = config.storage.data_dir.join(KEY_FILE);
    if path.exists() {
        let pem = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read signing key {}", path.display()))?;
        return SigningKey::from_pem(&pem)
            .with_context(|| format!("{} is not a usable RSA key", path.display()));
    }
    let key = SigningKey::generate().context("cannot generate a signing key")?;
    write_private(&path, key.pem().expose_secret())?;
    // Read back what is on disk: if another process won the race to create it, its key is the one.
    let pem = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read signing key {}", path.display()))?;
    let key = SigningKey::from_pem(&pem)
        .with_context(|| format!("{} is not a usable RSA key", path.display()))?;
    tracing::info!(kid = key.kid(), "generated a new token signing key");
    Ok(key)
}

/// The JWKS the local provider publishes at `/api/auth/jwks.json`.
pub fn jwks(key: &SigningKey) -> JwkSet {
    JwkSet {
        keys: vec![key.jwk().clone()],
    }
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Written to a temporary name and renamed, so two processes starting at once never see half a key.
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    file.write_all(content.as_bytes())?;
    file.sync_all()?;
    if path.exists() {
        // Another process won the race; use its key.
        std::fs::remove_file(&tmp)?;
        return Ok(());
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
