//! The typed settings, section by section. Deserialised once from the merged layers (layers.rs), so a
//! wrong type or an unknown key is reported with its dotted path; the rules across settings are in
//! validate.rs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppEnv {
    Development,
    Production,
    Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthProvider {
    Local,
    Oidc,
}

impl AuthProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Oidc => "oidc",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HstsMode {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Auto,
    Json,
    Pretty,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub app_env: AppEnv,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub redis: RedisConfig,
    pub auth: AuthConfig,
    pub storage: StorageConfig,
    pub documents: DocumentsConfig,
    pub backup: BackupConfig,
    pub limits: LimitsConfig,
    pub ocr: OcrConfig,
    pub log: LogConfig,
    pub mail: crate::MailConfig,
    pub notifications: crate::NotificationsConfig,
    pub stations: crate::StationsConfig,
    pub admin: AdminConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(deserialize_with = "de_socket_addr")]
    pub bind: SocketAddr,
    pub static_dir: Option<PathBuf>,
    pub public_url: String,
    pub cors_origins: Vec<String>,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    pub shutdown_grace_secs: u64,
    /// How long a user's hot reads are kept between their writes (`mvp_core::reads`); 0 = off.
    pub read_cache_secs: u64,
    pub read_cache_mib: u64,
    pub hsts: HstsMode,
    pub trust_proxy_headers: bool,
    /// Peers whose `X-Forwarded-For` entries are believed (Traefik on the internal network).
    pub trusted_proxies: Vec<crate::Cidr>,
}

impl ServerConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
    pub fn read_cache_ttl(&self) -> Duration {
        Duration::from_secs(self.read_cache_secs)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: Option<SecretString>,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<SecretString>,
    pub name: String,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    pub startup_wait_secs: u64,
    pub run_migrations: bool,
}

impl DatabaseConfig {
    /// The URL to connect with. A password from a secret file is put into a URL that has none.
    pub fn connect_url(&self) -> SecretString {
        let password = self
            .password
            .as_ref()
            .map(|p| percent_encode(p.expose_secret()));
        match &self.url {
            Some(url) => with_password(url, self.password.as_ref()),
            None => {
                let auth = match &password {
                    Some(pw) => format!("{}:{pw}", self.user),
                    None => self.user.clone(),
                };
                SecretString::from(format!(
                    "postgres://{auth}@{}:{}/{}",
                    self.host, self.port, self.name
                ))
            }
        }
    }

    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.acquire_timeout_secs)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    url: Option<SecretString>,
    pub host: Option<String>,
    pub port: u16,
    pub password: Option<SecretString>,
    pub key_prefix: String,
    pub timeout_ms: u64,
}

impl RedisConfig {
    /// The Redis URL, or `None` when Redis is not configured (an in-process cache serves then).
    pub fn url(&self) -> Option<SecretString> {
        let password = self
            .password
            .as_ref()
            .map(|p| percent_encode(p.expose_secret()));
        if let Some(url) = &self.url {
            let url = url.expose_secret();
            return Some(match (&password, url.split_once("://")) {
                (Some(pw), Some((scheme, rest))) if !rest.contains('@') => {
                    SecretString::from(format!("{scheme}://:{pw}@{rest}"))
                }
                _ => SecretString::from(url.to_owned()),
            });
        }
        let host = self.host.as_ref()?;
        let auth = password.map(|pw| format!(":{pw}@")).unwrap_or_default();
        Some(SecretString::from(format!(
            "redis://{auth}{host}:{}",
            self.port
        )))
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub provider: AuthProvider,
    pub issuer: Option<String>,
    pub audience: String,
    pub jwks_url: Option<String>,
    pub client_id: Option<String>,
    pub jwks_cache_secs: u64,
    pub jwks_refetch_cooldown_secs: u64,
    pub jwks_fetch_timeout_ms: u64,
    pub leeway_secs: u64,
    pub require_verified_email: bool,
    pub terms_version: String,
    pub rate_limits: RateLimitConfig,
    pub auth0: Auth0Config,
    pub local: LocalAuthConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    pub login_per_minute: u64,
    /// Failed logins of one account from one IP (a /64 for IPv6) before waits begin; an account's
    /// failures from all addresses together get ten times as many.
    pub login_free_failures: u64,
    /// The longest wait between attempts after failures.
    pub login_max_wait_secs: u64,
    pub signup_per_hour: u64,
    pub resend_per_hour: u64,
}

impl AuthConfig {
    /// The issuer every accepted token must name (filled in by validation, so present after load).
    pub fn issuer(&self) -> &str {
        self.issuer.as_deref().unwrap_or_default()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth0Config {
    pub domain: Option<String>,
    pub management_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub connection: String,
}

impl Auth0Config {
    /// Base URL of the Management API (`https://<domain>` unless overridden).
    pub fn management_base(&self) -> Option<String> {
        self.management_url
            .clone()
            .filter(|u| !u.is_empty())
            .or_else(|| {
                self.domain.as_ref().map(|d| {
                    format!(
                        "https://{}",
                        d.trim_start_matches("https://").trim_end_matches('/')
                    )
                })
            })
            .map(|u| u.trim_end_matches('/').to_owned())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalAuthConfig {
    pub signing_key_pem: Option<SecretString>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_days: u64,
    /// A sign-in's refresh tokens end this many days after it, however often they are rotated.
    pub refresh_family_max_days: u64,
    pub verification_ttl_hours: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    #[serde(default, deserialize_with = "de_data_dir")]
    pub data_dir: PathBuf,
    pub image_max_bytes: usize,
    pub backend: StorageBackend,
    pub s3: S3Config,
}

/// Where documents and images are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// Files under `storage.data_dir` (one machine).
    Local,
    /// An S3-compatible bucket (AWS, MinIO, Ceph, R2 …), shared by several replicas.
    S3,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    pub bucket: Option<String>,
    /// `https://…` of an S3-compatible service; empty for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<SecretString>,
    pub secret_access_key: Option<SecretString>,
    /// Allow a plain-HTTP endpoint (a service on a private network).
    pub allow_http: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// What one user's live documents may add up to, in bytes.
    pub quota_bytes: u64,
    /// Days a deleted document's bytes are kept before the purge job removes them.
    pub retention_days: u32,
    /// How often the purge job runs.
    pub purge_interval_secs: u64,
}

/// Whole-instance backups (the schedules and retention are settings in the database).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// Largest archive accepted by the upload, in bytes.
    pub max_upload_bytes: u64,
    /// How often the scheduler looks whether a scheduled backup is due.
    pub check_interval_secs: u64,
}

/// How much heavy work runs at once (`mvp_core::work`); more waits, up to `queue`, then 503.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Vehicle photos decoded at once (each up to 160 MiB of pixels).
    pub image_jobs: usize,
    /// argon2id hashes or verifications at once (19 MiB each).
    pub password_hashes: usize,
    /// Files forwarded to the OCR service at once.
    pub ocr_requests: usize,
    /// Requests of each kind that may wait for a turn.
    pub queue: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcrConfig {
    pub url: String,
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    pub bootstrap: Vec<String>,
}

fn de_socket_addr<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "{text:?} is not a socket address (expected e.g. 0.0.0.0:3001)"
        ))
    })
}

/// `null` becomes an empty path, replaced by the environment's default during validation.
fn de_data_dir<'de, D: serde::Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    Ok(Option::<PathBuf>::deserialize(d)?.unwrap_or_default())
}

/// `url` with `password` (from a secret file) put in when the URL names a user without one.
pub(crate) fn with_password(url: &SecretString, password: Option<&SecretString>) -> SecretString {
    let text = url.expose_secret();
    let (Some(password), Some((scheme, rest))) = (password, text.split_once("://")) else {
        return url.clone();
    };
    match rest.split_once('@') {
        Some((user, host)) if !user.contains(':') => SecretString::from(format!(
            "{scheme}://{user}:{}@{host}",
            percent_encode(password.expose_secret())
        )),
        _ => url.clone(),
    }
}

/// `text` percent-encoded as one URL component (RFC 3986 unreserved characters kept).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
