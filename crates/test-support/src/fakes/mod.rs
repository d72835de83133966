//! Local fakes of external services that speak their real protocols (paths, JSON bodies, auth), so the
//! real clients are tested without the network.

pub mod auth0;
pub mod places;
pub mod receiver;
pub mod resend;

pub use auth0::FakeAuth0;
pub use places::{FakePlace, FakePlaces};
pub use receiver::PushReceiver;
pub use resend::FakeResend;
