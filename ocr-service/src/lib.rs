//! mvp-ocr: the OCR service. This crate starts with the part that needs no OCR engine: finding the
//! fields a fuel or maintenance receipt or a VIN plate holds in recognised text (`extract`). The
//! HTTP service around Tesseract and PDF text comes next (see README).

pub mod engine;
pub mod extract;
pub mod service;
pub mod vin;

pub use extract::{Extracted, Found, extract};
