//! Signup and login rules: a valid e-mail (normalised for uniqueness), a password of at least 10
//! characters that is neither the e-mail address nor one of the 10,000 most common passwords, and
//! terms accepted.

use std::collections::HashSet;
use std::sync::OnceLock;

use mvp_types::Invalid;
use mvp_types::limits::{PASSWORD_MAX, PASSWORD_MIN};
use mvp_types::user::SignupRequest;
use mvp_types::{Email, FieldError};
use secrecy::SecretString;

/// A signup that passed the rules.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: SecretString,
}

impl TryFrom<SignupRequest> for NewAccount {
    type Error = Invalid;

    fn try_from(body: SignupRequest) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        if !body.accept_terms {
            details.push(FieldError::new(
                "acceptTerms",
                "you need to accept the terms of service to create an account",
            ));
        }
        let email = match Email::parse(&body.email) {
            Ok(email) => Some(email),
            Err(message) => {
                details.push(FieldError::new("email", message));
                None
            }
        };
        if let Some(problem) = check_password(&body.password, email.as_ref()) {
            details.push(FieldError::new("password", problem));
        }
        match (email, details.is_empty()) {
            (Some(email), true) => Ok(Self {
                email,
                password: SecretString::from(body.password),
            }),
            _ => Err(Invalid(details)),
        }
    }
}

/// The 10,000 most common passwords, lower-cased (data/README.md says where they come from).
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .collect()
    })
}

/// What is wrong with `password` as a new password (sign-up, change, reset), if anything: too short,
/// too long, the e-mail address itself, or one of the 10,000 most common passwords.
pub fn check_password(password: &str, email: Option<&Email>) -> Option<String> {
    let length = password.chars().count();
    let folded = password.trim().to_lowercase();
    if length < PASSWORD_MIN {
        Some(format!("at least {PASSWORD_MIN} characters"))
    } else if length > PASSWORD_MAX {
        Some(format!("at most {PASSWORD_MAX} characters"))
    } else if email.is_some_and(|e| e.normalized() == folded) {
        Some("must not be your e-mail address".to_owned())
    } else if common_passwords().contains(folded.as_str()) {
        Some(
            "is one of the most common passwords, which are tried first; choose another".to_owned(),
        )
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signup(email: &str, password: &str, terms: bool) -> SignupRequest {
        SignupRequest {
            email: email.to_owned(),
            password: password.to_owned(),
            accept_terms: terms,
        }
    }

    fn fields(result: Result<NewAccount, Invalid>) -> Vec<String> {
        match result {
            Err(Invalid(details)) => details.into_iter().map(|d| d.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_signup_passes() {
        assert!(NewAccount::try_from(signup("a@example.com", "correct horse", true)).is_ok());
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        assert_eq!(
            fields(NewAccount::try_from(signup("a@example.com", "short", true))),
            ["password"]
        );
        assert_eq!(
            fields(NewAccount::try_from(signup(
                "a@example.com",
                "correct horse",
                false
            ))),
            ["acceptTerms"]
        );
        assert_eq!(
            fields(NewAccount::try_from(signup("nope", "correct horse", true))),
            ["email"]
        );
        assert_eq!(
            fields(NewAccount::try_from(signup(
                "Jane.Doe@Example.com",
                "jane.doe@example.com",
                true
            ))),
            ["password"]
        );
    }

    #[test]
    fn the_most_common_passwords_are_refused_in_any_letter_case() {
        assert_eq!(common_passwords().len(), 10_000);
        for common in ["qwertyuiop", "1234567890", "Q1W2E3R4T5", " 1q2w3e4r5t "] {
            assert_eq!(
                fields(NewAccount::try_from(signup("a@example.com", common, true))),
                ["password"],
                "{common:?}"
            );
        }
        assert!(check_password("correct horse battery", None).is_none());
    }
}
