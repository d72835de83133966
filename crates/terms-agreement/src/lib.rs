//! mvp-terms-agreement: the legal audit trail of terms acceptance. No routes of its own: signup
//! records an acceptance inside its own transaction, and user status asks whether one exists.

pub mod repo;

pub use repo::{Acceptance, has_accepted, record};
