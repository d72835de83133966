//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane), run on the
//! blocking pool so a burst of logins cannot stall the async workers.

use std::sync::OnceLock;

use anyhow::Context as _;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`.
pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&mvp_core::secret::random_bytes::<16>())
            .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        let hash = hasher()?
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
        Ok(hash.to_string())
    })
    .await
    .context("hashing task failed")?
}

/// Whether `password` matches `stored`. With `None` (no such account) a dummy hash is checked, so
/// an unknown e-mail takes as long as a wrong password.
pub async fn verify(password: SecretString, stored: Option<String>) -> anyhow::Result<bool> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let known = stored.is_some();
    let stored = match stored {
        Some(stored) => stored,
        None => match DUMMY.get() {
            Some(dummy) => dummy.clone(),
            None => {
                let dummy = hash(SecretString::from(mvp_core::secret::random_token())).await?;
                DUMMY.get_or_init(|| dummy).clone()
            }
        },
    };
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let ok = hasher()?
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await
    .context("verification task failed")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash(SecretString::from("correct horse battery".to_owned()))
            .await
            .unwrap_or_default();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        let ok = verify(
            SecretString::from("correct horse battery".to_owned()),
            Some(stored.clone()),
        );
        assert!(ok.await.unwrap_or(false));
        let wrong = verify(
            SecretString::from("correct horse battery!".to_owned()),
            Some(stored),
        );
        assert!(!wrong.await.unwrap_or(true));
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let result = verify(SecretString::from("anything at all".to_owned()), None).await;
        assert!(!result.unwrap_or(true));
    }
}
