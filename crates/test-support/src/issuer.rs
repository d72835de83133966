//! A stub OIDC issuer: serves `/.well-known/jwks.json` (and a discovery document) over real HTTP on
//! port 0, counts JWKS fetches, can be stopped and restarted on the same port, rotates keys, and mints
//! tokens — valid ones and each kind of bad one the API must refuse.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mvp_core::auth::SigningKey;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub const DEFAULT_AUDIENCE: &str = "https://api.motovaultpro.test";

struct Shared {
    /// Keys published in the JWKS; the last one signs new tokens.
    published: RwLock<Vec<Arc<SigningKey>>>,
    fetches: AtomicU64,
}

pub struct StubIssuer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    audience: String,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for StubIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StubIssuer")
            .field("addr", &self.addr)
            .finish()
    }
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

fn new_key() -> Arc<SigningKey> {
    Arc::new(SigningKey::generate().unwrap_or_else(|e| panic!("test key generation failed: {e}")))
}

impl StubIssuer {
    pub async fn start() -> Self {
        Self::start_with_audience(DEFAULT_AUDIENCE).await
    }

    pub async fn start_with_audience(audience: &str) -> Self {
        let shared = Arc::new(Shared {
            published: RwLock::new(vec![new_key()]),
            fetches: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("stub issuer cannot bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("stub issuer has no address: {e}"));
        let issuer = Self {
            shared,
            addr,
            audience: audience.to_owned(),
            server: Mutex::new(None),
        };
        issuer.serve(listener);
        issuer
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let issuer_url = self.url();
        let jwks_url = self.jwks_url();
        let router = Router::new()
            .route("/.well-known/jwks.json", get(jwks))
            .route(
                "/.well-known/openid-configuration",
                get(move || async move {
                    Json(json!({"issuer": issuer_url, "jwks_uri": jwks_url,
                        "id_token_signing_alg_values_supported": ["RS256"]}))
                }),
            )
            .with_state(self.shared.clone());
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        if let Ok(mut slot) = self.server.lock() {
            *slot = Some(handle);
        }
    }

    /// The issuer URL (`iss`), with a trailing slash as Auth0 writes it.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn jwks_url(&self) -> String {
        format!("http://{}/.well-known/jwks.json", self.addr)
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// How many times the JWKS has been served.
    pub fn fetches(&self) -> u64 {
        self.shared.fetches.load(Ordering::SeqCst)
    }

    /// Takes the issuer off the network (connections are refused).
    pub fn stop(&self) {
        if let Some(handle) = self.server.lock().ok().and_then(|mut slot| slot.take()) {
            handle.abort();
        }
    }

    /// Puts it back on the same port.
    pub async fn restart(&self) {
        self.stop();
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(e) => panic!("stub issuer cannot rebind {}: {e}", self.addr),
            }
        };
        self.serve(listener);
    }

    /// Publishes a new signing key beside the old one; new tokens are signed with it.
    pub fn rotate(&self) {
        if let Ok(mut keys) = self.shared.published.write() {
            keys.push(new_key());
        }
    }

    /// Stops publishing the oldest key (the end of a rotation, or a revoked key).
    pub fn retire_oldest(&self) {
        if let Ok(mut keys) = self.shared.published.write()
            && keys.len() > 1
        {
            keys.remove(0);
        }
    }

    fn current_key(&self) -> Arc<SigningKey> {
        self.shared
            .published
            .read()
            .ok()
            .and_then(|keys| keys.last().cloned())
            .unwrap_or_else(|| panic!("stub issuer has no key"))
    }

    /// Standard claims for `sub`, valid for an hour.
    pub fn claims(&self, sub: &str) -> Value {
        json!({
            "iss": self.url(),
            "aud": self.audience,
            "sub": sub,
            "iat": now(),
            "exp": now() + 3600,
        })
    }

    /// Signs arbitrary claims with the current key.
    pub fn sign(&self, claims: &Value) -> String {
        self.current_key()
            .sign(claims)
            .unwrap_or_else(|e| panic!("signing failed: {e}"))
    }

    /// A valid access token for `sub`.
    pub fn token(&self, sub: &str) -> String {
        self.sign(&self.claims(sub))
    }

    /// A valid token that also carries an e-mail claim.
    pub fn token_with_email(&self, sub: &str, email: &str, verified: bool) -> String {
        let mut claims = self.claims(sub);
        claims["email"] = json!(email);
        claims["email_verified"] = json!(verified);
        self.sign(&claims)
    }

    pub fn expired_token(&self, sub: &str) -> String {
        let mut claims = self.claims(sub);
        claims["iat"] = json!(now() - 7200);
        claims["exp"] = json!(now() - 3600);
        self.sign(&claims)
    }

    pub fn wrong_issuer_token(&self, sub: &str) -> String {
        let mut claims = self.claims(sub);
        claims["iss"] = json!("https://evil.example/");
        self.sign(&claims)
    }

    pub fn wrong_audience_token(&self, sub: &str) -> String {
        let mut claims = self.claims(sub);
        claims["aud"] = json!("https://some-other-api.example");
        self.sign(&claims)
    }

    pub fn missing_sub_token(&self) -> String {
        let mut claims = self.claims("x");
        if let Some(map) = claims.as_object_mut() {
            map.remove("sub");
        }
        self.sign(&claims)
    }

    pub fn missing_exp_token(&self, sub: &str) -> String {
        let mut claims = self.claims(sub);
        if let Some(map) = claims.as_object_mut() {
            map.remove("exp");
        }
        self.sign(&claims)
    }

    /// `alg: none`, no signature.
    pub fn alg_none_token(&self, sub: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(self.claims(sub).to_string());
        format!("{header}.{payload}.")
    }

    /// The classic confusion attack: HS256 with the issuer's *public* key as the HMAC secret.
    pub fn hs256_with_public_key_token(&self, sub: &str) -> String {
        let key = self.current_key();
        let public = key
            .public_pem()
            .unwrap_or_else(|e| panic!("public key: {e}"));
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid().to_owned());
        jsonwebtoken::encode(
            &header,
            &self.claims(sub),
            &EncodingKey::from_secret(public.as_bytes()),
        )
        .unwrap_or_else(|e| panic!("hs256 signing failed: {e}"))
    }

    /// Signed by a key the issuer never published.
    pub fn unknown_kid_token(&self, sub: &str) -> String {
        new_key()
            .sign(&self.claims(sub))
            .unwrap_or_else(|e| panic!("signing failed: {e}"))
    }

    /// Signed by an attacker key whose JWK is embedded in the header (`jwk`) and linked by `jku`.
    pub fn embedded_jwk_token(&self, sub: &str) -> String {
        let attacker = new_key();
        let header = json!({
            "alg": "RS256", "typ": "JWT", "kid": attacker.kid(),
            "jku": "http://127.0.0.1:9/jwks.json",
            "jwk": attacker.jwk(),
        });
        // Sign header+payload with the attacker key by reusing its RS256 signer on the raw input.
        let token = attacker
            .sign(&self.claims(sub))
            .unwrap_or_else(|e| panic!("signing failed: {e}"));
        let mut parts = token.splitn(3, '.');
        let (_, payload, signature) = (parts.next(), parts.next(), parts.next());
        // The signature no longer matches the swapped header, which is fine: the API must refuse
        // before or at verification, and must never fetch the jku.
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            payload.unwrap_or_default(),
            signature.unwrap_or_default()
        )
    }
}

impl Drop for StubIssuer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Json<JwkSet> {
    shared.fetches.fetch_add(1, Ordering::SeqCst);
    let keys = shared
        .published
        .read()
        .map(|keys| keys.iter().map(|k| k.jwk().clone()).collect())
        .unwrap_or_default();
    Json(JwkSet { keys })
}
