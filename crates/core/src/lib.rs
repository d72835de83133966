//! mvp-core: what every feature crate builds on — configuration, telemetry, `AppError` and the error
//! body, extractors (`AuthUser`, `AdminUser`, `AppJson`), `AppState`, the Postgres pool and migrator,
//! the cache, kept reads, token verification, health and the HTTP middleware stack.

pub mod admin;
pub mod auth;
pub mod cache;
pub mod client;
pub use mvp_config as config;
pub mod db;
pub mod error;
pub mod extract;
pub mod health;
pub mod http;
pub mod maintenance;
pub mod outbox;
pub mod pagination;
pub mod ratelimit;
pub mod reads;
pub mod secret;
pub mod sniff;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod validate;
pub mod work;

pub use auth::{AdminUser, AuthUser, UnverifiedUser};
pub use cache::Cache;
pub use client::ClientInfo;
pub use config::Config;
pub use error::{AppError, AppResult, DbResultExt};
pub use extract::AppJson;
pub use pagination::Page;
pub use state::AppState;
