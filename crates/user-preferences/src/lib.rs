//! mvp-user-preferences: unit system, currency, time zone and dark mode, with defaults on first read.
//! `GET|PUT /api/user/preferences`. Other capsules read them with [`get`] (from this process's copy,
//! at most [`cache::NEAR_TTL`] old), onboarding sets them with [`apply`] and asks [`explicitly_set`];
//! background jobs ask [`local_days`] for each user's own today (their time zone) and units. Whoever
//! changes the table behind this capsule's back calls [`forget`] (an erased account; a restore
//! drops every near copy of the process).

pub mod api;
pub mod cache;
pub mod domain;
pub mod repo;

use mvp_types::ids::UserId;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use mvp_core::AppState;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use domain::PreferenceChanges;
use mvp_types::user::UserPreferences;

/// The user's preferences (the defaults, stored, on first read).
pub async fn get(state: &AppState, user_id: &UserId) -> sqlx::Result<UserPreferences> {
    cache::get(state, user_id).await
}

/// Applies a partial change; `explicit` marks the preferences as the user's choice (onboarding).
pub async fn apply(
    state: &AppState,
    user_id: &UserId,
    changes: &PreferenceChanges,
    explicit: bool,
) -> sqlx::Result<UserPreferences> {
    let saved = repo::apply(&state.db, user_id, changes, explicit).await;
    cache::forget(state, user_id);
    saved
}

pub use cache::forget;

/// Whether the user has chosen preferences (onboarding status).
pub async fn explicitly_set(pool: &PgPool, user_id: &UserId) -> sqlx::Result<bool> {
    repo::explicitly_set(pool, user_id).await
}

/// A user's own calendar day at some instant, and whether they chose metric units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDay {
    pub today: NaiveDate,
    pub metric: bool,
}

impl LocalDay {
    /// The day of a user without stored preferences: UTC, imperial units (the defaults).
    pub fn default_at(now: DateTime<Utc>) -> Self {
        Self {
            today: now.date_naive(),
            metric: false,
        }
    }
}

/// Each of `user_ids` that has stored preferences: their day at `now` in their time zone, and their
/// units. The others have [`LocalDay::default_at`].
pub async fn local_days(
    pool: &PgPool,
    user_ids: &[String],
    now: DateTime<Utc>,
) -> sqlx::Result<HashMap<String, LocalDay>> {
    Ok(repo::zones_and_units(pool, user_ids)
        .await?
        .into_iter()
        .map(|(user_id, zone, metric)| {
            let zone = zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
            let today = now.with_timezone(&zone).date_naive();
            (user_id, LocalDay { today, metric })
        })
        .collect())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_preferences, api::put_preferences))
}
