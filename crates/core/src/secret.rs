//! One-time secrets (refresh tokens, e-mail verification tokens): 256 random bits, base64url for the
//! client, and only their SHA-256 stored, so a database leak gives nothing that can be replayed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A fresh random token (43 characters).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What is stored in place of the token.
pub fn hash_token(token: &str) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

/// Lower-case hex of `bytes` (digests shown or stored as text).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` random bytes from the system generator. aws-lc's generator only fails when the OS has no
/// entropy source, which would make every secret unsafe, so the process stops rather than go on.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        tracing::error!("the system random number generator failed");
        std::process::abort();
    }
    bytes
}

/// A short, stable, non-reversible key for personal data in cache keys (e.g. an e-mail in a rate
/// limit key): hex of the first 12 bytes of SHA-256.
pub fn opaque_key(value: &str) -> String {
    hash_token(value)[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_hashes_stable() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
