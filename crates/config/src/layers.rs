//! The configuration layers — defaults, files, variables, secret files — each a figment provider,
//! merged (later wins) and extracted into the typed [`Config`] in one pass, so an error names the
//! setting and the layer it came from. Environment variables are typed like the setting's default
//! (`defaults.yml` declares every setting), so a typo in a name is an error, not silence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::value::{Dict, Empty, Value as FigmentValue};
use figment::{Figment, Metadata, Profile, Provider};
use serde_json::{Map, Value};

use super::{Config, ConfigError};

const DEFAULTS: &str = include_str!("defaults.yml");
const ENV_PREFIX: &str = "MVP_";

/// Secret file names (as mounted at `/run/secrets/<name>`) and the setting each one fills.
const SECRET_FILES: &[(&str, &[&str])] = &[
    ("postgres-password", &["database", "password"]),
    ("redis-password", &["redis", "password"]),
    ("jwt-signing-key", &["auth", "local", "signing_key_pem"]),
    ("auth0-client-secret", &["auth", "auth0", "client_secret"]),
    ("resend-api-key", &["mail", "resend_api_key"]),
    ("smtp-url", &["mail", "smtp_url"]),
    ("smtp-password", &["mail", "smtp_password"]),
    ("google-maps-api-key", &["stations", "google_api_key"]),
    ("s3-access-key-id", &["storage", "s3", "access_key_id"]),
    (
        "s3-secret-access-key",
        &["storage", "s3", "secret_access_key"],
    ),
];

/// The names the seed stack and most tools use, and the setting each fills.
const CONVENTIONAL: &[(&str, &[&str])] = &[
    ("APP_ENV", &["app_env"]),
    ("DATABASE_URL", &["database", "url"]),
    ("DATABASE_HOST", &["database", "host"]),
    ("REDIS_URL", &["redis", "url"]),
    ("REDIS_HOST", &["redis", "host"]),
    ("AUTH0_DOMAIN", &["auth", "auth0", "domain"]),
    ("AUTH0_AUDIENCE", &["auth", "audience"]),
];

/// Where configuration comes from: a snapshot of the environment variables plus the files they name.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    vars: BTreeMap<String, String>,
    /// Directory holding `shared.yml`; `CONFIG_DIR` or `./config`.
    config_dir: PathBuf,
}

impl ConfigSource {
    pub fn from_process() -> Self {
        Self::from_vars(std::env::vars().collect())
    }

    pub fn from_vars(vars: BTreeMap<String, String>) -> Self {
        let config_dir = vars
            .get("CONFIG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("config"));
        Self { vars, config_dir }
    }

    pub fn load(&self) -> Result<Config, ConfigError> {
        let config: Config = self
            .figment()?
            .extract()
            .map_err(|e| ConfigError::Invalid(problems(e)))?;
        config.resolve_and_validate()
    }

    /// Every layer as a figment provider, later wins: defaults, `shared.yml`, `CONFIG_PATH`,
    /// conventional variables, `MVP_` variables, secret files.
    fn figment(&self) -> Result<Figment, ConfigError> {
        let defaults: Value = serde_yaml_ng::from_str(DEFAULTS)
            .map_err(|e| ConfigError::invalid("defaults.yml", e.to_string()))?;
        let mut figment =
            Figment::new().merge(Layer::new("the built-in defaults", defaults.clone()));
        let shared = self.config_dir.join("shared.yml");
        if shared.exists() {
            figment = figment.merge(Layer::file(&shared)?);
        }
        if let Some(path) = self.vars.get("CONFIG_PATH").filter(|p| !p.is_empty()) {
            figment = figment.merge(Layer::file(Path::new(path))?);
        }
        let mut conventional = Value::Object(Map::new());
        self.apply_conventional(&mut conventional);
        let mut prefixed = Value::Object(Map::new());
        self.apply_prefixed(&mut prefixed, &defaults)?;
        let mut secrets = Value::Object(Map::new());
        self.apply_secret_files(&mut secrets)?;
        Ok(figment
            .merge(Layer::new("a conventional variable", conventional))
            .merge(Layer::new("an MVP_ variable", prefixed))
            .merge(Layer::new("a secret file", secrets)))
    }

    /// `DATABASE_URL`, `REDIS_URL`, `AUTH0_DOMAIN` … — the names the seed stack and most tools use.
    fn apply_conventional(&self, tree: &mut Value) {
        for (var, path) in CONVENTIONAL {
            if let Some(value) = self.vars.get(*var).filter(|v| !v.is_empty()) {
                set_path(tree, path, Value::String(value.clone()));
            }
        }
    }

    /// `MVP_SERVER__BIND=…` → `server.bind`. The type follows the default's type, so numbers and
    /// booleans parse, lists split on commas, and a typo in a name is an error rather than silence.
    fn apply_prefixed(&self, tree: &mut Value, defaults: &Value) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        for (var, raw) in &self.vars {
            let Some(rest) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if !rest.contains("__") {
                continue; // e.g. MVP_TEST_DATABASE_URL: not a setting
            }
            let mut path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
            let from_file = path
                .last()
                .and_then(|last| last.strip_suffix("_file"))
                .map(str::to_owned);
            let value_text = match from_file {
                Some(stem) if lookup(defaults, &with_last(&path, &stem)).is_some() => {
                    path = with_last(&path, &stem);
                    match read_secret(Path::new(raw)) {
                        Ok(text) => text,
                        Err(message) => {
                            problems.push((var.clone(), message));
                            continue;
                        }
                    }
                }
                _ => raw.clone(),
            };
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            let Some(default) = lookup(defaults, &refs) else {
                problems.push((var.clone(), "unknown setting".to_owned()));
                continue;
            };
            match typed_like(default, &value_text) {
                Ok(value) => set_path(tree, &refs, value),
                Err(message) => problems.push((var.clone(), message)),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    fn apply_secret_files(&self, tree: &mut Value) -> Result<(), ConfigError> {
        let Some(dir) = self.vars.get("SECRETS_DIR").filter(|d| !d.is_empty()) else {
            return Ok(());
        };
        for (file, path) in SECRET_FILES {
            let full = Path::new(dir).join(file);
            if full.exists() {
                let text = read_secret(&full).map_err(|m| ConfigError::invalid(*file, m))?;
                set_path(tree, path, Value::String(text));
            }
        }
        Ok(())
    }
}

/// Every variable that sets something: `MVP_<SECTION>__<KEY>` for each setting in `defaults.yml`
/// (sections and lists stop the walk) and the conventional names (`DATABASE_URL`, …), sorted.
pub fn variable_names() -> Vec<String> {
    fn walk(node: &Value, path: &mut Vec<String>, out: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                for (key, child) in map {
                    path.push(key.to_ascii_uppercase());
                    walk(child, path, out);
                    path.pop();
                }
            }
            _ => out.push(format!("{ENV_PREFIX}{}", path.join("__"))),
        }
    }
    let mut out: Vec<String> = CONVENTIONAL
        .iter()
        .map(|(var, _)| (*var).to_owned())
        .collect();
    if let Ok(defaults) = serde_yaml_ng::from_str::<Value>(DEFAULTS) {
        walk(&defaults, &mut Vec::new(), &mut out);
    }
    out.retain(|name| name.contains("__") || !name.starts_with(ENV_PREFIX));
    out.sort();
    out
}

/// One layer of the configuration: a tree (from YAML, or built from variables) and where it came
/// from, which a figment error names. `null` is a value here (it unsets what a lower layer set).
struct Layer {
    name: String,
    tree: Value,
}

impl Layer {
    fn new(name: impl Into<String>, tree: Value) -> Self {
        Self {
            name: name.into(),
            tree,
        }
    }

    fn file(path: &Path) -> Result<Self, ConfigError> {
        Ok(Self::new(
            format!("the file {}", path.display()),
            read_yaml(path)?,
        ))
    }
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name.clone())
    }

    fn data(&self) -> Result<figment::value::Map<Profile, Dict>, figment::Error> {
        let dict = match figment_value(&self.tree) {
            FigmentValue::Dict(_, dict) => dict,
            _ => Dict::new(),
        };
        Ok(figment::value::Map::from([(Profile::Default, dict)]))
    }
}

/// A JSON tree as figment's value (numbers by hand: serde_json keeps them as exact text here).
fn figment_value(value: &Value) -> FigmentValue {
    match value {
        Value::Null => Empty::None.into(),
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => u.into(),
            (None, Some(i), _) => i.into(),
            (None, None, Some(f)) => f.into(),
            _ => n.to_string().into(),
        },
        Value::String(text) => text.clone().into(),
        Value::Array(items) => items.iter().map(figment_value).collect::<Vec<_>>().into(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), figment_value(v)))
            .collect::<Dict>()
            .into(),
    }
}

/// A figment error as `(setting, message)` pairs, each saying which layer gave the bad value.
fn problems(error: figment::Error) -> Vec<(String, String)> {
    error
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                "configuration".to_owned()
            } else {
                e.path.join(".")
            };
            let message = match &e.metadata {
                Some(from) if !e.missing() => format!("{} (from {})", e.kind, from.name),
                _ => e.kind.to_string(),
            };
            (key, message)
        })
        .collect()
}

fn with_last(path: &[String], last: &str) -> Vec<String> {
    let mut p = path.to_vec();
    if let Some(l) = p.last_mut() {
        *l = last.to_owned();
    }
    p
}

fn read_yaml(path: &Path) -> Result<Value, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_yaml_ng::from_str(&text).map_err(|e| ConfigError::File {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// A secret file's content without the trailing newline editors add. The content never appears in
/// an error message.
fn read_secret(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
        .map_err(|e| format!("cannot read secret file {}: {}", path.display(), e.kind()))
}

fn lookup<'a>(tree: &'a Value, path: &[impl AsRef<str>]) -> Option<&'a Value> {
    path.iter()
        .try_fold(tree, |node, key| node.as_object()?.get(key.as_ref()))
}

fn set_path(tree: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = tree;
    for key in parents {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else { return };
        node = map
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = node {
        map.insert((*last).to_owned(), value);
    }
}

/// Parses an environment string into the JSON type of the setting's default.
fn typed_like(default: &Value, raw: &str) -> Result<Value, String> {
    let raw_trim = raw.trim();
    match default {
        Value::Bool(_) => match raw_trim.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Value::Bool(true)),
            "false" | "0" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err(format!("expected true or false, got {raw_trim:?}")),
        },
        Value::Number(n) if n.is_u64() || n.is_i64() => raw_trim
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("expected a whole number, got {raw_trim:?}")),
        Value::Number(_) => raw_trim
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("expected a number, got {raw_trim:?}")),
        Value::Array(_) => Ok(Value::Array(
            raw_trim
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        Value::Object(_) => Err("is a section, not a single setting".to_owned()),
        Value::String(_) | Value::Null => Ok(Value::String(raw.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        map.entry("CONFIG_DIR".into())
            .or_insert_with(|| "/nonexistent".into());
        map
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        ConfigSource::from_vars(vars(pairs)).load()
    }

    #[test]
    fn defaults_alone_are_a_valid_configuration() {
        let config = load(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.server.bind.to_string(), "0.0.0.0:3001");
        assert_eq!(config.auth.provider, super::super::AuthProvider::Local);
        assert!(config.redis.url().is_none());
    }

    #[test]
    fn prefixed_variables_are_typed_like_their_default() {
        let config = load(&[
            ("MVP_DATABASE__MAX_CONNECTIONS", "7"),
            (
                "MVP_SERVER__CORS_ORIGINS",
                "https://a.example, https://b.example",
            ),
            ("MVP_DATABASE__RUN_MIGRATIONS", "false"),
            ("MVP_SERVER__BIND", "127.0.0.1:9999"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.database.max_connections, 7);
        assert_eq!(config.server.cors_origins.len(), 2);
        assert!(!config.database.run_migrations);
        assert_eq!(config.server.bind.port(), 9999);
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let err = load(&[("MVP_DATABASE__MAX_CONNECTIONS", "lots")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("MVP_DATABASE__MAX_CONNECTIONS"), "{err}");
    }

    #[test]
    fn the_s3_store_needs_a_bucket_and_https_unless_told() {
        let err =
            |vars: &[(&str, &str)]| load(vars).err().map(|e| e.to_string()).unwrap_or_default();
        let no_bucket = err(&[("MVP_STORAGE__BACKEND", "s3")]);
        assert!(no_bucket.contains("storage.s3.bucket"), "{no_bucket}");
        let http = err(&[
            ("MVP_STORAGE__BACKEND", "s3"),
            ("MVP_STORAGE__S3__BUCKET", "docs"),
            ("MVP_STORAGE__S3__ENDPOINT", "http://minio:9000"),
        ]);
        assert!(http.contains("storage.s3.endpoint"), "{http}");
        let ok = load(&[
            ("MVP_STORAGE__BACKEND", "s3"),
            ("MVP_STORAGE__S3__BUCKET", "docs"),
            ("MVP_STORAGE__S3__ENDPOINT", "http://minio:9000"),
            ("MVP_STORAGE__S3__ALLOW_HTTP", "true"),
        ]);
        assert!(ok.is_ok());
    }

    #[test]
    fn an_http_issuer_is_refused_in_production_only() {
        let issuer = [
            ("MVP_AUTH__PROVIDER", "oidc"),
            ("MVP_AUTH__ISSUER", "http://issuer.example/"),
        ];
        let production = [&issuer[..], &[("APP_ENV", "production")]].concat();
        let err = load(&production)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("auth.issuer") && err.contains("https://"),
            "{err}"
        );
        assert!(err.contains("auth.jwks_url"), "{err}");
        assert!(load(&issuer).is_ok(), "http:// is fine outside production");
        let tls = [
            ("APP_ENV", "production"),
            ("MVP_AUTH__PROVIDER", "oidc"),
            ("MVP_AUTH__ISSUER", "https://issuer.example/"),
        ];
        let err = load(&tls).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.contains("auth.issuer"), "{err}");
    }

    #[test]
    fn an_unknown_setting_is_an_error_not_silence() {
        let err = load(&[("MVP_SERVER__BINDD", "x")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("MVP_SERVER__BINDD") && err.contains("unknown"),
            "{err}"
        );
    }

    #[test]
    fn mvp_variables_win_over_conventional_ones() {
        let config = load(&[
            ("DATABASE_URL", "postgres://a@h1/db1"),
            ("MVP_DATABASE__URL", "postgres://b@h2/db2"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(config.database.connect_url().expose_secret().contains("h2"));
    }

    #[test]
    fn secret_files_fill_secrets_and_never_show_in_debug() {
        let dir = std::env::temp_dir().join(format!("mvp-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        std::fs::write(dir.join("postgres-password"), "s3cr3t-value\n").unwrap_or_default();
        let config = load(&[("SECRETS_DIR", dir.to_str().unwrap_or_default())])
            .unwrap_or_else(|e| panic!("{e}"));
        let url = config.database.connect_url();
        assert!(url.expose_secret().contains(":s3cr3t-value@"));
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t-value"), "secret leaked into Debug");
        std::fs::remove_dir_all(&dir).unwrap_or_default();
    }

    #[test]
    fn file_variables_read_the_named_file() {
        let path = std::env::temp_dir().join(format!("mvp-secret-file-{}", std::process::id()));
        std::fs::write(&path, "from-file\n").unwrap_or_default();
        let config = load(&[(
            "MVP_REDIS__PASSWORD_FILE",
            path.to_str().unwrap_or_default(),
        )])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config
                .redis
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_owned()),
            Some("from-file".to_owned())
        );
        std::fs::remove_file(&path).unwrap_or_default();
    }

    #[test]
    fn oidc_without_an_issuer_is_refused_naming_the_key() {
        let err = load(&[("MVP_AUTH__PROVIDER", "oidc")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("auth.issuer"), "{err}");
    }

    #[test]
    fn auth0_domain_gives_issuer_and_jwks_url() {
        let config = load(&[
            ("MVP_AUTH__PROVIDER", "oidc"),
            ("AUTH0_DOMAIN", "tenant.eu.auth0.com"),
            ("AUTH0_AUDIENCE", "https://api.example"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.auth.issuer.as_deref(),
            Some("https://tenant.eu.auth0.com/")
        );
        assert_eq!(
            config.auth.jwks_url.as_deref(),
            Some("https://tenant.eu.auth0.com/.well-known/jwks.json")
        );
        assert_eq!(config.auth.audience, "https://api.example");
    }

    #[test]
    fn yaml_layers_merge_and_later_wins() {
        let dir = std::env::temp_dir().join(format!("mvp-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        std::fs::write(
            dir.join("shared.yml"),
            "server:\n  request_timeout_secs: 11\n  shutdown_grace_secs: 5\n",
        )
        .unwrap_or_default();
        let prod = dir.join("production.yml");
        std::fs::write(
            &prod,
            "app_env: production\nserver:\n  request_timeout_secs: 12\n",
        )
        .unwrap_or_default();
        let config = ConfigSource::from_vars(
            [
                ("CONFIG_DIR", dir.to_str().unwrap_or_default()),
                ("CONFIG_PATH", prod.to_str().unwrap_or_default()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        )
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.server.request_timeout_secs, 12);
        assert_eq!(config.server.shutdown_grace_secs, 5);
        assert_eq!(
            config.storage.data_dir,
            std::path::PathBuf::from("/app/data")
        );
        std::fs::remove_dir_all(&dir).unwrap_or_default();
    }

    #[test]
    fn a_typo_in_a_yaml_file_names_the_key() {
        let dir = std::env::temp_dir().join(format!("mvp-config-typo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        std::fs::write(dir.join("shared.yml"), "database:\n  max_conections: 3\n")
            .unwrap_or_default();
        let err = load(&[("CONFIG_DIR", dir.to_str().unwrap_or_default())])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("max_conections"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap_or_default();
    }

    #[test]
    fn a_wrong_type_names_the_setting_and_the_layer_it_came_from() {
        let dir = std::env::temp_dir().join(format!("mvp-config-type-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let file = dir.join("production.yml");
        std::fs::write(
            &file,
            "database:\n  max_connections: lots\nserver:\n  hsts: sometimes\n",
        )
        .unwrap_or_default();
        let err = load(&[("CONFIG_PATH", file.to_str().unwrap_or_default())])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("database.max_connections"), "{err}");
        assert!(
            err.contains(&format!("from the file {}", file.display())),
            "{err}"
        );
        // A later layer unsets what an earlier one set: `null` in a file.
        std::fs::write(&file, "server:\n  static_dir: null\n").unwrap_or_default();
        let config = load(&[
            ("CONFIG_PATH", file.to_str().unwrap_or_default()),
            ("CONFIG_DIR", dir.to_str().unwrap_or_default()),
        ]);
        std::fs::write(dir.join("shared.yml"), "server:\n  static_dir: /srv/spa\n")
            .unwrap_or_default();
        let unset = load(&[
            ("CONFIG_PATH", file.to_str().unwrap_or_default()),
            ("CONFIG_DIR", dir.to_str().unwrap_or_default()),
        ])
        .map(|c| c.server.static_dir);
        let set =
            load(&[("CONFIG_DIR", dir.to_str().unwrap_or_default())]).map(|c| c.server.static_dir);
        std::fs::remove_dir_all(&dir).unwrap_or_default();
        assert!(config.is_ok());
        assert_eq!(unset.ok(), Some(None), "null in the later file unsets");
        assert_eq!(set.ok(), Some(Some(PathBuf::from("/srv/spa"))));
    }

    #[test]
    fn every_listed_variable_is_a_setting() {
        let names = variable_names();
        assert!(names.contains(&"MVP_SERVER__BIND".to_owned()));
        assert!(names.contains(&"MVP_SERVER__TRUSTED_PROXIES".to_owned()));
        assert!(names.contains(&"DATABASE_URL".to_owned()));
        assert!(
            !names
                .iter()
                .any(|n| n == "MVP_APP_ENV" || n == "MVP_SERVER")
        );
        for name in names.iter().filter(|n| n.starts_with(ENV_PREFIX)) {
            let unknown = match load(&[(name.as_str(), "1")]) {
                Err(ConfigError::Invalid(problems)) => problems
                    .iter()
                    .any(|(key, message)| key == name && message == "unknown setting"),
                _ => false,
            };
            assert!(!unknown, "{name} is listed but is not a setting");
        }
    }
}
