//! HTTP hygiene: request ids, security headers, HSTS behind TLS, CORS allowlist, compression.

use mvp_test_support::{TestAppBuilder, spawn_app};

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header(&response, "x-request-id").as_deref(),
        Some("trace-abc-123")
    );

    let generated = header(&app.get("/api/health").await, "x-request-id").unwrap_or_default();
    assert_eq!(generated.len(), 36, "expected a UUID, got {generated:?}");

    // A hostile id (header injection, overlong) is replaced, not echoed.
    let response = app
        .client
        .get(app.url("/api/health"))
        .header("x-request-id", "x".repeat(500))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(header(&response, "x-request-id").map(|v| v.len()), Some(36));
}

#[tokio::test]
async fn security_headers_are_set() {
    let app = spawn_app().await;
    let response = app.get("/api/health").await;
    assert_eq!(
        header(&response, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        header(&response, "referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(
        header(&response, "x-frame-options").as_deref(),
        Some("DENY")
    );
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
    let csp = header(&response, "content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
        "{csp}"
    );
    assert!(
        header(&response, "strict-transport-security").is_none(),
        "HSTS over plain HTTP"
    );

    let response = app
        .client
        .get(app.url("/api/health"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        header(&response, "strict-transport-security")
            .unwrap_or_default()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = TestAppBuilder::new()
        .var("MVP_SERVER__CORS_ORIGINS", "https://app.example.com")
        .spawn()
        .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/health"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = preflight("https://app.example.com")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        header(&allowed, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    let refused = preflight("https://evil.example")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(header(&refused, "access-control-allow-origin").is_none());
}

#[tokio::test]
async fn large_responses_are_compressed_when_asked() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-encoding").as_deref(),
        Some("gzip")
    );
    // Under 1 KiB compression costs more CPU than it saves bytes: sent as it is.
    let small = app
        .client
        .get(app.url("/api/config"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(small.status(), 200);
    assert_eq!(header(&small, "content-encoding"), None);
    assert!(small.bytes().await.map_or(0, |b| b.len()) < 1024);
}

/// The body of `response`, gunzipped when it says it is gzip (and failing when it is not).
async fn decoded_body(response: reqwest::Response) -> Vec<u8> {
    let gzip = header(&response, "content-encoding").as_deref() == Some("gzip");
    let bytes = response.bytes().await.unwrap_or_default();
    if !gzip {
        return bytes.to_vec();
    }
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
        .unwrap_or_else(|e| panic!("labelled gzip but not gzip ({} bytes): {e}", bytes.len()));
    out
}

/// Every kind of rejection that a layer or extractor produces, asked for with gzip accepted, has a
/// body that decodes as the error JSON. (The JSON-errors layer used to rebuild the body of an
/// already-compressed rejection and keep `Content-Encoding: gzip` over plain bytes.)
#[tokio::test]
async fn rejections_decode_when_gzip_is_accepted() {
    let app = TestAppBuilder::new()
        .local()
        .var("MVP_SERVER__BODY_LIMIT_BYTES", "4096")
        .spawn()
        .await;
    let token = app.token("auth0|gzip").await;
    let client = &app.client;
    let cases = [
        (
            "missing query",
            client.get(app.url("/api/auth/verify-email")),
        ),
        (
            "bad multipart",
            client
                .post(app.url("/api/documents"))
                .bearer_auth(&token)
                .header("content-type", "multipart/form-data; boundary=xyz")
                .body("--xyz\r\nnot a part header at all, long enough to be compressed\r\n"),
        ),
        (
            "bad path",
            client
                .get(app.url("/api/vehicles/not-a-uuid-but-long-enough-to-matter"))
                .bearer_auth(&token),
        ),
        (
            "wrong method",
            client.patch(app.url("/api/vehicles")).bearer_auth(&token),
        ),
        (
            "malformed json",
            client
                .post(app.url("/api/vehicles"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{\"year\": 2020, \"make\": "),
        ),
        (
            "body too large",
            client
                .post(app.url("/api/vehicles"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(format!("{{\"make\": \"{}\"}}", "x".repeat(8192))),
        ),
    ];
    for (what, request) in cases {
        let response = request
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = response.status();
        assert!(status.is_client_error(), "{what}: {status}");
        let body = decoded_body(response).await;
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!("{what}: not JSON ({e}): {}", String::from_utf8_lossy(&body))
        });
        assert!(value["error"]["code"].is_string(), "{what}: {value}");
    }
}
