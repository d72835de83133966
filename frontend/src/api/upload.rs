//! Multipart uploads with progress (documents, backup archives, imports) and a download with
//! progress (the data export): over XMLHttpRequest, because fetch cannot report how much of a
//! request body has been sent.

use serde::de::DeserializeOwned;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{error_from, session, ApiError, ApiResult};

fn browser_error(message: &str) -> ApiError {
    ApiError::network(message)
}

/// One XMLHttpRequest POST of `form`; `on_progress` gets the share of the body sent (0–1).
async fn post_form(
    path: &str,
    form: &web_sys::FormData,
    on_progress: &Closure<dyn FnMut(web_sys::ProgressEvent)>,
) -> ApiResult<(u16, String)> {
    let fail = |_| browser_error("the upload could not be started");
    let xhr = web_sys::XmlHttpRequest::new().map_err(fail)?;
    xhr.open_with_async("POST", path, true).map_err(fail)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(fail)?;
    if let Some(token) = session::access_token() {
        xhr.set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(fail)?;
    }
    xhr.upload()
        .map_err(fail)?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    // Resolved when the request ends, whichever way (loaded, failed, aborted).
    let ended = js_sys::Promise::new(&mut |resolve, _| xhr.set_onloadend(Some(&resolve)));
    xhr.send_with_opt_form_data(Some(form)).map_err(fail)?;
    let _ = JsFuture::from(ended).await;
    let status = xhr.status().unwrap_or(0);
    if status == 0 {
        return Err(browser_error(
            "the upload did not reach the server (connection lost?)",
        ));
    }
    Ok((
        status,
        xhr.response_text().ok().flatten().unwrap_or_default(),
    ))
}

/// POSTs `form` to `path`, reporting the share of the body sent (0–1); after a 401 the session is
/// renewed once and the upload sent again.
pub async fn post<T: DeserializeOwned>(
    path: &str,
    form: web_sys::FormData,
    on_progress: impl Fn(f64) + 'static,
) -> ApiResult<T> {
    session::ensure_fresh().await;
    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                on_progress(event.loaded() / event.total());
            }
        });
    let mut answer = post_form(path, &form, &progress).await?;
    if answer.0 == 401 && session::refresh().await {
        answer = post_form(path, &form, &progress).await?;
    }
    match answer {
        (status, text) if (200..300).contains(&status) => serde_json::from_str(&text)
            .map_err(|e| browser_error(&format!("unexpected answer: {e}"))),
        (401, text) => {
            session::signed_out_by_server();
            Err(error_from(401, &text))
        }
        (status, text) => Err(error_from(status, &text)),
    }
}

/// GETs `path` as a file with XMLHttpRequest, reporting the bytes received so far (the export is
/// streamed: its size is not known ahead); returns the file as an object URL (revoke it when done).
pub async fn download(path: &str, on_bytes: impl Fn(f64) + 'static) -> ApiResult<String> {
    session::ensure_fresh().await;
    let fail = |_| browser_error("the download could not be started");
    let xhr = web_sys::XmlHttpRequest::new().map_err(fail)?;
    xhr.open_with_async("GET", path, true).map_err(fail)?;
    xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Blob);
    if let Some(token) = session::access_token() {
        xhr.set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(fail)?;
    }
    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            on_bytes(event.loaded());
        });
    xhr.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    let ended = js_sys::Promise::new(&mut |resolve, _| xhr.set_onloadend(Some(&resolve)));
    xhr.send().map_err(fail)?;
    let _ = JsFuture::from(ended).await;
    let status = xhr.status().unwrap_or(0);
    if status == 0 {
        return Err(browser_error(
            "the download did not finish (connection lost?)",
        ));
    }
    let blob: web_sys::Blob = xhr
        .response()
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or_else(|| browser_error("the download could not be read"))?;
    if !(200..300).contains(&status) {
        let text = JsFuture::from(blob.text())
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        if status == 401 {
            session::signed_out_by_server();
        }
        return Err(error_from(status, &text));
    }
    web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| browser_error("the download could not be kept"))
}
