//! A push receiver: records every POST (path, headers, body) and answers 200, standing in for an
//! ntfy server or a user's webhook endpoint.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;

/// One request received.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub struct PushReceiver {
    received: Arc<Mutex<Vec<Pushed>>>,
    pub addr: SocketAddr,
}

impl PushReceiver {
    pub async fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/{*path}", post(record))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("receiver bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("receiver addr: {e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { received, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn received(&self) -> Vec<Pushed> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn record(
    State(received): State<Arc<Mutex<Vec<Pushed>>>>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    if let Ok(mut r) = received.lock() {
        r.push(Pushed {
            path: uri.path().to_owned(),
            headers,
            body: body.to_vec(),
        });
    }
    StatusCode::OK
}
