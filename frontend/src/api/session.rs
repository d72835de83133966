//! The signed-in session. The access token lives only in memory (a thread-local: the browser runs
//! the app on one thread); the refresh token is kept in `sessionStorage` so a reload of the tab stays
//! signed in while closing it signs out — the usual guidance for a SPA without a backend-for-frontend.
//! Refresh is single-flight: refresh tokens rotate, and two concurrent refreshes with the same token
//! would look like reuse and revoke the whole family.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use futures::future::{FutureExt, Shared};
use mvp_types::user::{RefreshRequest, TokenResponse};

use super::oidc;

const REFRESH_KEY: &str = "mvp.refresh";
const PROVIDER_KEY: &str = "mvp.provider";
/// Renew this long before the access token expires.
const EARLY_MS: f64 = 60_000.0;

type RefreshFuture = Shared<Pin<Box<dyn Future<Output = bool>>>>;

#[derive(Default)]
struct State {
    access: Option<String>,
    expires_at_ms: f64,
    refreshing: Option<RefreshFuture>,
    on_change: Option<Box<dyn Fn(bool)>>,
    on_expired: Option<Box<dyn Fn()>>,
    timer: Option<leptos::prelude::TimeoutHandle>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

pub fn stored(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

pub fn store(key: &str, value: Option<&str>) {
    if let Some(s) = storage() {
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}

/// Called by the app: `on_change(signed_in)` keeps the UI in step; `on_expired` leads to sign-in.
pub fn set_listeners(on_change: impl Fn(bool) + 'static, on_expired: impl Fn() + 'static) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.on_change = Some(Box::new(on_change));
        s.on_expired = Some(Box::new(on_expired));
    });
}

pub fn access_token() -> Option<String> {
    STATE.with(|s| s.borrow().access.clone())
}

pub fn is_signed_in() -> bool {
    access_token().is_some()
}

fn notify(signed_in: bool) {
    STATE.with(|s| {
        if let Some(f) = s.borrow().on_change.as_ref() {
            f(signed_in);
        }
    });
}

/// Stores a new token pair (after login, refresh or the OIDC callback) and schedules the silent
/// refresh before expiry.
pub fn start(tokens: &TokenResponse, provider: &str) {
    store(REFRESH_KEY, Some(&tokens.refresh_token));
    store(PROVIDER_KEY, Some(provider));
    let lifetime_ms = (tokens.expires_in as f64) * 1000.0;
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.access = Some(tokens.access_token.clone());
        s.expires_at_ms = now_ms() + lifetime_ms;
        if let Some(t) = s.timer.take() {
            t.clear();
        }
        let delay = (lifetime_ms - EARLY_MS).max(5_000.0);
        s.timer = leptos::prelude::set_timeout_with_handle(
            || {
                leptos::task::spawn_local(async {
                    refresh().await;
                })
            },
            std::time::Duration::from_millis(delay as u64),
        )
        .ok();
    });
    notify(true);
}

/// Forgets the session (tokens and timer).
pub fn clear() {
    store(REFRESH_KEY, None);
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.access = None;
        if let Some(t) = s.timer.take() {
            t.clear();
        }
    });
    notify(false);
}

pub fn refresh_token() -> Option<String> {
    stored(REFRESH_KEY)
}

/// The API said 401 and no refresh helped: forget the session and go to sign-in.
pub fn signed_out_by_server() {
    let had_session = is_signed_in() || refresh_token().is_some();
    clear();
    if had_session {
        STATE.with(|s| {
            if let Some(f) = s.borrow().on_expired.as_ref() {
                f();
            }
        });
    }
}

/// Renews the access token if it expires within a minute.
pub async fn ensure_fresh() {
    let (has_access, expires_at) = STATE.with(|s| {
        let s = s.borrow();
        (s.access.is_some(), s.expires_at_ms)
    });
    if has_access && now_ms() + EARLY_MS / 2.0 > expires_at {
        refresh().await;
    }
}

/// Renews the tokens with the refresh token; true when it worked. Concurrent callers share one
/// request.
pub async fn refresh() -> bool {
    let existing = STATE.with(|s| s.borrow().refreshing.clone());
    let shared = match existing {
        Some(f) => f,
        None => {
            let fut: Pin<Box<dyn Future<Output = bool>>> = Box::pin(do_refresh());
            let shared = fut.shared();
            STATE.with(|s| s.borrow_mut().refreshing = Some(shared.clone()));
            shared
        }
    };
    let ok = shared.await;
    STATE.with(|s| s.borrow_mut().refreshing = None);
    ok
}

async fn do_refresh() -> bool {
    let Some(token) = refresh_token() else {
        return false;
    };
    let provider = stored(PROVIDER_KEY).unwrap_or_else(|| "local".to_owned());
    let result = if provider == "oidc" {
        oidc::refresh(&token).await
    } else {
        match super::send_public(
            "POST",
            "/api/auth/refresh",
            super::Body::json(&RefreshRequest {
                refresh_token: token,
            }),
        )
        .await
        {
            Ok(r) => super::json::<TokenResponse>(r).await,
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(tokens) => {
            start(&tokens, &provider);
            true
        }
        Err(e) if e.status == 0 => false,
        Err(_) => {
            // The refresh token was refused: it is no use any more.
            store(REFRESH_KEY, None);
            false
        }
    }
}

/// Signs out: revokes the refresh token (local) or ends the issuer's session (OIDC). True when the
/// browser is leaving for the issuer (which sends it back to the start page).
pub async fn sign_out() -> bool {
    let provider = stored(PROVIDER_KEY).unwrap_or_else(|| "local".to_owned());
    if let Some(token) = refresh_token() {
        if provider == "local" {
            let _ = super::send_public(
                "POST",
                "/api/auth/logout",
                super::Body::json(&RefreshRequest {
                    refresh_token: token,
                }),
            )
            .await;
        }
    }
    clear();
    provider == "oidc" && oidc::end_session().await
}
