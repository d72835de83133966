//! Authentication: token verification (JWKS, RS256), signing keys, and the `AuthUser` / `AdminUser`
//! extractors handlers use.

pub mod extract;
pub mod keys;
pub mod local;
pub mod verifier;

pub use extract::{AdminUser, AuthUser};
pub use keys::SigningKey;
pub use verifier::{Claims, KeySource, TokenError, TokenVerifier};
