//! This process's copy of each active user's preferences. Nearly every request that shows a
//! quantity needs them, and they change rarely, so a request reads them from memory instead of
//! making a database round trip. A copy lives [`NEAR_TTL`]: a change made in this process forgets it
//! at once; a change made on another replica reaches this one when it announces the write
//! (`mvp_core::reads`), or at the latest when the copy expires.

use std::time::Duration;

use mvp_core::AppState;
use mvp_types::ids::UserId;
use mvp_types::user::UserPreferences;

use crate::repo;

/// How long this process trusts its copy of a user's preferences.
pub const NEAR_TTL: Duration = Duration::from_secs(5);
/// Under the user's near keys, which a replica drops when it hears of the user's write elsewhere.
fn key(user_id: &UserId) -> String {
    mvp_core::reads::user_key(user_id, "prefs")
}

/// The user's preferences from this process's copy, else from the database (defaults stored on
/// first read), kept for [`NEAR_TTL`].
pub async fn get(state: &AppState, user_id: &UserId) -> sqlx::Result<UserPreferences> {
    let key = key(user_id);
    if let Some(prefs) = state
        .cache
        .near_only(&key)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    {
        return Ok(prefs);
    }
    let ticket = state.cache.near_ticket();
    let prefs = repo::get_or_create(&state.db, user_id).await?;
    if let Ok(bytes) = serde_json::to_vec(&prefs) {
        state
            .cache
            .set_near_since(ticket, &key, bytes.into(), NEAR_TTL);
    }
    Ok(prefs)
}

/// Forgets this process's copy of `user_id`'s preferences (after they changed).
pub fn forget(state: &AppState, user_id: &UserId) {
    state.cache.forget_near_key(&key(user_id));
}
