//! OpenID Connect for `authProvider: oidc` (Auth0 in production): Authorization Code with PKCE.
//! The verifier and `state` wait in `sessionStorage` across the redirect; the callback exchanges the
//! code at the token endpoint; refresh uses the rotating refresh token (`offline_access`).

use std::cell::RefCell;

use mvp_types::user::TokenResponse;
use mvp_types::RuntimeConfig;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{ApiError, ApiResult};

const VERIFIER_KEY: &str = "mvp.pkce.verifier";
const STATE_KEY: &str = "mvp.pkce.state";
pub const NEXT_KEY: &str = "mvp.next";

thread_local! {
    static CONFIG: RefCell<Option<RuntimeConfig>> = const { RefCell::new(None) };
}

pub fn configure(config: &RuntimeConfig) {
    CONFIG.with(|c| *c.borrow_mut() = Some(config.clone()));
}

fn config() -> Option<RuntimeConfig> {
    CONFIG.with(|c| c.borrow().clone())
}

#[derive(Deserialize)]
struct Discovery {
    authorization_endpoint: String,
    token_endpoint: String,
    end_session_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct OidcTokens {
    access_token: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
}

fn err(message: &str) -> ApiError {
    ApiError {
        status: 0,
        code: None,
        message: message.to_owned(),
        details: Vec::new(),
    }
}

/// Unpadded base64url, as RFC 7636 wants for the verifier and challenge.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = ((n >> (18 - 6 * i)) & 63) as usize;
            out.push(char::from(ALPHABET[index]));
        }
    }
    out
}

fn random_string(len: usize) -> ApiResult<String> {
    let window = web_sys::window().ok_or_else(|| err("no window"))?;
    let crypto = window.crypto().map_err(|_| err("no crypto"))?;
    let mut bytes = vec![0u8; len];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| err("no random values"))?;
    Ok(base64url(&bytes))
}

async fn sha256(text: &str) -> ApiResult<Vec<u8>> {
    let window = web_sys::window().ok_or_else(|| err("no window"))?;
    let subtle = window.crypto().map_err(|_| err("no crypto"))?.subtle();
    let data = js_sys::Uint8Array::from(text.as_bytes());
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", &data)
        .map_err(|_| err("digest failed"))?;
    let buffer = JsFuture::from(promise)
        .await
        .map_err(|_| err("digest failed"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

async fn discover(issuer: &str) -> ApiResult<Discovery> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let response = super::send_public("GET", &url, super::Body::None).await?;
    super::json(response).await
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn redirect_uri() -> String {
    format!("{}/callback", origin())
}

/// Sends the browser to the issuer's sign-in page; `next` is where to land afterwards.
pub async fn begin(next: &str) -> ApiResult<()> {
    let cfg = config().ok_or_else(|| err("configuration not loaded"))?;
    let issuer = cfg
        .issuer
        .clone()
        .ok_or_else(|| err("no issuer configured"))?;
    let client_id = cfg.client_id.clone().unwrap_or_default();
    let discovery = discover(&issuer).await?;
    let verifier = random_string(32)?;
    let state = random_string(16)?;
    let challenge = base64url(&sha256(&verifier).await?);
    super::session::store(VERIFIER_KEY, Some(&verifier));
    super::session::store(STATE_KEY, Some(&state));
    super::session::store(NEXT_KEY, Some(next));
    let mut url = format!(
        "{}?response_type=code&client_id={}&redirect_uri={}&scope={}&code_challenge={}&code_challenge_method=S256&state={}",
        discovery.authorization_endpoint,
        super::enc(&client_id),
        super::enc(&redirect_uri()),
        super::enc("openid profile email offline_access"),
        challenge,
        state
    );
    if let Some(audience) = cfg.audience {
        url.push_str(&format!("&audience={}", super::enc(&audience)));
    }
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(&url);
    }
    Ok(())
}

async fn token_request(form: &str) -> ApiResult<TokenResponse> {
    let cfg = config().ok_or_else(|| err("configuration not loaded"))?;
    let issuer = cfg.issuer.ok_or_else(|| err("no issuer configured"))?;
    let discovery = discover(&issuer).await?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(|_| err("headers"))?;
    let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
    init.set_headers(&headers);
    init.set_body(&wasm_bindgen::JsValue::from_str(form));
    let window = web_sys::window().ok_or_else(|| err("no window"))?;
    let request = web_sys::Request::new_with_str_and_init(&discovery.token_endpoint, &init)
        .map_err(|_| err("request"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| err("the issuer cannot be reached"))?
        .dyn_into()
        .map_err(|_| err("response"))?;
    if !response.ok() {
        return Err(ApiError {
            status: response.status(),
            code: None,
            message: "the issuer refused the sign-in".to_owned(),
            details: Vec::new(),
        });
    }
    let tokens: OidcTokens = super::json(response).await?;
    Ok(TokenResponse {
        access_token: tokens.access_token,
        token_type: "Bearer".to_owned(),
        expires_in: tokens.expires_in.unwrap_or(3600),
        refresh_token: tokens.refresh_token.unwrap_or_default(),
    })
}

/// The callback: checks `state`, exchanges the code, starts the session; returns where to go next.
pub async fn complete(code: &str, state: &str) -> ApiResult<String> {
    let expected = super::session::stored(STATE_KEY);
    let verifier = super::session::stored(VERIFIER_KEY);
    super::session::store(STATE_KEY, None);
    super::session::store(VERIFIER_KEY, None);
    if expected.as_deref() != Some(state) {
        return Err(err("the sign-in answer does not match this browser tab"));
    }
    let verifier = verifier.ok_or_else(|| err("the sign-in was not started here"))?;
    let client_id = config().and_then(|c| c.client_id).unwrap_or_default();
    let form = format!(
        "grant_type=authorization_code&client_id={}&code={}&redirect_uri={}&code_verifier={}",
        super::enc(&client_id),
        super::enc(code),
        super::enc(&redirect_uri()),
        super::enc(&verifier)
    );
    let tokens = token_request(&form).await?;
    super::session::start(&tokens, "oidc");
    let next = super::session::stored(NEXT_KEY).unwrap_or_else(|| "/".to_owned());
    super::session::store(NEXT_KEY, None);
    Ok(next)
}

/// Silent refresh with the rotating refresh token.
pub async fn refresh(refresh_token: &str) -> ApiResult<TokenResponse> {
    let client_id = config().and_then(|c| c.client_id).unwrap_or_default();
    let form = format!(
        "grant_type=refresh_token&client_id={}&refresh_token={}",
        super::enc(&client_id),
        super::enc(refresh_token)
    );
    token_request(&form).await
}

/// Ends the issuer's session too, returning to the app's start page; true when the browser is sent there.
pub async fn end_session() -> bool {
    let Some(cfg) = config() else { return false };
    let Some(issuer) = cfg.issuer.clone() else {
        return false;
    };
    let client_id = cfg.client_id.unwrap_or_default();
    let url = match discover(&issuer)
        .await
        .ok()
        .and_then(|d| d.end_session_endpoint)
    {
        Some(end) => format!(
            "{end}?client_id={}&post_logout_redirect_uri={}",
            super::enc(&client_id),
            super::enc(&origin())
        ),
        // Auth0 without RP-initiated logout enabled.
        None => format!(
            "{}/v2/logout?client_id={}&returnTo={}",
            issuer.trim_end_matches('/'),
            super::enc(&client_id),
            super::enc(&origin())
        ),
    };
    web_sys::window()
        .map(|w| w.location().set_href(&url).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::base64url;

    #[test]
    fn base64url_matches_rfc_4648_without_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
