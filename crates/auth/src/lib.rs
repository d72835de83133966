//! mvp-auth: signing up and signing in.
//!
//! * `auth.provider: local` — the backend is its own issuer: accounts with argon2id passwords,
//!   single-use e-mail verification links (via the outbox), RS256 access tokens signed with the
//!   server's key (published at `/api/auth/jwks.json`), rotating refresh tokens with reuse detection.
//! * `auth.provider: oidc` — signup and resend-verification go through the Auth0 Management API;
//!   sign-in happens at the issuer (Authorization Code + PKCE in the SPA).
//!
//! Both: terms acceptance recorded with the account, `GET /api/auth/user-status`, rate limits on
//! login, signup and resend (per IP and per account). Local only: a forgotten password reset by an
//! e-mailed single-use link, a password changed from the current one ([`recovery`]).

pub mod api;
pub mod domain;
pub mod local;
pub mod password;
pub mod recovery;
pub mod repo;

pub use recovery::confirm_password;

use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::signup))
        .routes(routes!(api::resend_verification))
        .routes(routes!(api::verify_email))
        .routes(routes!(api::login))
        .routes(routes!(api::refresh))
        .routes(routes!(api::logout))
        .routes(routes!(api::user_status))
        .routes(routes!(api::accept_terms))
        .routes(routes!(api::jwks))
        .routes(routes!(recovery::request_reset))
        .routes(routes!(recovery::confirm_reset))
        .routes(routes!(recovery::change_password))
}
