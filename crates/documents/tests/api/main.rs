//! The documents feature against the real app: uploads, downloads, limits and hostile input
//! (`documents`), the storage jobs (`jobs`), and text extraction through the real OCR service (`ocr`).

mod documents;
mod jobs;
mod ocr;
mod s3;
mod support;
