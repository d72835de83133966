//! mvp-config: configuration, loaded and validated once at start (DESIGN.md "Configuration").
//! Its own crate (no HTTP, database or async dependency) so the fuzz target over configuration values
//! builds in seconds; mvp-core re-exports it as `mvp_core::config`.
//!
//! Layers, later wins: built-in defaults (`defaults.yml`) → `config/shared.yml` → the file at
//! `CONFIG_PATH` → conventional variables (`DATABASE_URL`, `REDIS_URL`, `AUTH0_DOMAIN`, …) →
//! `MVP_<SECTION>__<KEY>` variables → secret files in `SECRETS_DIR` (and `MVP_…_FILE`). Every layer is
//! a figment provider; the merge is deserialised once, so an error names the key it is about and the
//! layer its value came from.

mod cidr;
mod layers;
mod mail;
mod settings;
mod stations;
mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use cidr::Cidr;
pub use layers::{ConfigSource, variable_names};
pub use mail::{MailConfig, MailTransport, NotificationsConfig};
pub use settings::*;
pub use stations::StationsConfig;

/// A configuration that cannot be used. The message always names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("invalid configuration: {}", format_problems(.0))]
    Invalid(Vec<(String, String)>),
}

fn format_problems(problems: &[(String, String)]) -> String {
    problems
        .iter()
        .map(|(key, message)| format!("{key}: {message}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConfigError {
    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![(key.into(), message.into())])
    }
}

impl Config {
    /// Loads from the process environment and the files it points at.
    pub fn load() -> Result<Self, ConfigError> {
        ConfigSource::from_process().load()
    }

    /// Loads from an explicit environment (tests): `vars` stands for the process environment.
    pub fn load_from_vars(vars: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        ConfigSource::from_vars(vars).load()
    }
}
