//! What the document tests share: a vehicle to attach to, a hand-built multipart body (so file names
//! reach the server exactly as written), and a look at what the app has stored.

use std::path::{Path, PathBuf};

use mvp_test_support::TestApp;
use mvp_test_support::app::json;
use serde_json::{Value, json};

pub const BOUNDARY: &str = "mvp-test-boundary-7d1f";

pub async fn vehicle(app: &TestApp, token: &str) -> String {
    let created = app
        .post_json_as(
            token,
            "/api/vehicles",
            &json!({"year": 2021, "make": "Honda", "model": "Civic"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    json(created).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A multipart body: the text `fields`, then `file` named `file_name` (raw bytes, unescaped).
pub fn multipart(fields: &[(&str, &str)], file_name: &[u8], file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
            .as_bytes(),
    );
    body.extend_from_slice(file_name);
    body.extend_from_slice(b"\"\r\nContent-Type: application/pdf\r\n\r\n");
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub async fn upload_raw(app: &TestApp, token: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/api/documents"))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"))
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    vehicle_id: &str,
    file_name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let fields = [("vehicleId", vehicle_id), ("documentType", "insurance")];
    upload_raw(app, token, multipart(&fields, file_name.as_bytes(), bytes)).await
}

/// A PDF-looking file of `len` bytes with varied content.
pub fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut x: u32 = 2_463_534_242;
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x & 0xff) as u8);
    }
    bytes.truncate(len);
    bytes
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    mvp_core::secret::hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

pub fn data_dir(app: &TestApp) -> PathBuf {
    app.state.config.storage.data_dir.clone()
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Stored document objects and staging files.
pub fn stored(app: &TestApp) -> (usize, usize) {
    let dir = data_dir(app);
    (
        files_under(&dir.join("documents")).len(),
        files_under(&dir.join("tmp").join("uploads")).len(),
    )
}

/// Rows in the documents table, deleted ones included.
pub async fn rows(app: &TestApp) -> i64 {
    let pool = app.pool().await;
    let count = sqlx::query_scalar("select count(*) from documents")
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;
    count
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}
