//! The OCR service's child processes (pdftotext, pdfinfo, pdftoppm, tesseract) against hostile PDFs.
//! Alone in this test binary, so every child process of this process is one the service started:
//! after 5 requests that time out, and 5 whose client hangs up, none is left.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mvp_ocr::service::Settings;
use serde_json::Value;

#[path = "support/pdf.rs"]
mod pdf;
#[path = "support/serve.rs"]
mod serve;

use serve::serve;

fn request(addr: SocketAddr, bytes: Vec<u8>) -> reqwest::RequestBuilder {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("scan.pdf"),
    );
    reqwest::Client::new()
        .post(format!("http://{addr}/extract?kind=document"))
        .multipart(form)
}

/// This process's children (any state, zombies included): `(pid, name)`.
fn children() -> Vec<(u32, String)> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // "pid (comm) state ppid …": comm may hold spaces, so split after its closing paren.
            let (head, rest) = stat.rsplit_once(')')?;
            let name = head.split_once('(')?.1.to_owned();
            let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == me).then_some((pid, name))
        })
        .collect()
}

/// Waits (up to 5 s) for every child to be gone, and says which were left.
async fn children_gone() -> Vec<(u32, String)> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = children();
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_child_outlives_a_time_out_or_a_hang_up() {
    // Letter-size pages with 40,000 strokes: rasterising and reading them takes far longer than
    // the 300 ms allowed here.
    let slow = pdf::drawing(612, 792, 40_000);
    let addr = serve(Settings {
        timeout: Duration::from_millis(300),
        concurrency: 5,
        ..Settings::default()
    })
    .await;

    for round in 0..5 {
        let response = request(addr, slow.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 503, "round {round}");
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "unavailable");
    }
    let left = children_gone().await;
    assert!(left.is_empty(), "after time-outs: {left:?}");

    // Clients that give up after 200 ms: their requests' children are killed too.
    let patient = serve(Settings::default()).await;
    let mut saw_a_child = false;
    for _ in 0..5 {
        let sent = request(patient, slow.clone())
            .timeout(Duration::from_millis(200))
            .send()
            .await;
        assert!(sent.is_err(), "the page was read in under 200 ms");
        saw_a_child |= !children().is_empty();
    }
    assert!(
        saw_a_child,
        "no child process was ever seen: the test proves nothing"
    );
    let left = children_gone().await;
    assert!(left.is_empty(), "after hang-ups: {left:?}");
}

#[tokio::test]
async fn a_200_inch_page_is_refused_before_rasterising() {
    let addr = serve(Settings::default()).await;
    let huge = pdf::drawing(14_400, 14_400, 10);
    let response = request(addr, huge)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(body["error"]["code"], "payload_too_large");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("200×200 inches"), "{message}");
}
