//! The rules that check the typed settings together: URLs, ranges, what one setting requires of
//! another, and the values that follow from others (the data dir, the issuer of local accounts …).
//! Every problem names its setting; all are reported at once.

use std::path::PathBuf;

use secrecy::ExposeSecret;

use super::ConfigError;
use crate::settings::*;

/// An `http(s)://…` URL setting, or a problem naming `key`.
pub(crate) fn check_http_url(key: &str, url: &str, problems: &mut Vec<(String, String)>) {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty());
    if !ok {
        problems.push((key.to_owned(), format!("{url:?} is not an http(s) URL")));
    }
}

impl Config {
    /// Fills what follows from other settings and applies the cross-field rules.
    pub(super) fn resolve_and_validate(mut self) -> Result<Self, ConfigError> {
        let mut problems: Vec<(String, String)> = Vec::new();

        if self.storage.data_dir.as_os_str().is_empty() {
            self.storage.data_dir = match self.app_env {
                AppEnv::Development | AppEnv::Test => PathBuf::from(".data"),
                AppEnv::Production => PathBuf::from("/app/data"),
            };
        }

        check_http_url("server.public_url", &self.server.public_url, &mut problems);
        for origin in &self.server.cors_origins {
            check_http_url("server.cors_origins", origin, &mut problems);
        }
        if self.server.request_timeout_secs == 0 {
            problems.push((
                "server.request_timeout_secs".into(),
                "must be at least 1".into(),
            ));
        }
        if self.server.body_limit_bytes < 1024 {
            problems.push((
                "server.body_limit_bytes".into(),
                "must be at least 1024".into(),
            ));
        }
        if self.storage.backend == StorageBackend::S3 {
            if self.storage.s3.bucket.as_deref().is_none_or(str::is_empty) {
                problems.push((
                    "storage.s3.bucket".into(),
                    "is required when storage.backend is s3".into(),
                ));
            }
            if let Some(endpoint) = self
                .storage
                .s3
                .endpoint
                .as_deref()
                .filter(|e| !e.is_empty())
            {
                check_http_url("storage.s3.endpoint", endpoint, &mut problems);
                if endpoint.starts_with("http://") && !self.storage.s3.allow_http {
                    problems.push((
                        "storage.s3.endpoint".into(),
                        "is plain HTTP; use https:// or set storage.s3.allow_http".into(),
                    ));
                }
            }
        }
        for (key, value) in [
            ("limits.image_jobs", self.limits.image_jobs),
            ("limits.password_hashes", self.limits.password_hashes),
            ("limits.ocr_requests", self.limits.ocr_requests),
        ] {
            if value == 0 {
                problems.push((key.into(), "must be at least 1".into()));
            }
        }
        if self.documents.max_bytes < 1024 {
            problems.push(("documents.max_bytes".into(), "must be at least 1024".into()));
        }
        if self.documents.quota_bytes < self.documents.max_bytes {
            problems.push((
                "documents.quota_bytes".into(),
                "must be at least documents.max_bytes".into(),
            ));
        }
        if self.documents.purge_interval_secs == 0 {
            problems.push((
                "documents.purge_interval_secs".into(),
                "must be at least 1".into(),
            ));
        }
        if self.backup.max_upload_bytes < 1024 {
            problems.push((
                "backup.max_upload_bytes".into(),
                "must be at least 1024".into(),
            ));
        }
        if self.backup.check_interval_secs == 0 {
            problems.push((
                "backup.check_interval_secs".into(),
                "must be at least 1".into(),
            ));
        }
        if self.database.max_connections == 0 {
            problems.push((
                "database.max_connections".into(),
                "must be at least 1".into(),
            ));
        }
        if self.database.acquire_timeout_secs == 0 {
            problems.push((
                "database.acquire_timeout_secs".into(),
                "must be at least 1".into(),
            ));
        }
        let db_url = self.database.connect_url();
        if !(db_url.expose_secret().starts_with("postgres://")
            || db_url.expose_secret().starts_with("postgresql://"))
        {
            problems.push((
                "database.url".into(),
                "must start with postgres:// (the value is not shown)".into(),
            ));
        }
        if let Some(url) = self.redis.url() {
            let url = url.expose_secret();
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                problems.push((
                    "redis.url".into(),
                    "must start with redis:// or rediss:// (the value is not shown)".into(),
                ));
            }
        }
        if self.auth.leeway_secs > 60 {
            problems.push(("auth.leeway_secs".into(), "must be at most 60".into()));
        }
        if self.auth.audience.trim().is_empty() {
            problems.push(("auth.audience".into(), "must not be empty".into()));
        }

        // The issuer: explicit, or from the Auth0 domain, or (local provider) our own public URL.
        if self.auth.issuer.as_deref().is_none_or(str::is_empty) {
            self.auth.issuer = match (&self.auth.auth0.domain, self.auth.provider) {
                (Some(domain), _) if !domain.is_empty() => {
                    let domain = domain.trim_start_matches("https://").trim_end_matches('/');
                    Some(format!("https://{domain}/"))
                }
                (_, AuthProvider::Local) => Some(self.server.public_url.clone()),
                (_, AuthProvider::Oidc) => None,
            };
        }
        match (&self.auth.issuer, self.auth.provider) {
            (None, _) => problems.push((
                "auth.issuer".into(),
                "required when auth.provider is oidc (or set AUTH0_DOMAIN)".into(),
            )),
            (Some(issuer), AuthProvider::Oidc) => {
                check_http_url("auth.issuer", issuer, &mut problems);
                if self.auth.jwks_url.as_deref().is_none_or(str::is_empty) {
                    let base = if issuer.ends_with('/') {
                        issuer.clone()
                    } else {
                        format!("{issuer}/")
                    };
                    self.auth.jwks_url = Some(format!("{base}.well-known/jwks.json"));
                }
                if let Some(url) = &self.auth.jwks_url {
                    check_http_url("auth.jwks_url", url, &mut problems);
                }
                // In production the keys that decide who is who come over TLS only: an http://
                // issuer lets anyone on the path swap them.
                if self.app_env == AppEnv::Production {
                    for (key, url) in [
                        ("auth.issuer", Some(issuer.as_str())),
                        ("auth.jwks_url", self.auth.jwks_url.as_deref()),
                    ] {
                        if url.is_some_and(|u| u.starts_with("http://")) {
                            problems.push((
                                key.into(),
                                "must be an https:// URL when APP_ENV is production".into(),
                            ));
                        }
                    }
                }
            }
            (Some(_), AuthProvider::Local) => {}
        }
        check_http_url("ocr.url", &self.ocr.url, &mut problems);
        self.mail.check(&mut problems);
        self.stations.check(&mut problems);
        if self.notifications.reminder_interval_secs == 0 {
            problems.push((
                "notifications.reminder_interval_secs".into(),
                "must be at least 1".into(),
            ));
        }
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            problems.push(("log.level".into(), format!("not a log filter: {err}")));
        }

        if problems.is_empty() {
            Ok(self)
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    pub fn log_format(&self) -> LogFormat {
        match (self.log.format, self.app_env) {
            (LogFormat::Auto, AppEnv::Development) => LogFormat::Pretty,
            (LogFormat::Auto, _) => LogFormat::Json,
            (format, _) => format,
        }
    }
}
