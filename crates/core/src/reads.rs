//! Kept reads: a user's hottest GET answers (the vehicle list, a page of fill-ups, a vehicle's fuel
//! statistics) kept in this process as the JSON bytes sent — and their gzip, made once — so a repeat
//! costs no database round trip and no serialising.
//!
//! Every answer is filed under the user's *epoch*, a number drawn from one counter for the whole
//! process. Any write by the user (a request other than GET, HEAD or OPTIONS, see [`note_writes`])
//! gives them a new epoch once it has finished — or been cut off — so the next read loads afresh. A
//! read that began before the write files what it loaded under the old epoch, where nobody looks
//! again: no answer outlives the write it predates. A write by an administrator (`/api/admin/…`) and
//! a finished restore start every user afresh.
//!
//! Other replicas hear of a write through `NOTIFY user_reads` ([`listen`]), which [`note_writes`]
//! sends after the handler and before the write's response leaves, in a transaction of its own that
//! does not wait for the WAL flush (see [`ReadCache::announce`]). Hearing it, a replica also drops
//! its near copies of that user's data (keys under [`user_key`]: preferences, vehicle ownership), so
//! an answer it builds next is not made from them. Nothing is kept while the listening connection is
//! down, and everything is forgotten when it drops. A write cut off before its response is forgotten
//! at once and again [`LATE_COMMIT`] later: a statement already sent may still commit. Entries also
//! expire after `server.read_cache_secs` (0 turns the whole thing off): what the answers carry from
//! shared data — a Google place's name another user's search refreshed — is at most that old.
//!
//! A replica that is alone sends no announcement: every [`PEER_CHECK`] it looks in
//! `pg_stat_activity` for another replica's listening connection (named with
//! [`crate::db::listener_prefix`]; an older version's, named `mvp-backend`, by its last statement,
//! `LISTEN "user_reads"`), and for [`ALONE_FOR`] after a look that found none it skips the NOTIFY
//! (a round trip, a transaction and a wake-up of every listener, per write). A replica keeps nothing
//! until [`KEEP_AFTER`] after its own listener is up (and named), so by the time it keeps an answer
//! every other replica has seen it and announces again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use mvp_types::ids::UserId;
use serde::Serialize;
use sqlx::PgPool;

use crate::db::Listening;
use crate::pagination::total_header;
use crate::{AppError, AppState, AuthUser, Cache};

/// The channel writes are announced on; the payload is `<process> <user id>` or `<process> *`.
pub const CHANNEL: &str = "user_reads";
/// Answers larger than this are not kept (one user's whole history, say): they are rare, and would
/// push out many small ones.
const LARGEST: usize = 512 * 1024;
/// Bodies this small are sent as they are (the compression layer's own threshold).
const GZIP_ABOVE: usize = 1024;
/// Users whose epoch is remembered; a forgotten user simply gets a new one.
const USERS: u64 = 100_000;
/// How long after a cut-off write it is forgotten once more, for a statement that was already sent.
pub const LATE_COMMIT: Duration = Duration::from_secs(5);
/// How often a replica looks for other replicas' listeners.
pub const PEER_CHECK: Duration = Duration::from_secs(1);
/// How long after a look that found no other listener a replica announces nothing; it is not
/// renewed when a look fails or finds one, and lapses when the looks stall.
pub const ALONE_FOR: Duration = Duration::from_secs(3);
/// How long after its listener is up (and visible to the others) a replica starts keeping: past
/// [`ALONE_FOR`], so no other replica still counts itself alone.
pub const KEEP_AFTER: Duration = Duration::from_millis(3_500);

/// The near-cache key (`Cache::set_near_only` …) of `rest` about `user`: a replica that hears of the
/// user's write elsewhere drops every such key of theirs.
pub fn user_key(user: &UserId, rest: &str) -> String {
    format!("{USER_KEYS}{}:{rest}", user.as_str())
}

/// Where every [`user_key`] starts.
const USER_KEYS: &str = "user:";

/// The kept reads of this process (cheap to clone). Off when `server.read_cache_secs` is 0.
#[derive(Clone)]
pub struct ReadCache {
    inner: Option<Arc<Inner>>,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache")
            .field("on", &self.inner.is_some())
            .finish()
    }
}

struct Inner {
    epochs: moka::sync::Cache<UserId, u64>,
    entries: moka::sync::Cache<String, Arc<Kept>>,
    next_epoch: AtomicU64,
    /// Whether announcements are being heard ([`listen`]) — for [`KEEP_AFTER`] already; nothing is
    /// kept while they are not.
    listening: AtomicBool,
    /// Counts the listener's starts and losses, so a start's delayed switch-on knows it is stale;
    /// `listening` is switched under this lock.
    listens: Mutex<u64>,
    /// Until when this replica is known to be the only one listening (see [`watch_peers`]).
    alone_until: Mutex<Option<Instant>>,
    /// Names this process in its announcements, so it does not act on its own twice.
    process: String,
}

/// One kept answer.
struct Kept {
    total: Option<i64>,
    json: Bytes,
    gzip: OnceLock<Bytes>,
}

/// Whose reads a write may have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    User(UserId),
    Everyone,
}

impl ReadCache {
    /// Keeps answers for `ttl` in at most `bytes`; `ttl` zero means off.
    pub fn new(ttl: Duration, bytes: u64) -> Self {
        if ttl.is_zero() || bytes == 0 {
            return Self { inner: None };
        }
        let entries = moka::sync::Cache::builder()
            .max_capacity(bytes)
            .weigher(|key: &String, kept: &Arc<Kept>| {
                // The gzip is made later; allow a quarter of the JSON for it.
                let weight = key.len() + kept.json.len() + kept.json.len() / 4 + 64;
                u32::try_from(weight).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .build();
        let epochs = moka::sync::Cache::builder()
            .max_capacity(USERS)
            .time_to_idle(ttl.saturating_mul(4))
            .build();
        Self {
            inner: Some(Arc::new(Inner {
                epochs,
                entries,
                next_epoch: AtomicU64::new(1),
                listening: AtomicBool::new(false),
                listens: Mutex::new(0),
                alone_until: Mutex::new(None),
                process: uuid::Uuid::new_v4().simple().to_string(),
            })),
        }
    }

    pub fn is_on(&self) -> bool {
        self.inner.is_some()
    }

    /// On, and hearing the other replicas' announcements: answers are kept.
    pub fn is_keeping(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|inner| inner.listening.load(Ordering::Acquire))
    }

    #[cfg(test)]
    fn set_listening(&self, on: bool) {
        if let Some(inner) = &self.inner {
            inner.listening.store(on, Ordering::Release);
        }
    }

    /// The key `what` is kept under for `user` now.
    fn key(&self, user: &UserId, what: &str) -> Option<String> {
        let inner = self.inner.as_ref()?;
        if !inner.listening.load(Ordering::Acquire) {
            return None;
        }
        let epoch = inner
            .epochs
            .get_with_by_ref(user, || inner.next_epoch.fetch_add(1, Ordering::Relaxed));
        Some(format!("{epoch}\u{0}{user}\u{0}{what}"))
    }

    /// Forgets, in this process, what `changed` may have made out of date.
    pub fn forget(&self, changed: &Changed) {
        let Some(inner) = &self.inner else { return };
        match changed {
            Changed::User(user) => {
                let epoch = inner.next_epoch.fetch_add(1, Ordering::Relaxed);
                inner.epochs.insert(user.clone(), epoch);
            }
            Changed::Everyone => {
                inner.epochs.invalidate_all();
                inner.entries.invalidate_all();
            }
        }
    }

    /// [`ReadCache::forget`] here, and tells the other replicas — also when this process keeps
    /// nothing itself (a CLI restore) — unless this one is known to be alone (a failed
    /// announcement is logged: they then serve what they kept until it expires).
    pub async fn announce(&self, pool: &PgPool, changed: &Changed) {
        self.forget(changed);
        if self.is_alone() {
            return;
        }
        let who = match changed {
            Changed::User(user) => user.as_str(),
            Changed::Everyone => "*",
        };
        if let Err(err) = self.notify(pool, who).await {
            tracing::warn!(error = %err, "cannot announce a write to the other replicas");
        }
    }

    /// `NOTIFY user_reads` with this process's name and `who` (a user id, or `*`), in a transaction
    /// of its own that commits without waiting for the WAL flush: Postgres serialises the commits of
    /// notifying transactions on one lock per database, held through the commit, so a NOTIFY inside
    /// each write's transaction queued every write's flush behind the others' (and a notification is
    /// not kept on disk anyway). Called after the write has committed.
    async fn notify(&self, pool: &PgPool, who: &str) -> sqlx::Result<()> {
        let process = self
            .inner
            .as_ref()
            .map_or("-", |inner| inner.process.as_str());
        sqlx::query!(
            "select pg_notify($1, $2), set_config('synchronous_commit', 'off', true)",
            CHANNEL,
            format!("{process} {who}")
        )
        .fetch_one(pool)
        .await?;
        Ok(())
    }

    /// The `application_name` of this replica's listening connection (`None` when off).
    fn listener_name(&self) -> Option<String> {
        let inner = self.inner.as_ref()?;
        Some(crate::db::listener_name(CHANNEL, &inner.process))
    }

    /// Whether a recent look found no other replica listening (never in a process that does not
    /// look: the CLI).
    pub fn is_alone(&self) -> bool {
        self.inner.as_ref().is_some_and(|inner| {
            let until = *inner.alone_until.lock().unwrap_or_else(|e| e.into_inner());
            until.is_some_and(|until| Instant::now() < until)
        })
    }

    /// The listener is up: everything kept so far is forgotten, and keeping starts [`KEEP_AFTER`]
    /// later unless the listener is lost (or started again) meanwhile.
    fn started(&self) {
        let Some(inner) = &self.inner else { return };
        let start = {
            let mut listens = inner.listens.lock().unwrap_or_else(|e| e.into_inner());
            *listens += 1;
            inner.listening.store(false, Ordering::Release);
            *listens
        };
        self.forget(&Changed::Everyone);
        let inner = Arc::clone(inner);
        tokio::spawn(async move {
            tokio::time::sleep(KEEP_AFTER).await;
            let listens = inner.listens.lock().unwrap_or_else(|e| e.into_inner());
            if *listens == start {
                inner.listening.store(true, Ordering::Release);
            }
        });
    }

    /// The listener is down: nothing is kept, and what was is forgotten.
    fn lost(&self) {
        let Some(inner) = &self.inner else { return };
        {
            let mut listens = inner.listens.lock().unwrap_or_else(|e| e.into_inner());
            *listens += 1;
            inner.listening.store(false, Ordering::Release);
        }
        self.forget(&Changed::Everyone);
    }

    /// Acts on one announcement heard on [`CHANNEL`]; its own are ignored. The user's near copies
    /// in `cache` go first, so an answer built after this is not made from them.
    fn heard(&self, payload: &str, cache: &Cache) {
        let Some(inner) = &self.inner else { return };
        let Some((process, who)) = payload.split_once(' ') else {
            return;
        };
        if process == inner.process {
            return;
        }
        if who == "*" {
            cache.forget_near("");
            self.forget(&Changed::Everyone);
        } else {
            let user = UserId(who.to_owned());
            cache.forget_near(&user_key(&user, ""));
            self.forget(&Changed::User(user));
        }
    }
}

/// Handler argument of a kept read: [`KeptRead::hit`] answers from what was kept, else the handler
/// loads and answers with [`KeptRead::keep`]. Put it after the `AuthUser` argument; without a user
/// (or with the cache off) nothing is kept.
pub struct KeptRead {
    cache: ReadCache,
    key: Option<String>,
    gzip: bool,
}

impl FromRequestParts<AppState> for KeptRead {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let what = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
        let key = parts
            .extensions
            .get::<AuthUser>()
            .and_then(|user| state.reads.key(&user.user_id, what));
        Ok(Self {
            cache: state.reads.clone(),
            key,
            gzip: accepts_gzip(&parts.headers),
        })
    }
}

impl KeptRead {
    /// The kept answer, when there is one.
    pub fn hit(&self) -> Option<Response> {
        let inner = self.cache.inner.as_ref()?;
        let kept = inner.entries.get(self.key.as_ref()?)?;
        Some(self.respond(&kept))
    }

    /// Answers with `value` (and `X-Total-Count: total`), keeping it for the next read.
    pub fn keep<T: Serialize>(&self, total: Option<i64>, value: &T) -> Result<Response, AppError> {
        let json = serde_json::to_vec(value)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot serialise an answer: {e}")))?;
        let kept = Arc::new(Kept {
            total,
            json: Bytes::from(json),
            gzip: OnceLock::new(),
        });
        let response = self.respond(&kept);
        if let (Some(inner), Some(key)) = (&self.cache.inner, &self.key)
            && kept.json.len() <= LARGEST
        {
            inner.entries.insert(key.clone(), kept);
        }
        Ok(response)
    }

    fn respond(&self, kept: &Kept) -> Response {
        let mut headers = kept.total.map(total_header).unwrap_or_default();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // An answer too large to keep is left to the compression layer (made fresh each time).
        let body = if self.gzip && kept.json.len() > GZIP_ABOVE && kept.json.len() <= LARGEST {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            kept.gzip.get_or_init(|| gzip(&kept.json)).clone()
        } else {
            kept.json.clone()
        };
        (StatusCode::OK, headers, body).into_response()
    }
}

fn gzip(json: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 4),
        flate2::Compression::default(),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(json);
    Bytes::from(encoder.finish().unwrap_or_default())
}

/// Whether `Accept-Encoding` takes gzip: as `gzip` says when it is named (`q=0` refuses), else as
/// `*` says.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let (mut gzip, mut any) = (None, None);
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let taken = !parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if coding.eq_ignore_ascii_case("gzip") {
            gzip = Some(taken);
        } else if coding == "*" {
            any = Some(taken);
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// Middleware, inside the one that identifies the user: after a write by a signed-in user, that
/// user's kept reads (everyone's, for an administrator's write) are forgotten here and announced to
/// the other replicas — before the response leaves, and also when the request is cut off.
pub async fn note_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.reads.is_on()
        || matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        )
    {
        return next.run(request).await;
    }
    let Some(user) = request.extensions().get::<AuthUser>() else {
        return next.run(request).await;
    };
    let user = user.user_id.clone();
    let admin = request.uri().path().starts_with("/api/admin");
    // Cut off, an administrator's write may have changed anyone's data.
    let mut pending = Pending {
        state: state.clone(),
        changed: Some(if admin {
            Changed::Everyone
        } else {
            Changed::User(user.clone())
        }),
    };
    let response = next.run(request).await;
    // Answered, only an administrator's write that succeeded reaches beyond the caller (a refused
    // one must not let any user empty every replica's reads).
    let changed = if admin && response.status().is_success() {
        Changed::Everyone
    } else {
        Changed::User(user)
    };
    pending.changed = Some(changed.clone());
    state.reads.announce(&state.db, &changed).await;
    // Announced: nothing is left for the guard (cut off during the announcement, it announces again).
    pending.changed = None;
    response
}

/// A write whose announcement is still due; dropped unsent (the request was cut off), it forgets
/// here at once and announces in the background — and once more [`LATE_COMMIT`] later, for a
/// statement the cut-off request had already sent.
struct Pending {
    state: AppState,
    changed: Option<Changed>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(changed) = self.changed.take() {
            self.state.reads.forget(&changed);
            let state = self.state.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    state.reads.announce(&state.db, &changed).await;
                    tokio::time::sleep(LATE_COMMIT).await;
                    state.reads.announce(&state.db, &changed).await;
                });
            }
        }
    }
}

/// Keeps this replica's reads (and `cache`'s near copies of a user's data) in step with the writes
/// other replicas announce; while the listening connection is down nothing is kept, and when it
/// is lost (an announcement may have been missed) everything kept is forgotten. Runs until the pool
/// closes.
pub async fn listen(pool: PgPool, reads: ReadCache, cache: Cache) {
    let Some(name) = reads.listener_name() else {
        return;
    };
    crate::db::listen(pool, CHANNEL, &name, "user writes", |event| match event {
        // Anything announced before LISTEN took effect is covered by starting afresh.
        // Only users' data: the catalog's near copy has a listener of its own, and what else is near
        // (the seen-profile and terms checks) must keep serving while Postgres is away.
        Listening::Started => {
            cache.forget_near(USER_KEYS);
            reads.started();
        }
        Listening::Heard(payload) => reads.heard(payload, &cache),
        Listening::Lost => {
            reads.lost();
            cache.forget_near(USER_KEYS);
        }
    })
    .await;
}

/// Every [`PEER_CHECK`], looks for another replica's listener on this database; finding none, this
/// replica counts itself alone for [`ALONE_FOR`] from the moment it began to look (a look that fails
/// or finds one ends that at once). Runs until the pool closes.
pub async fn watch_peers(pool: PgPool, reads: ReadCache) {
    let Some(inner) = reads.inner.clone() else {
        return;
    };
    let prefix = crate::db::listener_prefix(CHANNEL);
    let own = crate::db::listener_name(CHANNEL, &inner.process);
    // What an older version's listener, named as its pool, last sent.
    let older = format!(r#"LISTEN "{CHANNEL}""#);
    while !pool.is_closed() {
        let asked = Instant::now();
        let alone = sqlx::query_scalar!(
            r#"select not exists(select 1 from pg_stat_activity
                                  where datname = current_database()
                                    and ((starts_with(application_name, $1) and application_name <> $2)
                                         or (application_name = 'mvp-backend' and query = $3)))
                        as "alone!""#,
            prefix,
            own,
            older,
        )
        .fetch_one(&pool)
        .await;
        let until = match alone {
            Ok(true) => Some(asked + ALONE_FOR),
            Ok(false) => None,
            Err(err) => {
                tracing::debug!(error = %err, "cannot look for other replicas");
                None
            }
        };
        *inner.alone_until.lock().unwrap_or_else(|e| e.into_inner()) = until;
        tokio::time::sleep(PEER_CHECK).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> UserId {
        UserId(id.to_owned())
    }

    /// On, and (as if) listening.
    fn keeping() -> ReadCache {
        let cache = ReadCache::new(Duration::from_secs(60), 1 << 20);
        cache.set_listening(true);
        cache
    }

    fn kept(cache: &ReadCache, key: &str) -> Option<Bytes> {
        let inner = cache.inner.as_ref()?;
        inner.entries.get(key).map(|k| k.json.clone())
    }

    fn store(cache: &ReadCache, key: &str, json: &'static [u8]) {
        let inner = cache.inner.as_ref().unwrap_or_else(|| panic!("on"));
        inner.entries.insert(
            key.to_owned(),
            Arc::new(Kept {
                total: None,
                json: Bytes::from_static(json),
                gzip: OnceLock::new(),
            }),
        );
    }

    /// A load that began before a write files its answer under the old epoch: the next read does
    /// not find it. Another user's reads are untouched.
    #[test]
    fn an_answer_loaded_before_a_write_is_never_read_after_it() {
        let cache = keeping();
        let before = cache
            .key(&user("a"), "/api/vehicles")
            .unwrap_or_else(|| panic!("on"));
        let other = cache
            .key(&user("b"), "/api/vehicles")
            .unwrap_or_else(|| panic!("on"));
        store(&cache, &other, b"[b]");
        cache.forget(&Changed::User(user("a")));
        store(&cache, &before, b"[old]");
        let after = cache
            .key(&user("a"), "/api/vehicles")
            .unwrap_or_else(|| panic!("on"));
        assert_ne!(before, after);
        assert_eq!(kept(&cache, &after), None);
        assert_eq!(cache.key(&user("b"), "/api/vehicles"), Some(other.clone()));
        assert_eq!(kept(&cache, &other).as_deref(), Some(&b"[b]"[..]));

        cache.forget(&Changed::Everyone);
        let b_now = cache
            .key(&user("b"), "/api/vehicles")
            .unwrap_or_else(|| panic!("on"));
        assert_ne!(b_now, other);
        assert_eq!(kept(&cache, &b_now), None);
    }

    /// Another replica's announcement retires the user's kept reads and their near copies (the
    /// preferences an answer is built from); this process's own is not acted on twice.
    #[test]
    fn announcements_of_other_replicas_retire_reads_and_near_copies() {
        let cache = keeping();
        let near = Cache::memory("t:");
        let prefs = |who: &str| user_key(&user(who), "prefs");
        let minute = Duration::from_secs(60);
        near.set_near_only(&prefs("a"), Bytes::from_static(b"metric"), minute);
        near.set_near_only(&prefs("b"), Bytes::from_static(b"metric"), minute);
        let key = cache.key(&user("a"), "/x").unwrap_or_else(|| panic!("on"));
        let own = format!(
            "{} a",
            cache.inner.as_ref().unwrap_or_else(|| panic!("on")).process
        );
        cache.heard(&own, &near);
        assert_eq!(cache.key(&user("a"), "/x").as_ref(), Some(&key));
        assert!(near.near_only(&prefs("a")).is_some());

        cache.heard("another-process a", &near);
        assert_ne!(cache.key(&user("a"), "/x").as_ref(), Some(&key));
        assert_eq!(near.near_only(&prefs("a")), None);
        assert!(
            near.near_only(&prefs("b")).is_some(),
            "another user's copy stays"
        );

        let key = cache.key(&user("b"), "/x").unwrap_or_else(|| panic!("on"));
        cache.heard("another-process *", &near);
        assert_ne!(cache.key(&user("b"), "/x").as_ref(), Some(&key));
        assert_eq!(near.near_only(&prefs("b")), None);
        cache.heard("garbage", &near);
    }

    #[test]
    fn nothing_is_kept_until_announcements_are_heard() {
        let cache = ReadCache::new(Duration::from_secs(60), 1 << 20);
        assert!(cache.is_on() && !cache.is_keeping());
        assert_eq!(cache.key(&user("a"), "/x"), None);
        cache.set_listening(true);
        assert!(cache.key(&user("a"), "/x").is_some());
    }

    #[test]
    fn off_keeps_nothing() {
        let cache = ReadCache::new(Duration::ZERO, 1 << 20);
        assert!(!cache.is_on());
        assert_eq!(cache.key(&user("a"), "/x"), None);
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            accepts_gzip(&h)
        };
        assert!(with("gzip"));
        assert!(with("br, gzip;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, deflate"));
        assert!(!with("gzip;q=0, *"), "named refusal beats the wildcard");
        assert!(!with("*;q=0"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
