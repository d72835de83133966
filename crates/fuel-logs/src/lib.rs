//! mvp-fuel-logs: fill-ups and fuel economy.
//!
//! Values are typed and shown in the user's unit system; each log keeps what was typed (and in which
//! system) plus exact canonical values (km, litres or kWh), so switching units converts exactly and
//! switching back shows the original digits. Economy is computed per full fill in one pass over the
//! vehicle's chain (`chain.rs`) and stored with the log, so the stats are SQL aggregates. The admin
//! capsule counts fill-ups per user with [`counts_by_user`]; the user-export capsule reads every
//! fill-up with [`export`] and writes many at once with [`import::import`].

pub mod api;
pub mod chain;
pub mod domain;
pub mod import;
pub mod months;
pub mod repo;
pub mod station;

use futures_util::{Stream, StreamExt as _};
use mvp_core::AppState;
use mvp_types::fuel::FuelLog;
use mvp_types::ids::UserId;
use mvp_types::user::UserPreferences;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Live fill-ups per user, for each of `user_ids` that has any (the admin's user list).
pub use repo::counts_by_user;

/// Every live fill-up of the user as the API shows it in `prefs`' units (by vehicle, oldest first),
/// streamed from the database.
pub fn export<'a>(
    pool: &'a PgPool,
    user_id: &'a UserId,
    prefs: &'a UserPreferences,
) -> impl Stream<Item = sqlx::Result<FuelLog>> + Send + 'a {
    repo::stream_all(pool, user_id).map(move |row| row.map(|row| api::to_dto(row, prefs)))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update, api::delete))
        .routes(routes!(api::stats))
}
