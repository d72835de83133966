//! Auth0 Management API client: signup (create a user in the configured database connection) and
//! resending the verification e-mail. The machine-to-machine token (client credentials) is cached until
//! shortly before it expires. Auth0's own error text never reaches our clients: a conflict becomes
//! 409, a password-policy refusal a 400 on `password`, anything else a 502.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

use crate::config::Auth0Config;
use crate::error::AppError;

pub struct Auth0Client {
    base: String,
    client_id: String,
    client_secret: SecretString,
    connection: String,
    http: reqwest::Client,
    token: Mutex<Option<(SecretString, Instant)>>,
}

impl std::fmt::Debug for Auth0Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Auth0Error {
    #[error("the user already exists")]
    Conflict,
    #[error("the password does not meet the identity provider's strength policy")]
    WeakPassword,
    #[error("no user with this e-mail at the identity provider")]
    UnknownUser,
    #[error("identity provider request failed: {0:#}")]
    Upstream(anyhow::Error),
}

impl From<Auth0Error> for AppError {
    fn from(err: Auth0Error) -> Self {
        match err {
            Auth0Error::Conflict => {
                AppError::Conflict("an account with this e-mail address already exists".into())
            }
            Auth0Error::WeakPassword => AppError::validation("password", err.to_string()),
            Auth0Error::UnknownUser => AppError::NotFound("account"),
            Auth0Error::Upstream(cause) => {
                tracing::warn!(error = %format!("{cause:#}"), "Auth0 Management API failed");
                AppError::BadGateway(
                    "the identity provider is not answering; try again shortly".into(),
                )
            }
        }
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct Auth0ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default, rename = "errorCode")]
    error_code: String,
}

#[derive(Deserialize)]
struct UserBody {
    user_id: String,
}

impl Auth0Client {
    /// `None` unless the Management API is configured (domain or URL, client id and secret).
    pub fn from_config(config: &Auth0Config, http: reqwest::Client) -> Option<Self> {
        Some(Self {
            base: config.management_base()?,
            client_id: config.client_id.clone()?,
            client_secret: config.client_secret.clone()?,
            connection: config.connection.clone(),
            http,
            token: Mutex::new(None),
        })
    }

    async fn token(&self) -> Result<SecretString, Auth0Error> {
        let mut slot = self.token.lock().await;
        if let Some((token, _)) = slot
            .as_ref()
            .filter(|(_, expires)| *expires > Instant::now())
        {
            return Ok(token.clone());
        }
        let response = self
            .http
            .post(format!("{}/oauth/token", self.base))
            .timeout(Duration::from_secs(10))
            .json(&json!({
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret.expose_secret(),
                "audience": format!("{}/api/v2/", self.base),
            }))
            .send()
            .await
            .context("token request failed")
            .map_err(Auth0Error::Upstream)?;
        if !response.status().is_success() {
            return Err(Auth0Error::Upstream(anyhow::anyhow!(
                "token request answered {}",
                response.status()
            )));
        }
        let body: TokenBody = response
            .json()
            .await
            .context("token response is not JSON")
            .map_err(Auth0Error::Upstream)?;
        // Renew a minute early so a token never expires mid-request.
        let lifetime = Duration::from_secs(body.expires_in.saturating_sub(60).max(1));
        let token = SecretString::from(body.access_token);
        *slot = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// Creates a user in the database connection; returns Auth0's `user_id` (`auth0|…`).
    pub async fn create_user(&self, email: &str, password: &str) -> Result<String, Auth0Error> {
        let token = self.token().await?;
        let response = self
            .http
            .post(format!("{}/api/v2/users", self.base))
            .timeout(Duration::from_secs(10))
            .bearer_auth(token.expose_secret())
            .json(&json!({
                "connection": self.connection,
                "email": email,
                "password": password,
                "email_verified": false,
                "verify_email": true,
            }))
            .send()
            .await
            .context("create-user request failed")
            .map_err(Auth0Error::Upstream)?;
        let status = response.status();
        if status.is_success() {
            let user: UserBody = response
                .json()
                .await
                .context("create-user response is not a user")
                .map_err(Auth0Error::Upstream)?;
            return Ok(user.user_id);
        }
        let body: Option<Auth0ErrorBody> = response.json().await.ok();
        match status.as_u16() {
            409 => Err(Auth0Error::Conflict),
            400 if body.as_ref().is_some_and(|b| {
                b.message.contains("PasswordStrengthError")
                    || b.message.contains("PasswordDictionaryError")
                    || b.error_code.contains("password")
            }) =>
            {
                Err(Auth0Error::WeakPassword)
            }
            400 if body
                .as_ref()
                .is_some_and(|b| b.message.contains("already exists")) =>
            {
                Err(Auth0Error::Conflict)
            }
            _ => Err(Auth0Error::Upstream(anyhow::anyhow!(
                "create-user answered {status}"
            ))),
        }
    }

    /// Sends the verification e-mail again for the user with this address.
    pub async fn resend_verification(&self, email: &str) -> Result<(), Auth0Error> {
        let token = self.token().await?;
        let users: Vec<UserBody> = self
            .http
            .get(format!("{}/api/v2/users-by-email", self.base))
            .timeout(Duration::from_secs(10))
            .bearer_auth(token.expose_secret())
            .query(&[("email", email)])
            .send()
            .await
            .context("users-by-email request failed")
            .map_err(Auth0Error::Upstream)?
            .error_for_status()
            .context("users-by-email answered an error")
            .map_err(Auth0Error::Upstream)?
            .json()
            .await
            .context("users-by-email response is not a list")
            .map_err(Auth0Error::Upstream)?;
        let user = users.into_iter().next().ok_or(Auth0Error::UnknownUser)?;
        self.http
            .post(format!("{}/api/v2/jobs/verification-email", self.base))
            .timeout(Duration::from_secs(10))
            .bearer_auth(token.expose_secret())
            .json(&json!({"user_id": user.user_id}))
            .send()
            .await
            .context("verification-email job request failed")
            .map_err(Auth0Error::Upstream)?
            .error_for_status()
            .context("verification-email job answered an error")
            .map_err(Auth0Error::Upstream)?;
        Ok(())
    }
}
