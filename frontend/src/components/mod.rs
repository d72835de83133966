//! Reusable pieces: form fields with their error line, selects, skeletons, empty states, toasts, the
//! confirmation dialog and the vehicle photo.

pub mod bell;
pub mod chart;
pub mod form;
pub mod scan;
pub mod ui;
