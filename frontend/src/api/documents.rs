//! Documents: the list, edits, deletes, the stored bytes as an object URL (the route needs the bearer
//! token, so no plain link), the upload with progress ([`super::upload`]) and the OCR scan.

use super::{delete, get, put, send, ApiResult, Body};
use mvp_types::document::{Document, DocumentInput};
use mvp_types::ids::{DocumentId, VehicleId};

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

/// The document's bytes as an object URL of their stored type (revoke it when done).
pub async fn object_url(id: DocumentId) -> ApiResult<String> {
    super::object_url(&format!("/api/documents/{id}/download")).await
}

/// Uploads a document (`form`: `file`, `vehicleId`, `documentType` and the optional fields),
/// reporting progress; after a 401 the session is renewed once and the upload sent again.
pub async fn upload(
    form: web_sys::FormData,
    on_progress: impl Fn(f64) + 'static,
) -> ApiResult<Document> {
    super::upload::post("/api/documents", form, on_progress).await
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
    let form = web_sys::FormData::new()
        .map_err(|_| super::ApiError::network("cannot build the upload"))?;
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
