//! The OCR service's router on a free loopback port, for the tests that talk to it over HTTP.

#![allow(dead_code)]

use std::net::SocketAddr;

use mvp_ocr::service::{Settings, router};

pub async fn serve(settings: Settings) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(settings)).await;
    });
    addr
}
