//! Logging: JSON lines on stdout in production (one object per event, with the request span's
//! `request_id`, `method`, `route`, `user_id` under `span`), compact human output in development.
//! `RUST_LOG` overrides `log.level`. Nothing secret is ever passed to a log macro.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber. A second call (tests) is a no-op.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .or_else(|_| EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stdout);
    let _ = match config.log_format() {
        LogFormat::Json | LogFormat::Auto => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_target(true)
            .try_init(),
        LogFormat::Pretty => builder
            .compact()
            .with_target(false)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .try_init(),
    };
}
