//! Profile rules: a display name is trimmed, at most 100 characters, empty means none; a
//! notification e-mail is a valid address or none.

use mvp_types::Email;
use mvp_types::Invalid;
use mvp_types::limits::DISPLAY_NAME_MAX;
use mvp_types::user::UpdateProfile;

/// A profile update that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub notification_email: Option<String>,
}

impl TryFrom<UpdateProfile> for ProfileChanges {
    type Error = Invalid;

    fn try_from(body: UpdateProfile) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        let display_name = body
            .display_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if let Some(name) = &display_name {
            if name.chars().count() > DISPLAY_NAME_MAX {
                details.push(mvp_types::FieldError::new(
                    "displayName",
                    format!("at most {DISPLAY_NAME_MAX} characters"),
                ));
            }
            if name.chars().any(char::is_control) {
                details.push(mvp_types::FieldError::new(
                    "displayName",
                    "must not contain control characters",
                ));
            }
        }
        let notification_email = match body.notification_email.filter(|e| !e.trim().is_empty()) {
            None => None,
            Some(raw) => match Email::parse(&raw) {
                Ok(email) => Some(email.as_str().to_owned()),
                Err(message) => {
                    details.push(mvp_types::FieldError::new("notificationEmail", message));
                    None
                }
            },
        };
        if details.is_empty() {
            Ok(Self {
                display_name,
                notification_email,
            })
        } else {
            Err(Invalid(details))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(name: Option<&str>, email: Option<&str>) -> UpdateProfile {
        UpdateProfile {
            id: None,
            email: None,
            created_at: None,
            display_name: name.map(str::to_owned),
            notification_email: email.map(str::to_owned),
        }
    }

    #[test]
    fn blank_values_mean_none() {
        let changes = ProfileChanges::try_from(update(Some("  "), Some(""))).ok();
        assert_eq!(
            changes,
            Some(ProfileChanges {
                display_name: None,
                notification_email: None
            })
        );
    }

    #[test]
    fn a_bad_notification_email_names_the_field() {
        match ProfileChanges::try_from(update(Some("Jane"), Some("not-an-email"))) {
            Err(Invalid(details)) => {
                assert_eq!(details[0].field, "notificationEmail")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_overlong_name_is_refused() {
        assert!(ProfileChanges::try_from(update(Some(&"x".repeat(101)), None)).is_err());
    }
}
