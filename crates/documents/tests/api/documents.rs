//! Upload → list → download → edit → delete, the other user, types judged by content, the limits,
//! hostile file names and an upload cut off midway.

use std::time::Duration;

use mvp_test_support::app::json;
use mvp_test_support::{TestApp, TestAppBuilder, spawn_app};
use serde_json::json;
use tokio::io::AsyncWriteExt as _;

use crate::support::*;

#[tokio::test]
async fn upload_list_download_edit_delete() {
    let app = spawn_app().await;
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;
    let bytes = pdf(300_000);

    let fields = [
        ("vehicleId", vehicle_id.as_str()),
        ("documentType", "insurance"),
        ("title", "Policy 2026"),
        ("issuedDate", "2026-01-01"),
        ("expirationDate", "2026-12-31"),
        ("notes", "Comprehensive"),
    ];
    let created = upload_raw(
        &app,
        &token,
        multipart(&fields, "Police Führerschein.pdf".as_bytes(), &bytes),
    )
    .await;
    assert_eq!(created.status(), 201);
    let location = created
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let doc = json(created).await;
    let doc_id = id(&doc);
    assert_eq!(location, format!("/api/documents/{doc_id}"));
    assert_eq!(doc["contentType"], "application/pdf");
    assert_eq!(doc["sizeBytes"], 300_000);
    assert_eq!(doc["sha256"], sha256_hex(&bytes));
    assert_eq!(doc["fileName"], "Police Führerschein.pdf");
    assert_eq!(doc["title"], "Policy 2026");
    assert_eq!(doc["expirationDate"], "2026-12-31");
    assert_eq!(doc["vehicleId"], vehicle_id.as_str());

    let list = app
        .get_as(&token, &format!("/api/documents?vehicleId={vehicle_id}"))
        .await;
    assert_eq!(list.status(), 200);
    assert_eq!(list.headers()["x-total-count"], "1");
    assert_eq!(json(list).await[0]["id"], doc_id.as_str());

    let download = app
        .get_as(&token, &format!("/api/documents/{doc_id}/download"))
        .await;
    assert_eq!(download.status(), 200);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap_or_default()
            .starts_with("private")
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"Police F_hrerschein.pdf\"; filename*=UTF-8''Police%20F%C3%BChrerschein.pdf"
    );
    let body = download.bytes().await.unwrap_or_default();
    assert_eq!(
        sha256_hex(&body),
        sha256_hex(&bytes),
        "byte-identical download"
    );

    // Ranges: a middle slice, a suffix, and one past the end.
    let etag = headers["etag"].to_str().unwrap_or_default().to_owned();
    let ranged = |range: &'static str| {
        app.client
            .get(app.url(&format!("/api/documents/{doc_id}/download")))
            .bearer_auth(&token)
            .header("range", range)
            .header("accept-encoding", "gzip")
            .send()
    };
    let part = ranged("bytes=1000-1999")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 1000-1999/300000");
    assert!(part.headers().get("content-encoding").is_none());
    assert_eq!(part.bytes().await.unwrap_or_default(), &bytes[1000..2000]);
    let tail = ranged("bytes=-10").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap_or_default(), &bytes[299_990..]);
    let past = ranged("bytes=300000-")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(past.status(), 416);
    assert_eq!(past.headers()["content-range"], "bytes */300000");
    let unchanged = app
        .client
        .get(app.url(&format!("/api/documents/{doc_id}/download")))
        .bearer_auth(&token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unchanged.status(), 304);
    // If-Range: the range applies only to the version the client has.
    for (validator, status, len) in [
        (etag.as_str(), 206, 10),
        ("\"an-older-version\"", 200, 300_000),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/api/documents/{doc_id}/download")))
            .bearer_auth(&token)
            .header("range", "bytes=0-9")
            .header("if-range", validator)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), status, "If-Range {validator}");
        assert_eq!(response.bytes().await.unwrap_or_default().len(), len);
    }

    // PUT takes what GET returned, read-only fields included.
    let mut edited = doc.clone();
    edited["title"] = json!("Policy 2026 (renewed)");
    edited["documentType"] = json!("registration");
    edited["expirationDate"] = json!("2027-01-31");
    edited["sha256"] = json!("ignored");
    let put = app
        .put_json_as(&token, &format!("/api/documents/{doc_id}"), &edited)
        .await;
    assert_eq!(put.status(), 200);
    let put = json(put).await;
    assert_eq!(put["title"], "Policy 2026 (renewed)");
    assert_eq!(put["documentType"], "registration");
    assert_eq!(put["sha256"], sha256_hex(&bytes));
    let bad = app
        .put_json_as(
            &token,
            &format!("/api/documents/{doc_id}"),
            &json!({"title": "x", "documentType": "passport", "issuedDate": "2026-02-01", "expirationDate": "2026-01-01"}),
        )
        .await;
    assert_eq!(bad.status(), 400);
    let bad = json(bad).await;
    let fields: Vec<&str> = bad["error"]["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["documentType", "expirationDate"]);
    // A title is one line: CR/LF would split the Content-Disposition or a CSV row it is written to.
    for title in ["Policy\r\nX-Injected: 1", "two\nlines"] {
        let crlf = app
            .put_json_as(
                &token,
                &format!("/api/documents/{doc_id}"),
                &json!({"title": title, "documentType": "insurance"}),
            )
            .await;
        assert_eq!(crlf.status(), 400, "{title:?}");
        assert_eq!(json(crlf).await["error"]["details"][0]["field"], "title");
    }

    assert_eq!(
        app.delete_as(&token, &format!("/api/documents/{doc_id}"))
            .await
            .status(),
        204
    );
    for path in [
        format!("/api/documents/{doc_id}"),
        format!("/api/documents/{doc_id}/download"),
    ] {
        assert_eq!(app.get_as(&token, &path).await.status(), 404, "{path}");
    }
    let list = app.get_as(&token, "/api/documents").await;
    assert_eq!(list.headers()["x-total-count"], "0");
    assert_eq!(
        app.delete_as(&token, &format!("/api/documents/{doc_id}"))
            .await
            .status(),
        404
    );
    // The bytes stay until the purge job's retention period has passed.
    assert_eq!(stored(&app), (1, 0));
}

#[tokio::test]
async fn a_second_user_gets_404_on_every_route() {
    let app = spawn_app().await;
    let owner = app.token("auth0|owner").await;
    let other = app.token("auth0|other").await;
    let vehicle_id = vehicle(&app, &owner).await;
    let doc = json(upload(&app, &owner, &vehicle_id, "policy.pdf", &pdf(2000)).await).await;
    let doc_id = id(&doc);
    let other_vehicle = vehicle(&app, &other).await;

    for path in [
        format!("/api/documents/{doc_id}"),
        format!("/api/documents/{doc_id}/download"),
    ] {
        let response = app.get_as(&other, &path).await;
        assert_eq!(response.status(), 404, "GET {path}");
        assert_eq!(json(response).await["error"]["code"], "not_found");
    }
    let put = app
        .put_json_as(
            &other,
            &format!("/api/documents/{doc_id}"),
            &json!({"title": "mine now", "documentType": "other", "vehicleId": other_vehicle}),
        )
        .await;
    assert_eq!(put.status(), 404);
    assert_eq!(
        app.delete_as(&other, &format!("/api/documents/{doc_id}"))
            .await
            .status(),
        404
    );
    let list = app.get_as(&other, "/api/documents").await;
    assert_eq!(list.headers()["x-total-count"], "0");
    assert_eq!(
        app.get_as(&other, &format!("/api/documents?vehicleId={vehicle_id}"))
            .await
            .status(),
        404
    );
    // Uploading onto someone else's vehicle, or moving one's own document there.
    assert_eq!(
        upload(&app, &other, &vehicle_id, "x.pdf", &pdf(100))
            .await
            .status(),
        404
    );
    let mine = json(upload(&app, &other, &other_vehicle, "x.pdf", &pdf(100)).await).await;
    let moved = app
        .put_json_as(
            &other,
            &format!("/api/documents/{}", id(&mine)),
            &json!({"title": "x", "documentType": "other", "vehicleId": vehicle_id}),
        )
        .await;
    assert_eq!(moved.status(), 404);

    // The owner's document is untouched.
    let still = json(
        app.get_as(&owner, &format!("/api/documents/{doc_id}"))
            .await,
    )
    .await;
    assert_eq!(still["title"], "policy");
}

#[tokio::test]
async fn files_named_pdf_are_judged_by_their_bytes() {
    let app = spawn_app().await;
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;
    let disguised: [(&str, Vec<u8>); 3] = [
        (
            "html",
            b"<!doctype html><html><script>alert(1)</script>%PDF-1.4".to_vec(),
        ),
        (
            "elf",
            [b"\x7fELF\x02\x01\x01\0".as_slice(), &[0u8; 4096]].concat(),
        ),
        (
            "zip",
            [b"PK\x03\x04\x14\0\0\0\x08\0".as_slice(), &[7u8; 4096]].concat(),
        ),
    ];
    for (what, bytes) in disguised {
        let response = upload(&app, &token, &vehicle_id, "invoice.pdf", &bytes).await;
        assert_eq!(response.status(), 415, "{what}");
        assert_eq!(
            json(response).await["error"]["code"],
            "unsupported_media_type"
        );
    }
    // The accepted image kinds, by their bytes whatever the name says.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec();
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    let as_png = json(upload(&app, &token, &vehicle_id, "scan.pdf", &png).await).await;
    assert_eq!(as_png["contentType"], "image/png");
    let as_heic = json(upload(&app, &token, &vehicle_id, "IMG_0001.HEIC", &heic).await).await;
    assert_eq!(as_heic["contentType"], "image/heic");
    assert_eq!(rows(&app).await, 2);
    assert_eq!(stored(&app), (2, 0));
}

#[tokio::test]
async fn one_byte_over_the_limit_or_the_quota_is_413_and_nothing_is_stored() {
    let limit: usize = 1024 * 1024;
    let app = TestAppBuilder::new()
        .var("MVP_DOCUMENTS__MAX_BYTES", limit.to_string())
        .var("MVP_DOCUMENTS__QUOTA_BYTES", (limit * 5 / 2).to_string())
        .spawn()
        .await;
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;

    let over = upload(&app, &token, &vehicle_id, "big.pdf", &pdf(limit + 1)).await;
    assert_eq!(over.status(), 413);
    let body = json(over).await;
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("1 MiB"),
        "{body}"
    );
    assert_eq!(rows(&app).await, 0);
    assert_eq!(stored(&app), (0, 0));

    for _ in 0..2 {
        assert_eq!(
            upload(&app, &token, &vehicle_id, "max.pdf", &pdf(limit))
                .await
                .status(),
            201
        );
    }
    // 2 MiB used of 2.5: another full-size file does not fit.
    let quota = upload(&app, &token, &vehicle_id, "third.pdf", &pdf(limit)).await;
    assert_eq!(quota.status(), 413);
    let message = json(quota).await["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("2.0 MiB of 2.5 MiB used"), "{message}");
    assert_eq!(rows(&app).await, 2);
    assert_eq!(stored(&app), (2, 0));
    // A deleted document's bytes stay on disk for the retention period, so they still count: an
    // upload→delete loop cannot fill the disk.
    let list = json(app.get_as(&token, "/api/documents").await).await;
    assert_eq!(
        app.delete_as(&token, &format!("/api/documents/{}", id(&list[0])))
            .await
            .status(),
        204
    );
    let still = upload(&app, &token, &vehicle_id, "third.pdf", &pdf(limit)).await;
    assert_eq!(still.status(), 413);
    let message = json(still).await["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("until their files are purged"),
        "{message}"
    );
    // Once the purge job has removed its file, the space is free.
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    let purged = mvp_documents::job::purge(&app.pool().await, &app.state.storage, later, 30)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(purged.purged, 1);
    assert_eq!(
        upload(&app, &token, &vehicle_id, "third.pdf", &pdf(limit))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn hostile_file_names_end_up_as_harmless_metadata() {
    let app = spawn_app().await;
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;
    let long = format!("{}.pdf", "n".repeat(1000));
    let names: [(&[u8], &str); 6] = [
        (b"../../etc/passwd", "passwd"),
        (
            b"..%2f..%2f..%2fetc%2fpasswd",
            "..%2f..%2f..%2fetc%2fpasswd",
        ),
        (b"/etc/shadow", "shadow"),
        (b"..\\..\\windows\\win.ini", "win.ini"),
        ("bill\u{202E}fdp.pdf".as_bytes(), "billfdp.pdf"),
        (long.as_bytes(), ""),
    ];
    let fields = [
        ("vehicleId", vehicle_id.as_str()),
        ("documentType", "receipt"),
    ];
    for (raw, expected) in names {
        let response = upload_raw(&app, &token, multipart(&fields, raw, &pdf(500))).await;
        assert_eq!(response.status(), 201, "{}", String::from_utf8_lossy(raw));
        let doc = json(response).await;
        let name = doc["fileName"].as_str().unwrap_or_default();
        assert!(
            !name.contains(['/', '\\', '\0']) && name.chars().count() <= 200,
            "{name}"
        );
        if expected.is_empty() {
            assert_eq!(name.chars().count(), 200);
            assert!(name.ends_with(".pdf"));
        } else {
            assert_eq!(name, expected);
        }
        let download = app
            .get_as(&token, &format!("/api/documents/{}/download", id(&doc)))
            .await;
        assert_eq!(download.status(), 200);
    }
    // NUL and other control bytes cannot even be parsed as a multipart header: a 400, nothing stored
    // (the cleaning of such names is covered by the unit tests of `clean_file_name`).
    let before = (rows(&app).await, stored(&app));
    for raw in [&b"in\0voice.pdf"[..], b"in\x01voice.pdf"] {
        let refused = upload_raw(&app, &token, multipart(&fields, raw, &pdf(500))).await;
        assert_eq!(refused.status(), 400);
        assert_eq!(json(refused).await["error"]["code"], "bad_request");
    }
    assert_eq!((rows(&app).await, stored(&app)), before);

    // Every object is a server-made name under the documents root; nothing was written elsewhere.
    let pool = app.pool().await;
    let keys: Vec<String> = sqlx::query_scalar("select storage_key from documents")
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let root = data_dir(&app).join("documents");
    for key in &keys {
        let (dir, file) = key
            .strip_prefix("documents/")
            .and_then(|rest| rest.split_once('/'))
            .unwrap_or_else(|| panic!("{key}"));
        assert!(
            dir.len() == 2 && dir.chars().all(|c| c.is_ascii_hexdigit()),
            "{key}"
        );
        assert!(
            file == format!("{}.pdf", &file[..32])
                && file[..32].chars().all(|c| c.is_ascii_hexdigit()),
            "{key}"
        );
        assert!(root.join(&key["documents/".len()..]).is_file(), "{key}");
    }
    let all_files = files_under(&data_dir(&app));
    assert!(
        all_files
            .iter()
            .all(|f| !f.ends_with("passwd") && !f.ends_with("shadow") && !f.ends_with("win.ini"))
    );
    assert_eq!(files_under(&root).len(), keys.len());
}

/// Sends the start of an upload on a raw connection and returns the open socket.
async fn start_upload(
    app: &TestApp,
    token: &str,
    vehicle_id: &str,
    sent: usize,
    total: usize,
) -> tokio::net::TcpStream {
    let fields = [("vehicleId", vehicle_id), ("documentType", "receipt")];
    let body = multipart(&fields, b"receipt.pdf", &pdf(total));
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let head = format!(
        "POST /api/documents HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(&body[..sent])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream.flush().await.unwrap_or_else(|e| panic!("{e}"));
    stream
}

#[tokio::test]
async fn an_upload_cut_off_midway_leaves_no_row_and_no_file() {
    let app = spawn_app().await;
    let token = app.token("auth0|owner").await;
    let vehicle_id = vehicle(&app, &token).await;

    let stream = start_upload(&app, &token, &vehicle_id, 600_000, 2_000_000).await;
    // The server is writing the staging file while the client is still sending.
    let mut staging_seen = false;
    for _ in 0..50 {
        if stored(&app).1 == 1 {
            staging_seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(staging_seen, "the upload should be staged while it arrives");
    drop(stream); // the client goes away

    let mut clean = false;
    for _ in 0..100 {
        if stored(&app) == (0, 0) {
            clean = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(clean, "staging file left behind: {:?}", stored(&app));
    assert_eq!(rows(&app).await, 0);
    // The app is fine afterwards.
    assert_eq!(
        upload(&app, &token, &vehicle_id, "ok.pdf", &pdf(10_000))
            .await
            .status(),
        201
    );
}
