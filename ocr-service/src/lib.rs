//! mvp-ocr: the OCR service. Text from receipt and VIN photos, scans and PDFs (`engine`, Tesseract
//! and poppler), photos straightened first (`photo`, `geometry`), barcodes decoded (`barcode`), and
//! the fields a fuel or maintenance receipt or a VIN plate holds found in the text (`extract`).

pub mod barcode;
pub mod engine;
pub mod extract;
pub mod geometry;
pub mod photo;
pub mod service;
pub mod vin;

pub use extract::{Extracted, Found, extract};
