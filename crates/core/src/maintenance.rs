//! Maintenance mode: while a backup is being restored, this process refuses every other write with
//! 503 `unavailable` (reads go on). The mode is held by a guard, so it ends however the restore
//! ends — finished, failed or panicked — and a restarted process starts without it. It is per
//! process: with several backend replicas, stop the others before a restore (docs/OPERATIONS.md).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{AppError, AppState};

#[derive(Debug, Clone, Default)]
pub struct MaintenanceMode(Arc<AtomicUsize>);

/// Holds maintenance mode on until dropped.
#[derive(Debug)]
pub struct MaintenanceGuard(Arc<AtomicUsize>);

impl MaintenanceMode {
    pub fn enter(&self) -> MaintenanceGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        MaintenanceGuard(self.0.clone())
    }

    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::SeqCst) > 0
    }
}

impl Drop for MaintenanceGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Middleware: a write (anything but GET, HEAD, OPTIONS) during maintenance mode is 503.
pub async fn refuse_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let reading = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !reading && state.maintenance.is_on() {
        return AppError::unavailable("a backup is being restored; try again in a minute")
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_lasts_as_long_as_a_guard() {
        let mode = MaintenanceMode::default();
        assert!(!mode.is_on());
        let first = mode.enter();
        let second = mode.enter();
        assert!(mode.is_on());
        drop(first);
        assert!(mode.is_on());
        drop(second);
        assert!(!mode.is_on());
        let panicked = std::panic::catch_unwind(|| {
            let _guard = mode.enter();
            panic!("restore failed");
        });
        assert!(panicked.is_err() && !mode.is_on());
    }
}
