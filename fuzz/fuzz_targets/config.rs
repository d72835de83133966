//! Configuration values: any set of environment variables (the real setting names and made-up ones,
//! with any values) → `mvp_config::Config::load_from_vars`. It never panics; an error names what it is
//! about; and a secret's value (passwords, keys, URLs that carry credentials) appears neither in an
//! error message nor in the loaded configuration's `Debug` output — the two things that reach logs.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mvp_config::{Config, ConfigError, variable_names};

/// Every secret value the target sets starts with this, so a leak is recognised wherever it lands.
const MARK: &str = "SEKRIT7Q";

static NAMES: LazyLock<Vec<String>> = LazyLock::new(variable_names);

#[derive(Debug, Arbitrary)]
enum Name {
    /// One of the real setting names (by index).
    Known(u16),
    /// Anything else, e.g. a typo or another program's variable.
    Made(String),
}

#[derive(Debug, Arbitrary)]
struct Var {
    name: Name,
    value: String,
}

/// Settings whose value must never be shown (DESIGN.md: never log secrets): each one a secret file
/// can fill (`# secret:` in defaults.yml), and the URLs that may carry a password.
fn is_secret(name: &str) -> bool {
    matches!(
        name,
        "DATABASE_URL"
            | "REDIS_URL"
            | "MVP_DATABASE__URL"
            | "MVP_DATABASE__PASSWORD"
            | "MVP_REDIS__URL"
            | "MVP_REDIS__PASSWORD"
            | "MVP_AUTH__AUTH0__CLIENT_SECRET"
            | "MVP_AUTH__LOCAL__SIGNING_KEY_PEM"
            | "MVP_STORAGE__S3__ACCESS_KEY_ID"
            | "MVP_STORAGE__S3__SECRET_ACCESS_KEY"
    )
}

fuzz_target!(|vars: Vec<Var>| {
    let mut env = BTreeMap::from([("CONFIG_DIR".to_owned(), "/nonexistent".to_owned())]);
    for var in vars {
        let name = match var.name {
            Name::Known(i) => NAMES[usize::from(i) % NAMES.len()].clone(),
            Name::Made(name) => name.replace(MARK, ""),
        };
        // Variables that name files to read: the file-reading paths have their own tests.
        if name.ends_with("_FILE")
            || matches!(name.as_str(), "CONFIG_DIR" | "CONFIG_PATH" | "SECRETS_DIR")
        {
            continue;
        }
        let value = if is_secret(&name) {
            format!("{MARK}{}", var.value)
        } else {
            var.value.replace(MARK, "")
        };
        env.insert(name, value);
    }
    match Config::load_from_vars(env) {
        Ok(config) => {
            let shown = format!("{config:?}");
            assert!(!shown.contains(MARK), "a secret in Debug output: {shown}");
        }
        Err(error) => {
            let message = error.to_string();
            assert!(!message.contains(MARK), "a secret in an error: {message}");
            if let ConfigError::Invalid(problems) = &error {
                assert!(
                    !problems.is_empty(),
                    "an invalid configuration with no problem"
                );
                for (key, problem) in problems {
                    assert!(!key.is_empty() && !problem.is_empty(), "{message}");
                }
            }
        }
    }
});
