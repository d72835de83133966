//! `spawn_app()`: the real application (same router, middleware and state as production) on
//! 127.0.0.1:0, with a fresh database, a stub OIDC issuer, its own Redis key prefix and data dir.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use mvp_core::{AppState, Config};
use tokio::sync::oneshot;

use crate::db;
use crate::issuer::StubIssuer;

/// A running app and what a test needs to talk to it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub issuer: Arc<StubIssuer>,
    pub state: AppState,
    pub db_name: String,
    admin_url: String,
    data_dir: PathBuf,
    /// False for a [`TestApp::replica`]: the first app drops the database and data dir.
    owns_database: bool,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp").field("addr", &self.addr).finish()
    }
}

/// Where the app's Redis comes from.
#[derive(Debug, Clone)]
pub enum RedisChoice {
    /// `MVP_TEST_REDIS_URL` if set, else none (in-process cache).
    FromEnv,
    None,
    Url(String),
}

#[derive(Debug)]
pub struct TestAppBuilder {
    vars: BTreeMap<String, String>,
    admin_url: Option<String>,
    redis: RedisChoice,
    issuer: Option<Arc<StubIssuer>>,
    local: bool,
}

pub async fn spawn_app() -> TestApp {
    TestAppBuilder::new().spawn().await
}

impl Default for TestAppBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TestAppBuilder {
    pub fn new() -> Self {
        Self {
            vars: BTreeMap::new(),
            admin_url: None,
            redis: RedisChoice::FromEnv,
            issuer: None,
            local: false,
        }
    }

    /// Any setting, as its environment variable (`MVP_SERVER__REQUEST_TIMEOUT_SECS` …).
    pub fn var(mut self, key: &str, value: impl Into<String>) -> Self {
        self.vars.insert(key.to_owned(), value.into());
        self
    }

    /// Use another Postgres server (e.g. a `TempPostgres`) for this app's database.
    pub fn postgres(mut self, admin_url: impl Into<String>) -> Self {
        self.admin_url = Some(admin_url.into());
        self
    }

    pub fn redis(mut self, choice: RedisChoice) -> Self {
        self.redis = choice;
        self
    }

    /// The built-in identity provider instead of the stub OIDC issuer (issuer = the public URL).
    pub fn local(mut self) -> Self {
        self.local = true;
        self
    }

    pub fn issuer(mut self, issuer: Arc<StubIssuer>) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// The configuration this app would run with (also used by process tests).
    pub fn config_vars(
        &self,
        issuer: &StubIssuer,
        database_url: &str,
        data_dir: &std::path::Path,
    ) -> BTreeMap<String, String> {
        let mut vars = BTreeMap::from([
            ("CONFIG_DIR".to_owned(), "/nonexistent".to_owned()),
            ("APP_ENV".to_owned(), "test".to_owned()),
            ("MVP_SERVER__BIND".to_owned(), "127.0.0.1:0".to_owned()),
            ("MVP_DATABASE__URL".to_owned(), database_url.to_owned()),
            ("MVP_DATABASE__STARTUP_WAIT_SECS".to_owned(), "5".to_owned()),
            ("MVP_AUTH__PROVIDER".to_owned(), "oidc".to_owned()),
            ("MVP_AUTH__ISSUER".to_owned(), issuer.url()),
            (
                "MVP_AUTH__AUDIENCE".to_owned(),
                issuer.audience().to_owned(),
            ),
            ("MVP_AUTH__JWKS_URL".to_owned(), issuer.jwks_url()),
            (
                "MVP_STORAGE__DATA_DIR".to_owned(),
                data_dir.to_string_lossy().into_owned(),
            ),
            (
                "MVP_REDIS__KEY_PREFIX".to_owned(),
                format!("test:{}:", uuid::Uuid::new_v4().simple()),
            ),
        ]);
        let redis = match &self.redis {
            RedisChoice::FromEnv => std::env::var("MVP_TEST_REDIS_URL").ok(),
            RedisChoice::None => None,
            RedisChoice::Url(url) => Some(url.clone()),
        };
        if let Some(url) = redis {
            vars.insert("MVP_REDIS__URL".to_owned(), url);
        }
        if self.local {
            vars.insert("MVP_AUTH__PROVIDER".to_owned(), "local".to_owned());
            vars.remove("MVP_AUTH__ISSUER");
            vars.remove("MVP_AUTH__JWKS_URL");
            vars.insert("MVP_AUTH__AUDIENCE".to_owned(), "motovaultpro".to_owned());
        }
        vars.extend(self.vars.clone());
        vars
    }

    pub async fn spawn(self) -> TestApp {
        if std::env::var_os("MVP_TEST_LOG").is_some() {
            let _ = tracing_subscriber_init();
        }
        let issuer = match &self.issuer {
            Some(issuer) => issuer.clone(),
            None => Arc::new(StubIssuer::start().await),
        };
        let admin_url = self.admin_url.clone().unwrap_or_else(db::admin_url);
        let db_name = db::create_test_database(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("test database: {e:#}"));
        let data_dir = crate::temp_dir("mvp-data");
        let vars = self.config_vars(&issuer, &db::with_database(&admin_url, &db_name), &data_dir);
        let config = Config::load_from_vars(vars).unwrap_or_else(|e| panic!("test config: {e}"));
        let state = AppState::from_config(config).unwrap_or_else(|e| panic!("test state: {e:#}"));

        start(state, issuer, admin_url, db_name, data_dir, true).await
    }
}

/// Serves `state` on 127.0.0.1:0 with the test routes.
async fn start(
    state: AppState,
    issuer: Arc<StubIssuer>,
    admin_url: String,
    db_name: String,
    data_dir: PathBuf,
    owns_database: bool,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local addr: {e}"));
    let (tx, rx) = oneshot::channel::<()>();
    let server_state = state.clone();
    let server = tokio::spawn(async move {
        let signal = async move {
            let _ = rx.await;
        };
        if let Err(e) =
            mvp_backend::serve::serve(listener, server_state, crate::routes::test_routes(), signal)
                .await
        {
            eprintln!("test server failed: {e:#}");
        }
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    TestApp {
        addr,
        client,
        issuer,
        state,
        db_name,
        admin_url,
        data_dir,
        owns_database,
        shutdown: Some(tx),
        server: Some(server),
    }
}

fn tracing_subscriber_init() -> Option<()> {
    let config = Config::load_from_vars(BTreeMap::from([
        ("CONFIG_DIR".to_owned(), "/nonexistent".to_owned()),
        (
            "MVP_LOG__LEVEL".to_owned(),
            "debug,sqlx=warn,hyper=info".to_owned(),
        ),
        ("MVP_LOG__FORMAT".to_owned(), "pretty".to_owned()),
    ]))
    .ok()?;
    // The tests' subscriber lives as long as the test binary.
    std::mem::forget(mvp_core::telemetry::init(&config));
    Some(())
}

impl TestApp {
    /// A second replica of this app: its own process state (pool, near cache, rate limiter) and
    /// port, the same database, Redis key prefix, data dir and configuration — as two containers of
    /// one deployment.
    pub async fn replica(&self) -> TestApp {
        let state = AppState::from_config(self.state.config.clone())
            .unwrap_or_else(|e| panic!("replica state: {e:#}"));
        start(
            state,
            self.issuer.clone(),
            self.admin_url.clone(),
            self.db_name.clone(),
            self.data_dir.clone(),
            false,
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A valid token for `sub` from this app's issuer, for a user who has accepted the current terms
    /// (as every user does at sign-up). `self.issuer.token(sub)` is one who has not.
    pub async fn token(&self, sub: &str) -> String {
        self.accept_terms(sub).await;
        self.issuer.token(sub)
    }

    /// [`TestApp::token`] with an e-mail claim.
    pub async fn token_with_email(&self, sub: &str, email: &str, verified: bool) -> String {
        self.accept_terms(sub).await;
        self.issuer.token_with_email(sub, email, verified)
    }

    /// Records that `sub` accepted the current terms version (what sign-up does), once.
    pub async fn accept_terms(&self, sub: &str) {
        let mut conn = self
            .state
            .db
            .acquire()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        mvp_terms_agreement::record_once(
            &mut conn,
            &mvp_terms_agreement::Acceptance {
                user_id: sub,
                terms_version: &self.state.config.auth.terms_version,
                accepted_at: chrono::Utc::now(),
                ip_address: None,
                user_agent: Some("test-support"),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// A multipart request (uploads) as `token`.
    pub async fn send_multipart(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        self.client
            .request(method.clone(), self.url(path))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Sends one request, with a bearer token and a JSON body when given.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, None, None).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, None, Some(body))
            .await
    }

    pub async fn post_json_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    pub async fn put_json_as(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.send(reqwest::Method::PUT, path, Some(token), Some(body))
            .await
    }

    pub async fn delete_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::DELETE, path, Some(token), None)
            .await
    }

    /// Messages the app wrote to its outbox, oldest first.
    pub async fn outbox(&self) -> Vec<mvp_core::outbox::OutboxMessage> {
        mvp_core::outbox::read_all(&self.state.config.storage.data_dir).await
    }

    /// The database of this test, as a fresh pool.
    pub async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&db::with_database(&self.admin_url, &self.db_name))
            .await
            .unwrap_or_else(|e| panic!("test pool: {e}"))
    }

    /// Stops the server gracefully and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if self.owns_database {
            let _ = std::fs::remove_dir_all(&self.data_dir);
            db::drop_database_blocking(self.admin_url.clone(), self.db_name.clone());
        }
    }
}

/// Reads a response body as JSON (panics with the text when it is not JSON).
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    let text = response.text().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}
