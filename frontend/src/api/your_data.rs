//! The "Your data" routes: the export (a download with progress), an import (a CSV or an export
//! archive, uploaded with progress; a dry run first for the preview) and erasing the account.

use mvp_types::export::{DeleteAccountRequest, ImportReport};

use super::{enc, send, ApiError, ApiResult, Body};

/// The whole export as an object URL; `on_bytes` hears how much has arrived.
pub async fn export(on_bytes: impl Fn(f64) + 'static) -> ApiResult<String> {
    super::upload::download("/api/user/export", on_bytes).await
}

/// Sends `file` to the importer as `format` (for `vehicle` when given); a dry run writes nothing
/// and answers with the first rows as read.
pub async fn import(
    file: &web_sys::File,
    format: &str,
    vehicle: Option<&str>,
    dry_run: bool,
    on_progress: impl Fn(f64) + 'static,
) -> ApiResult<ImportReport> {
    let form =
        web_sys::FormData::new().map_err(|_| ApiError::network("cannot build the upload"))?;
    let _ = form.append_with_blob_and_filename("file", file, &file.name());
    let mut path = format!("/api/user/import?format={}", enc(format));
    if let Some(vehicle) = vehicle.filter(|v| !v.is_empty()) {
        path.push_str(&format!("&vehicleId={}", enc(vehicle)));
    }
    if dry_run {
        path.push_str("&dryRun=true");
    }
    super::upload::post(&path, form, on_progress).await
}

/// Erases the account (the local provider asks for the password).
pub async fn delete_account(password: Option<String>) -> ApiResult<()> {
    let body = DeleteAccountRequest { password };
    send("DELETE", "/api/user/account", Body::json(&body))
        .await
        .map(|_| ())
}
