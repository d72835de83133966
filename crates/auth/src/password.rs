//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane), run on the
//! blocking pool so a burst of logins cannot stall the async workers, and at most
//! `limits.password_hashes` at once (`mvp_core::work`): a flood of logins queues, then gets 503 with
//! `Retry-After`, instead of taking 19 MiB per request.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use mvp_core::AppResult;
use mvp_core::work::Bounded;
use secrecy::{ExposeSecret, SecretString};

fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`.
pub async fn hash(work: &Bounded, password: SecretString) -> AppResult<String> {
    let hashed = work.run_blocking(move || hash_now(&password)).await??;
    Ok(hashed)
}

fn hash_now(password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&mvp_core::secret::random_bytes::<16>())
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = hasher()?
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches `stored`. With `None` (no such account) a dummy hash is checked, so
/// an unknown e-mail takes as long as a wrong password.
pub async fn verify(
    work: &Bounded,
    password: SecretString,
    stored: Option<String>,
) -> AppResult<bool> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let known = stored.is_some();
    let stored = match stored {
        Some(stored) => stored,
        None => match DUMMY.get() {
            Some(dummy) => dummy.clone(),
            None => {
                let dummy =
                    hash(work, SecretString::from(mvp_core::secret::random_token())).await?;
                DUMMY.get_or_init(|| dummy).clone()
            }
        },
    };
    let ok = work
        .run_blocking(move || -> anyhow::Result<bool> {
            let parsed =
                PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            Ok(hasher()?
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok())
        })
        .await??;
    Ok(ok && known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work() -> Bounded {
        Bounded::new("password checks", 2, 8)
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash(
            &work(),
            SecretString::from("correct horse battery".to_owned()),
        )
        .await
        .unwrap_or_default();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        let work = work();
        let ok = verify(
            &work,
            SecretString::from("correct horse battery".to_owned()),
            Some(stored.clone()),
        );
        assert!(ok.await.unwrap_or(false));
        let wrong = verify(
            &work,
            SecretString::from("correct horse battery!".to_owned()),
            Some(stored),
        );
        assert!(!wrong.await.unwrap_or(true));
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let result = verify(
            &work(),
            SecretString::from("anything at all".to_owned()),
            None,
        )
        .await;
        assert!(!result.unwrap_or(true));
    }
}
