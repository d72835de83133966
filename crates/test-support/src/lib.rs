//! Test harness for MotoVaultPro: `spawn_app()` (the real router on port 0 with a fresh database per
//! test cloned from a migrated template, its own Redis key prefix and data dir), a stub OIDC issuer
//! that serves a JWKS over HTTP and mints good and bad tokens, throwaway Postgres/Redis servers for
//! fault tests, and diagnostic routes that exist only in tests.

pub mod app;
pub mod bomb;
pub mod db;
pub mod fakes;
mod helpers;
pub mod issuer;
pub mod mail;
pub mod routes;
pub mod services;

pub use app::{TestApp, TestAppBuilder, spawn_app};
pub use issuer::StubIssuer;
pub use mail::SmtpSink;
pub use services::{TempPostgres, TempRedis, TempS3};

/// A free TCP port on 127.0.0.1 (bound and released; good enough for a child process to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(prefix: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}
