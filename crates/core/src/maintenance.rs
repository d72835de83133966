//! Maintenance mode: while a backup is being restored, every replica refuses other writes with 503
//! `unavailable` (reads go on). The process restoring holds a guard ([`MaintenanceMode::enter`]),
//! so its own mode ends however the restore ends — finished, failed or panicked; and it holds the
//! session advisory lock [`RESTORE_LOCK_KEY`] on a connection of its own, which the other replicas
//! (and a CLI restore's neighbours) see within [`SHARED_TTL`]. Postgres lets that lock go when the
//! connection ends, also when the process is killed, so no replica stays in maintenance after one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{AppError, AppState};

/// The advisory lock held by the process restoring a backup ("mvp_rest").
pub const RESTORE_LOCK_KEY: i64 = 0x6d76_705f_7265_7374;
/// How long a replica trusts what it last read of [`RESTORE_LOCK_KEY`].
pub const SHARED_TTL: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Default)]
pub struct MaintenanceMode {
    local: Arc<AtomicUsize>,
    /// When the shared lock was last looked at, and whether someone held it.
    shared: Arc<Mutex<Option<(Instant, bool)>>>,
}

/// Holds maintenance mode on until dropped.
#[derive(Debug)]
pub struct MaintenanceGuard(Arc<AtomicUsize>);

impl MaintenanceMode {
    pub fn enter(&self) -> MaintenanceGuard {
        self.local.fetch_add(1, Ordering::SeqCst);
        MaintenanceGuard(self.local.clone())
    }

    /// This process is restoring.
    pub fn is_on(&self) -> bool {
        self.local.load(Ordering::SeqCst) > 0
    }

    /// This process or another is restoring (the shared lock read at most every [`SHARED_TTL`];
    /// if the database cannot say, the write goes ahead and meets the database itself).
    pub async fn is_on_anywhere(&self, pool: &sqlx::PgPool) -> bool {
        if self.is_on() {
            return true;
        }
        if let Ok(seen) = self.shared.lock()
            && let Some((at, on)) = *seen
            && at.elapsed() < SHARED_TTL
        {
            return on;
        }
        let on = sqlx::query_scalar!(
            r#"select advisory_lock_held($1) as "held!""#,
            RESTORE_LOCK_KEY,
        )
        .fetch_one(pool)
        .await
        .unwrap_or(false);
        if let Ok(mut seen) = self.shared.lock() {
            *seen = Some((Instant::now(), on));
        }
        on
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
    if !reading && state.maintenance.is_on_anywhere(&state.db).await {
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
