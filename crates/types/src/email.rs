//! `Email`: an e-mail address that has been checked once, at the edge (parse, don't validate).
//! The rules are deliberately plain — one `@`, a dotted domain, no spaces or control characters,
//! RFC 5321 lengths — because the real proof is the verification link.

use serde::{Deserialize, Serialize};

use crate::limits::{EMAIL_LOCAL_MAX_BYTES, EMAIL_MAX_BYTES};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Trims, checks, and keeps the address as typed.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let email = input.trim();
        if email.is_empty() {
            return Err("e-mail address is required");
        }
        if email.len() > EMAIL_MAX_BYTES {
            return Err("e-mail address is too long");
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("e-mail address must not contain spaces");
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err("e-mail address needs an @");
        };
        if local.is_empty() || local.len() > EMAIL_LOCAL_MAX_BYTES || local.contains('@') {
            return Err("e-mail address is not valid");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
        {
            return Err("e-mail domain is not valid");
        }
        Ok(Self(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness and lookup: lower-case.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<String> for Email {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_parse_and_normalise() {
        let e = Email::parse("  Jane.Doe+cars@Example.COM ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.as_str(), "Jane.Doe+cars@Example.COM");
        assert_eq!(e.normalized(), "jane.doe+cars@example.com");
    }

    #[test]
    fn broken_addresses_are_refused() {
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
            "jane@-example.com",
            "jane@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }
}
