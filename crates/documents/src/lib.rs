//! mvp-documents: documents and text extraction. This first part is `POST /api/ocr/extract`, which
//! forwards a file to the OCR service (`ocr.url`) and maps its failures to 503/502/4xx; results are
//! returned to prefill a form and never stored. Document storage comes next (see README).

pub mod ocr;

use axum::extract::DefaultBodyLimit;
use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest file sent for extraction (the OCR service's own limit).
pub const OCR_MAX_BYTES: usize = 25 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ocr::extract))
        .layer(DefaultBodyLimit::max(OCR_MAX_BYTES + 64 * 1024))
}
