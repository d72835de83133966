//! Bounded heavy work: image decoding, password hashing and OCR forwarding each take memory or a core
//! for a while, so each kind runs at most N at a time. Up to `queue` more wait their turn; past that a
//! request gets 503 with `Retry-After` at once, instead of piling up until the process runs out of
//! memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::LimitsConfig;
use crate::error::{AppError, AppResult};

/// One kind of bounded work.
#[derive(Debug, Clone)]
pub struct Bounded {
    what: &'static str,
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

/// A turn: hold it while the work runs.
#[derive(Debug)]
pub struct Turn {
    _permit: OwnedSemaphorePermit,
}

impl Bounded {
    /// `what` names the work in the 503's message ("image processing").
    pub fn new(what: &'static str, permits: usize, queue: usize) -> Self {
        Self {
            what,
            permits: Arc::new(Semaphore::new(permits.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            queue,
        }
    }

    /// Waits for a turn, or refuses at once (503, `Retry-After: 1`) when `queue` others are waiting.
    pub async fn turn(&self) -> AppResult<Turn> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(Turn { _permit: permit });
        }
        let before = self.waiting.fetch_add(1, Ordering::AcqRel);
        let _leave = Leave(&self.waiting);
        if before >= self.queue {
            tracing::warn!(work = self.what, waiting = before, "work queue full");
            return Err(AppError::Busy {
                message: format!("the server is busy with {}; try again shortly", self.what),
                retry_after_secs: 1,
            });
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| anyhow::anyhow!("the {} semaphore was closed", self.what))?;
        Ok(Turn { _permit: permit })
    }

    /// Runs `job` on the blocking pool in a turn of its own.
    pub async fn run_blocking<T, F>(&self, job: F) -> AppResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let turn = self.turn().await?;
        let result = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            job()
        })
        .await
        .map_err(|e| anyhow::anyhow!("{} task failed: {e}", self.what))?;
        Ok(result)
    }
}

struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Every bounded kind of work the API does.
#[derive(Debug, Clone)]
pub struct Work {
    /// Decoding, orienting and re-encoding vehicle photos.
    pub images: Bounded,
    /// argon2id hashes and verifications (19 MiB each).
    pub passwords: Bounded,
    /// Requests forwarded to the OCR service (each streams up to `documents.max_bytes`).
    pub ocr: Bounded,
}

impl Work {
    pub fn from_config(limits: &LimitsConfig) -> Self {
        Self {
            images: Bounded::new("image processing", limits.image_jobs, limits.queue),
            passwords: Bounded::new("password checks", limits.password_hashes, limits.queue),
            ocr: Bounded::new("text recognition", limits.ocr_requests, limits.queue),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn past_the_queue_a_request_is_refused_at_once() {
        let work = Bounded::new("tests", 1, 2);
        let first = work.turn().await.unwrap_or_else(|e| panic!("{e}"));
        // Two wait…
        let (a, b) = (work.clone(), work.clone());
        let waiters = [
            tokio::spawn(async move { a.turn().await.map(drop) }),
            tokio::spawn(async move { b.turn().await.map(drop) }),
        ];
        tokio::time::sleep(Duration::from_millis(50)).await;
        // …the third is turned away with 503 and Retry-After.
        let refused = work.turn().await;
        assert!(
            matches!(
                refused,
                Err(AppError::Busy {
                    retry_after_secs: 1,
                    ..
                })
            ),
            "{refused:?}"
        );
        drop(first);
        for waiter in waiters {
            let joined = waiter.await.unwrap_or_else(|e| panic!("{e}"));
            assert!(joined.is_ok());
        }
        // The queue drained: a new request gets its turn.
        assert!(work.turn().await.is_ok());
    }

    #[tokio::test]
    async fn no_more_than_the_permits_run_at_once() {
        let work = Bounded::new("tests", 2, 100);
        let peak = Arc::new(AtomicUsize::new(0));
        let now = Arc::new(AtomicUsize::new(0));
        let mut jobs = Vec::new();
        for _ in 0..8 {
            let (work, peak, now) = (work.clone(), peak.clone(), now.clone());
            jobs.push(tokio::spawn(async move {
                work.run_blocking(move || {
                    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(running, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        for job in jobs {
            assert!(job.await.is_ok_and(|r| r.is_ok()));
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }
}
