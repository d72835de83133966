//! RSA signing keys: generated with aws-lc, stored as PKCS#8 PEM, published as a JWK (`kid` derived
//! from the public key). The local identity provider signs with one; the test issuer with several.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, Jwk, KeyAlgorithm, PublicKeyUse, RSAKeyParameters,
    RSAKeyType,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not generate an RSA key")]
    Generate,
    #[error("the signing key is not an RSA private key in PEM form")]
    Parse,
    #[error("could not sign a token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// An RS256 signing key with its public JWK.
pub struct SigningKey {
    pem: SecretString,
    encoding: EncodingKey,
    jwk: Jwk,
    kid: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh 2048-bit key.
    pub fn generate() -> Result<Self, KeyError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
        let der = AsDer::<Pkcs8V1Der>::as_der(&pair).map_err(|_| KeyError::Generate)?;
        Self::from_pem(&pem_encode("PRIVATE KEY", der.as_ref()))
    }

    /// Reads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = pem_decode(pem).ok_or(KeyError::Parse)?;
        let pair = match label.as_str() {
            "PRIVATE KEY" => KeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => KeyPair::from_der(&der),
            _ => return Err(KeyError::Parse),
        }
        .map_err(|_| KeyError::Parse)?;
        let (n, e) = rsa_public_components(pair.public_key().as_ref()).ok_or(KeyError::Parse)?;
        let kid = key_id(&n, &e);
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| KeyError::Parse)?;
        let jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::RS256),
                key_id: Some(kid.clone()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::RSA(RSAKeyParameters {
                key_type: RSAKeyType::RSA,
                n: URL_SAFE_NO_PAD.encode(&n),
                e: URL_SAFE_NO_PAD.encode(&e),
            }),
        };
        Ok(Self {
            pem: SecretString::from(pem.to_owned()),
            encoding,
            jwk,
            kid,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public half, as published in a JWKS.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The private key as PEM, for storing it in the data dir.
    pub fn pem(&self) -> &SecretString {
        &self.pem
    }

    /// The public key as PEM (`BEGIN PUBLIC KEY`): used by tests for the HS256-with-public-key attack.
    pub fn public_pem(&self) -> Result<String, KeyError> {
        let (_, der) = pem_decode(self.pem.expose_secret()).ok_or(KeyError::Parse)?;
        let pair = KeyPair::from_pkcs8(&der).map_err(|_| KeyError::Parse)?;
        let spki = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(
            pair.public_key(),
        )
        .map_err(|_| KeyError::Parse)?;
        Ok(pem_encode("PUBLIC KEY", spki.as_ref()))
    }

    /// Signs `claims` as an RS256 JWT with this key's `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, KeyError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }
}

/// `kid` = base64url of the first 12 bytes of SHA-256(n ‖ e): stable for a key, distinct across keys.
fn key_id(n: &[u8], e: &[u8]) -> String {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(n);
    ctx.update(e);
    let digest = ctx.finish();
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12])
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn pem_decode(pem: &str) -> Option<(String, Vec<u8>)> {
    let start = pem.find("-----BEGIN ")?;
    let rest = &pem[start + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_owned();
    let body_start = label_end + 5;
    let end_marker = format!("-----END {label}-----");
    let body_end = rest.find(&end_marker)?;
    let body: String = rest[body_start..body_end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Some((label, STANDARD.decode(body).ok()?))
}

/// Reads `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017) and
/// returns both integers big-endian without leading zero bytes.
fn rsa_public_components(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (tag, seq, _) = der_item(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag_n, n, rest) = der_item(seq)?;
    let (tag_e, e, _) = der_item(rest)?;
    if tag_n != 0x02 || tag_e != 0x02 {
        return None;
    }
    let strip = |b: &[u8]| {
        let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        b[first..].to_vec()
    };
    Some((strip(n), strip(e)))
}

/// One DER TLV: (tag, contents, the bytes after it).
fn der_item(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first_len = *input.get(1)?;
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2)
    } else {
        let count = usize::from(first_len & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + count)
    };
    let contents = input.get(header..header + len)?;
    Some((tag, contents, &input[header + len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_through_pem_with_the_same_kid() {
        let key = SigningKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let again =
            SigningKey::from_pem(key.pem().expose_secret()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.kid(), again.kid());
        let AlgorithmParameters::RSA(rsa) = &key.jwk().algorithm else {
            panic!("not an RSA JWK");
        };
        assert_eq!(rsa.e, "AQAB");
        // 2048-bit modulus = 256 bytes = 342 base64url characters.
        assert_eq!(rsa.n.len(), 342);
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert!(
            SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
        assert!(SigningKey::from_pem("hello").is_err());
    }
}
