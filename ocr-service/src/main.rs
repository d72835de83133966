//! `mvp-ocr serve` (default) and `mvp-ocr healthcheck` (for Docker HEALTHCHECK without curl).
//! Settings: `MVP_OCR_BIND` (0.0.0.0:8000), `MVP_OCR_CONCURRENCY` (2), `MVP_OCR_TIMEOUT_SECS` (30).

use std::process::ExitCode;
use std::time::Duration;

use mvp_ocr::service::{Settings, router};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(v) => v.parse().map_err(|_| format!("{name}: {v:?} is not valid")),
        Err(_) => Ok(default),
    }
}

const USAGE: &str = "usage: mvp-ocr [serve | healthcheck | --help | --version]
  serve        answer POST /extract and GET /health on MVP_OCR_BIND (0.0.0.0:8000); the default
  healthcheck  exit 0 when something listens on MVP_OCR_BIND's port (Docker HEALTHCHECK)
settings: MVP_OCR_BIND, MVP_OCR_CONCURRENCY (2), MVP_OCR_TIMEOUT_SECS (30)";

fn main() -> ExitCode {
    let healthcheck = match std::env::args().nth(1).as_deref() {
        None | Some("serve") => false,
        Some("healthcheck") => true,
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("--version" | "-V") => {
            println!("mvp-ocr {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("mvp-ocr: unknown command {other:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let bind: String = std::env::var("MVP_OCR_BIND").unwrap_or_else(|_| "0.0.0.0:8000".to_owned());
    let mut settings = Settings::default();
    match (
        env_or("MVP_OCR_CONCURRENCY", 2usize),
        env_or("MVP_OCR_TIMEOUT_SECS", 30u64),
    ) {
        (Ok(c), Ok(t)) => {
            settings.concurrency = c.max(1);
            settings.timeout = Duration::from_secs(t.max(1));
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("mvp-ocr: {e}");
            return ExitCode::from(2);
        }
    }
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        return ExitCode::FAILURE;
    };
    runtime.block_on(async move {
        if healthcheck {
            let port = bind.rsplit(':').next().unwrap_or("8000").to_owned();
            let ok =
                tokio::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap_or(8000)))
                    .await
                    .is_ok();
            return if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        let listener = match tokio::net::TcpListener::bind(&bind).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("mvp-ocr: cannot listen on {bind}: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("mvp-ocr listening on {bind}");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match axum::serve(listener, router(settings))
            .with_graceful_shutdown(shutdown)
            .await
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mvp-ocr: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
