//! Access-token validation: RS256 only, keys by `kid` from a JWKS, `exp`/`iss`/`aud`/`sub` required.
//!
//! Remote key sets (Auth0 or any OIDC issuer) are cached for `jwks_cache_secs`; an unknown `kid`
//! triggers a refetch at most once per `jwks_refetch_cooldown_secs`; when the issuer cannot be reached
//! the cached keys stay in use. The local provider's own key set goes through the same code path.
//! Header fields that point at other keys (`jku`, `x5u`, `jwk`) are never looked at.
//!
//! A token that passed is remembered (by its exact text, for at most `VERIFIED_TTL`), so a client
//! sending the same token again skips the signature check; the remembered claims are still refused
//! once `exp` (plus leeway) has passed, and the key that signed the token must still be in the key
//! set as it stands — a key the issuer stopped publishing ends its tokens at the next refetch.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use crate::config::AuthConfig;

/// Why a token was refused. Only for the log: clients see one generic 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("token has no kid")]
    MissingKid,
    #[error("no key with this kid")]
    UnknownKey,
    #[error("{0}")]
    Invalid(String),
}

/// The claims the API uses. Anything else in the token is ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: Option<bool>,
    pub exp: u64,
    /// Issued at (seconds since the epoch), when the issuer says.
    #[serde(default)]
    pub iat: Option<i64>,
}

/// Where verification keys come from.
pub enum KeySource {
    /// A JWKS served over HTTP by the issuer.
    Remote(RemoteJwks),
    /// A key set we hold ourselves (the local identity provider).
    Static(HashMap<String, DecodingKey>),
}

/// How many verified tokens are remembered, and for how long at most.
const VERIFIED_CAPACITY: u64 = 10_000;
const VERIFIED_TTL: Duration = Duration::from_secs(300);

/// A token that passed: its claims and the key id that signed it.
struct Verified {
    claims: Claims,
    kid: String,
}

pub struct TokenVerifier {
    issuer: String,
    audience: String,
    leeway_secs: u64,
    keys: KeySource,
    verified: moka::sync::Cache<Box<str>, Arc<Verified>>,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    pub fn new(issuer: String, audience: String, leeway_secs: u64, keys: KeySource) -> Self {
        Self {
            issuer,
            audience,
            leeway_secs: leeway_secs.min(60),
            keys,
            verified: moka::sync::Cache::builder()
                .max_capacity(VERIFIED_CAPACITY)
                .time_to_live(VERIFIED_TTL)
                .build(),
        }
    }

    /// The verifier for `auth.provider: oidc`.
    pub fn remote(config: &AuthConfig, client: reqwest::Client) -> Self {
        let jwks = RemoteJwks::new(
            config.jwks_url.clone().unwrap_or_default(),
            client,
            Duration::from_secs(config.jwks_cache_secs),
            Duration::from_secs(config.jwks_refetch_cooldown_secs),
            Duration::from_millis(config.jwks_fetch_timeout_ms),
        );
        Self::new(
            config.issuer().to_owned(),
            config.audience.clone(),
            config.leeway_secs,
            KeySource::Remote(jwks),
        )
    }

    /// The verifier for a key set we hold (local provider).
    pub fn from_jwks(config: &AuthConfig, set: &JwkSet) -> Self {
        Self::new(
            config.issuer().to_owned(),
            config.audience.clone(),
            config.leeway_secs,
            KeySource::Static(decoding_keys(set)),
        )
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if let Some(seen) = self.verified.get(token) {
            let now = jsonwebtoken::get_current_timestamp();
            if seen.claims.exp.saturating_add(self.leeway_secs) < now {
                self.verified.invalidate(token);
                return Err(TokenError::Invalid("ExpiredSignature".to_owned()));
            }
            self.key(&seen.kid).await?;
            return Ok(seen.claims.clone());
        }
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.ok_or(TokenError::MissingKid)?;
        let key = self.key(&kid).await?;

        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.leeway_secs;
        validation.validate_nbf = true;
        let data = decode::<Claims>(token, &key, &validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        if data.claims.sub.trim().is_empty() {
            return Err(TokenError::Invalid("empty sub".to_owned()));
        }
        self.verified.insert(
            token.into(),
            Arc::new(Verified {
                claims: data.claims.clone(),
                kid,
            }),
        );
        Ok(data.claims)
    }

    /// The key `kid` as the key set stands now (a remote set is refetched as its rules say).
    async fn key(&self, kid: &str) -> Result<DecodingKey, TokenError> {
        match &self.keys {
            KeySource::Static(keys) => keys.get(kid).cloned().ok_or(TokenError::UnknownKey),
            KeySource::Remote(remote) => remote.key(kid).await,
        }
    }

    /// How many times the remote JWKS has been requested (0 for a static key set).
    pub fn jwks_fetches(&self) -> u64 {
        match &self.keys {
            KeySource::Remote(remote) => remote.fetches.load(Ordering::Relaxed),
            KeySource::Static(_) => 0,
        }
    }
}

/// RSA signing keys of a JWKS, by `kid`. Keys for other algorithms or uses are skipped.
pub fn decoding_keys(set: &JwkSet) -> HashMap<String, DecodingKey> {
    set.keys
        .iter()
        .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
        .filter(|jwk| {
            jwk.common
                .key_algorithm
                .is_none_or(|alg| alg == KeyAlgorithm::RS256)
        })
        .filter(|jwk| {
            jwk.common
                .public_key_use
                .as_ref()
                .is_none_or(|u| *u == PublicKeyUse::Signature)
        })
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let key = DecodingKey::from_jwk(jwk).ok()?;
            Some((kid, key))
        })
        .collect()
}

struct Cached {
    keys: Arc<HashMap<String, DecodingKey>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    /// Whether the last fetch got a usable key set (the issuer is up).
    last_ok: bool,
}

pub struct RemoteJwks {
    url: String,
    client: reqwest::Client,
    ttl: Duration,
    cooldown: Duration,
    timeout: Duration,
    cache: RwLock<Cached>,
    /// Single flight: one refresh at a time.
    refresh: Mutex<()>,
    fetches: AtomicU64,
}

impl RemoteJwks {
    pub fn new(
        url: String,
        client: reqwest::Client,
        ttl: Duration,
        cooldown: Duration,
        timeout: Duration,
    ) -> Self {
        Self {
            url,
            client,
            ttl,
            cooldown,
            timeout,
            cache: RwLock::new(Cached {
                keys: Arc::new(HashMap::new()),
                fetched_at: None,
                last_attempt: None,
                last_ok: false,
            }),
            refresh: Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, TokenError> {
        let (cached, fresh) = self.lookup(kid).await;
        if let (Some(key), true) = (&cached, fresh) {
            return Ok(key.clone());
        }

        let _guard = self.refresh.lock().await;
        // Someone else may have refreshed while we waited.
        let (cached, fresh) = self.lookup(kid).await;
        if let (Some(key), true) = (&cached, fresh) {
            return Ok(key.clone());
        }
        let may_fetch = {
            let cache = self.cache.read().await;
            cache
                .last_attempt
                .is_none_or(|at| at.elapsed() >= self.cooldown)
        };
        if may_fetch {
            self.refetch().await;
        }
        let (key, _) = self.lookup(kid).await;
        // A stale key is still better than none while the issuer is unreachable — but once the issuer
        // has answered without it, the key was removed (revoked) and is refused from then on.
        let issuer_down = !self.cache.read().await.last_ok;
        if issuer_down {
            key.or(cached).ok_or(TokenError::UnknownKey)
        } else {
            key.ok_or(TokenError::UnknownKey)
        }
    }

    async fn lookup(&self, kid: &str) -> (Option<DecodingKey>, bool) {
        let cache = self.cache.read().await;
        let fresh = cache.fetched_at.is_some_and(|at| at.elapsed() < self.ttl);
        (cache.keys.get(kid).cloned(), fresh)
    }

    async fn refetch(&self) {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let result = self.fetch().await;
        let mut cache = self.cache.write().await;
        cache.last_attempt = Some(Instant::now());
        cache.last_ok = matches!(&result, Ok(keys) if !keys.is_empty());
        match result {
            Ok(keys) if !keys.is_empty() => {
                tracing::info!(keys = keys.len(), "fetched issuer JWKS");
                cache.keys = Arc::new(keys);
                cache.fetched_at = Some(Instant::now());
            }
            Ok(_) => tracing::warn!("issuer JWKS has no usable RS256 keys; keeping cached keys"),
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "could not fetch issuer JWKS; keeping cached keys");
            }
        }
    }

    async fn fetch(&self) -> anyhow::Result<HashMap<String, DecodingKey>> {
        use anyhow::Context as _;
        let set: JwkSet = self
            .client
            .get(&self.url)
            .timeout(self.timeout)
            .send()
            .await
            .context("JWKS request failed")?
            .error_for_status()
            .context("JWKS request returned an error status")?
            .json()
            .await
            .context("JWKS body is not a JWK set")?;
        Ok(decoding_keys(&set))
    }
}
