//! Authentication: token verification (JWKS, RS256), signing keys, and the `AuthUser` / `AdminUser`
//! extractors handlers use.

pub mod auth0;
pub mod extract;
pub mod keys;
pub mod local;
pub mod verifier;

pub use extract::{AdminUser, AuthUser, UnverifiedUser};
pub use keys::SigningKey;
pub use verifier::{Claims, KeySource, TokenError, TokenVerifier};
