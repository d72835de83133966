//! Signup and login rules: a valid e-mail (normalised for uniqueness), a password of at least 10
//! characters that is not the e-mail address, and terms accepted.

use mvp_core::AppError;
use mvp_types::user::SignupRequest;
use mvp_types::{Email, FieldError};
use secrecy::SecretString;

pub const PASSWORD_MIN: usize = 10;
/// Argon2 hashes any length, but an unbounded input is a cheap way to burn CPU.
pub const PASSWORD_MAX: usize = 1024;

/// A signup that passed the rules.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: SecretString,
}

impl TryFrom<SignupRequest> for NewAccount {
    type Error = AppError;

    fn try_from(body: SignupRequest) -> Result<Self, AppError> {
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
        let length = body.password.chars().count();
        if length < PASSWORD_MIN {
            details.push(FieldError::new(
                "password",
                format!("at least {PASSWORD_MIN} characters"),
            ));
        } else if length > PASSWORD_MAX {
            details.push(FieldError::new(
                "password",
                format!("at most {PASSWORD_MAX} characters"),
            ));
        } else if email
            .as_ref()
            .is_some_and(|e| e.normalized() == body.password.trim().to_lowercase())
        {
            details.push(FieldError::new(
                "password",
                "must not be your e-mail address",
            ));
        }
        match (email, details.is_empty()) {
            (Some(email), true) => Ok(Self {
                email,
                password: SecretString::from(body.password),
            }),
            _ => Err(AppError::validation_many(details)),
        }
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

    fn fields(result: Result<NewAccount, AppError>) -> Vec<String> {
        match result {
            Err(AppError::Validation { details, .. }) => {
                details.into_iter().map(|d| d.field).collect()
            }
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
}
