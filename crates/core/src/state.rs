//! `AppState`: what every handler can reach — config, pool, cache, token verifier, HTTP client.
//! Cheap to clone (one `Arc`); `FromRef` lets handlers extract just the part they need.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::FromRef;
use sqlx::PgPool;

use crate::auth::auth0::Auth0Client;
use crate::auth::{SigningKey, TokenVerifier, local};
use crate::cache::Cache;
use crate::config::{AuthProvider, Config};
use crate::db;
use crate::ratelimit::RateLimiter;
use crate::storage::Storage;
use crate::work::Work;

#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

pub struct StateInner {
    pub config: Config,
    pub db: PgPool,
    pub cache: Cache,
    pub verifier: TokenVerifier,
    /// The local provider's signing key (`None` with `auth.provider: oidc`).
    pub signing_key: Option<Arc<SigningKey>>,
    /// The Auth0 Management API (oidc provider with a management client configured).
    pub auth0: Option<Arc<Auth0Client>>,
    /// Files (documents, vehicle images) under the data dir.
    pub storage: Storage,
    /// Login/signup/resend limits, shared across replicas through Redis.
    pub limiter: RateLimiter,
    /// For calls to external services (JWKS, Auth0, OCR …): rustls, timeouts set per request.
    pub http: reqwest::Client,
    /// Bounds on heavy work (image decoding, password hashing, OCR forwarding).
    pub work: Work,
    /// Health of parts features own (e-mail delivery), shown by `/api/health`.
    pub components: crate::health::Components,
    /// On while a backup is restored: other writes are refused (crate::maintenance).
    pub maintenance: crate::maintenance::MaintenanceMode,
    /// Users' hot reads, kept between their writes (crate::reads).
    pub reads: crate::reads::ReadCache,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("cache", &self.cache)
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

impl Deref for AppState {
    type Target = StateInner;
    fn deref(&self) -> &StateInner {
        &self.0
    }
}

impl AppState {
    /// Builds the state from a validated config and a pool (connected or lazy).
    pub fn new(config: Config, pool: PgPool) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("motovaultpro/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client")?;
        let cache = Cache::from_config(&config.redis)?;
        let (verifier, signing_key) = match config.auth.provider {
            AuthProvider::Oidc => (TokenVerifier::remote(&config.auth, http.clone()), None),
            AuthProvider::Local => {
                let key = local::load_or_generate(&config)?;
                let verifier = TokenVerifier::from_jwks(&config.auth, &local::jwks(&key));
                (verifier, Some(Arc::new(key)))
            }
        };
        let auth0 = match config.auth.provider {
            AuthProvider::Oidc => {
                Auth0Client::from_config(&config.auth.auth0, http.clone()).map(Arc::new)
            }
            AuthProvider::Local => None,
        };
        let limiter = RateLimiter::new(cache.clone());
        let storage = Storage::from_config(&config.storage)?;
        let work = Work::from_config(&config.limits);
        let reads = crate::reads::ReadCache::new(
            config.server.read_cache_ttl(),
            config.server.read_cache_mib.saturating_mul(1024 * 1024),
        );
        Ok(Self(Arc::new(StateInner {
            config,
            db: pool,
            cache,
            verifier,
            signing_key,
            auth0,
            storage,
            limiter,
            http,
            work,
            components: crate::health::Components::default(),
            maintenance: crate::maintenance::MaintenanceMode::default(),
            reads,
        })))
    }

    /// The state with a lazily connecting pool: the process starts even while Postgres is down.
    pub fn from_config(config: Config) -> anyhow::Result<Self> {
        let pool = db::lazy_pool(&config.database)?;
        Self::new(config, pool)
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for Cache {
    fn from_ref(state: &AppState) -> Self {
        state.cache.clone()
    }
}
