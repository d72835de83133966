//! HTTP to the API over the browser's fetch: JSON in and out, the bearer token from the in-memory
//! session, one silent refresh on a 401 (single-flight, because refresh tokens rotate), and a jump to
//! sign-in — remembering the page — when the session cannot be renewed.

pub mod admin;
pub mod calls;
pub mod documents;
pub mod oidc;
pub mod session;
pub mod upload;
pub mod your_data;

use mvp_types::{ErrorBody, ErrorCode, FieldError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// What went wrong with a call, in a form the pages can show.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: Option<ErrorCode>,
    pub message: String,
    pub details: Vec<FieldError>,
}

impl ApiError {
    fn network(message: impl Into<String>) -> Self {
        Self {
            status: 0,
            code: None,
            message: message.into(),
            details: Vec::new(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.status == 0 {
            write!(f, "Cannot reach the server: {}", self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A request body.
pub enum Body {
    None,
    Json(String),
    Form(web_sys::FormData),
    /// Text with its content type (a CSV import).
    Text(String, &'static str),
}

impl Body {
    pub fn json<T: Serialize>(value: &T) -> Self {
        Self::Json(serde_json::to_string(value).unwrap_or_default())
    }
}

fn js_err(e: JsValue) -> ApiError {
    ApiError::network(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

/// One fetch, no retry. `auth` adds the bearer token.
async fn fetch_once(method: &str, path: &str, body: &Body, auth: bool) -> ApiResult<Response> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(js_err)?;
    headers.set("Accept", "application/json").map_err(js_err)?;
    match body {
        Body::None => {}
        Body::Json(text) => {
            headers
                .set("Content-Type", "application/json")
                .map_err(js_err)?;
            init.set_body(&JsValue::from_str(text));
        }
        Body::Form(form) => init.set_body(form),
        Body::Text(text, content_type) => {
            headers.set("Content-Type", content_type).map_err(js_err)?;
            init.set_body(&JsValue::from_str(text));
        }
    }
    if auth {
        if let Some(token) = session::access_token() {
            headers
                .set("Authorization", &format!("Bearer {token}"))
                .map_err(js_err)?;
        }
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(js_err)?;
    let window = web_sys::window().ok_or_else(|| ApiError::network("no window"))?;
    let value = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_err)?;
    value.dyn_into::<Response>().map_err(js_err)
}

async fn error_of(response: Response) -> ApiError {
    let status = response.status();
    let text = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    error_from(status, &text)
}

/// The API's error body (or a plain message when the body is not one) of a `status` answer.
fn error_from(status: u16, text: &str) -> ApiError {
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(body) => ApiError {
            status,
            code: Some(body.error.code),
            message: body.error.message,
            details: body.error.details,
        },
        Err(_) => ApiError {
            status,
            code: Some(ErrorCode::for_status(status)),
            message: format!("The server answered {status}"),
            details: Vec::new(),
        },
    }
}

/// A call with the session: refreshes a token that is about to expire, retries once after a 401 with
/// a renewed token, and otherwise sends the user to sign-in.
pub async fn send(method: &str, path: &str, body: Body) -> ApiResult<Response> {
    session::ensure_fresh().await;
    let response = fetch_once(method, path, &body, true).await?;
    if response.status() != 401 {
        return check(response).await;
    }
    if session::refresh().await {
        let retry = fetch_once(method, path, &body, true).await?;
        if retry.status() != 401 {
            return check(retry).await;
        }
    }
    session::signed_out_by_server();
    Err(error_of(response).await)
}

/// A public call (no token, no refresh).
pub async fn send_public(method: &str, path: &str, body: Body) -> ApiResult<Response> {
    let response = fetch_once(method, path, &body, false).await?;
    check(response).await
}

async fn check(response: Response) -> ApiResult<Response> {
    if response.ok() {
        Ok(response)
    } else {
        Err(error_of(response).await)
    }
}

/// The JSON body of a successful response.
pub async fn json<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    let promise = response.text().map_err(js_err)?;
    let text = JsFuture::from(promise)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| ApiError::network(format!("unexpected answer: {e}")))
}

pub async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    json(send("GET", path, Body::None).await?).await
}

/// A list and its `X-Total-Count` (the length of the page when the header is missing).
pub async fn get_counted<T: DeserializeOwned>(path: &str) -> ApiResult<(Vec<T>, i64)> {
    let response = send("GET", path, Body::None).await?;
    let total = response
        .headers()
        .get("x-total-count")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<i64>().ok());
    let items: Vec<T> = json(response).await?;
    let total = total.unwrap_or(items.len() as i64);
    Ok((items, total))
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    json(send("POST", path, Body::json(body)).await?).await
}

pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    json(send("PUT", path, Body::json(body)).await?).await
}

pub async fn delete(path: &str) -> ApiResult<()> {
    send("DELETE", path, Body::None).await.map(|_| ())
}

/// Percent-encodes a query value.
/// A protected file's bytes as an object URL of their type (the route needs the bearer token, so
/// no plain link); revoke it when done.
pub async fn object_url(path: &str) -> ApiResult<String> {
    use wasm_bindgen::JsCast as _;
    let response = send("GET", path, Body::None).await?;
    let fail = |_| ApiError::network("cannot read the file");
    let blob: web_sys::Blob = wasm_bindgen_futures::JsFuture::from(response.blob().map_err(fail)?)
        .await
        .map_err(fail)?
        .dyn_into()
        .map_err(fail)?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)
}

pub fn enc(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}
