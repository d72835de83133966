//! mvp-terms-agreement: the legal audit trail of terms acceptance, and the gate that holds a user
//! who has not accepted the current version at the door of every data route. No routes of its own:
//! signup and `POST /api/auth/accept-terms` (mvp-auth) record acceptances, user status asks.

pub mod gate;
pub mod repo;

pub use gate::{accepted_current, forget_accepted, remember_accepted, require_current_terms};
pub use repo::{Acceptance, has_accepted, has_accepted_version, record_once};
