//! Documents: the list, edits, deletes, the stored bytes as an object URL (the route needs the bearer
//! token, so no plain link), and the upload with progress — over XMLHttpRequest, because fetch cannot
//! report how much of a request body has been sent.

use mvp_types::document::{Document, DocumentInput};
use mvp_types::ids::{DocumentId, VehicleId};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{delete, error_from, get, put, send, session, ApiError, ApiResult, Body};

pub async fn documents(vehicle: Option<VehicleId>) -> ApiResult<Vec<Document>> {
    let filter = vehicle
        .map(|v| format!("&vehicleId={v}"))
        .unwrap_or_default();
    get(&format!("/api/documents?limit=500{filter}")).await
}

pub async fn update(id: DocumentId, body: &DocumentInput) -> ApiResult<Document> {
    put(&format!("/api/documents/{id}"), body).await
}

pub async fn remove(id: DocumentId) -> ApiResult<()> {
    delete(&format!("/api/documents/{id}")).await
}

fn browser_error(message: &str) -> ApiError {
    ApiError::network(message)
}

/// The document's bytes as an object URL of their stored type (revoke it when done).
pub async fn object_url(id: DocumentId) -> ApiResult<String> {
    super::object_url(&format!("/api/documents/{id}/download")).await
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

/// Uploads a document (`form`: `file`, `vehicleId`, `documentType` and the optional fields),
/// reporting progress; after a 401 the session is renewed once and the upload sent again.
pub async fn upload(
    form: web_sys::FormData,
    on_progress: impl Fn(f64) + 'static,
) -> ApiResult<Document> {
    session::ensure_fresh().await;
    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                on_progress(event.loaded() / event.total());
            }
        });
    let mut answer = post_form("/api/documents", &form, &progress).await?;
    if answer.0 == 401 && session::refresh().await {
        answer = post_form("/api/documents", &form, &progress).await?;
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

/// Keeps a scanned receipt as a document of the vehicle (type receipt) and returns it; a failure is
/// said, and whatever the receipt was scanned for stays saved.
pub async fn keep_receipt(
    c: crate::state::Ctx,
    vehicle_id: VehicleId,
    file: &web_sys::File,
    title: &str,
) -> Option<Document> {
    let form = web_sys::FormData::new().ok()?;
    let _ = form.append_with_str("vehicleId", &vehicle_id.to_string());
    let _ = form.append_with_str("documentType", "receipt");
    let _ = form.append_with_str("title", title);
    let _ = form.append_with_blob_and_filename("file", file, &file.name());
    match upload(form, |_| {}).await {
        Ok(document) => {
            c.notify_changed();
            Some(document)
        }
        Err(e) => {
            c.error(format!("The receipt was not kept: {e}"));
            None
        }
    }
}

/// Reads a receipt, VIN plate or document (`kind`: fuel_receipt, maintenance_receipt, vin,
/// document) through the OCR service; nothing is stored.
pub async fn scan(kind: &str, file: &web_sys::File) -> ApiResult<mvp_types::document::OcrExtract> {
    let form = web_sys::FormData::new().map_err(|_| browser_error("cannot build the upload"))?;
    let _ = form.append_with_blob_and_filename("file", file, &file.name());
    super::json(
        send(
            "POST",
            &format!("/api/ocr/extract?kind={kind}"),
            Body::Form(form),
        )
        .await?,
    )
    .await
}
