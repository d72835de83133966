//! Types shared by the API server and the SPA: the error body, health and runtime-config DTOs, and
//! typed ids. Everything here builds for `wasm32-unknown-unknown`; server-only derives sit behind the
//! `server` feature so the SPA does not pay for them.

pub mod admin;
pub mod document;
pub mod echo;
pub mod email;
pub mod error;
pub mod export;
pub mod file_name;
pub mod fuel;
pub mod health;
pub mod ids;
pub mod limits;
pub mod maintenance;
pub mod notification;
pub mod platform;
pub mod station;
pub mod units;
pub mod user;
pub mod vehicle;
pub mod vin;
pub mod whole;

pub use email::Email;
pub use error::{ErrorBody, ErrorCode, ErrorDetail, FieldError, Invalid};
pub use health::{ComponentHealth, HealthResponse, HealthStatus, RuntimeConfig};
pub use vin::{Vin, VinError};
