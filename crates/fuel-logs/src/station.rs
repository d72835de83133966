//! The station a fill-up names (`stationId`, a `placeId`): checked with mvp-stations when it is set
//! or changed (a station the user cannot see is a 404, like an unknown id), and shown as `station`
//! (`{placeId, name, address}`) on the way out. A reference kept from before stations existed stays
//! as it is and shows `station: null`.

use mvp_core::{AppError, AppResult};
use mvp_types::fuel::FuelLog;
use mvp_types::ids::UserId;
use sqlx::{PgConnection, PgPool};

/// Refuses a `stationId` the user cannot see, unless it is the one the fill-up already had.
pub async fn check(
    conn: &mut PgConnection,
    user: &UserId,
    new: Option<&str>,
    old: Option<&str>,
) -> AppResult<()> {
    match new {
        Some(id) if Some(id) != old => {
            if mvp_stations::visible(conn, user, id).await? {
                Ok(())
            } else {
                Err(AppError::NotFound("station"))
            }
        }
        _ => Ok(()),
    }
}

/// Fills `station` on each log that names one the user can see.
pub async fn attach(conn: &mut PgConnection, user: &UserId, logs: &mut [FuelLog]) -> AppResult<()> {
    let mut ids: Vec<String> = logs.iter().filter_map(|l| l.station_id.clone()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort();
    ids.dedup();
    let found = mvp_stations::refs(conn, user, &ids).await?;
    for log in logs {
        log.station = log
            .station_id
            .as_ref()
            .and_then(|id| found.get(id).cloned());
    }
    Ok(())
}

/// [`attach`] on a connection from the pool, taken only when some log names a station.
pub async fn attach_pooled(pool: &PgPool, user: &UserId, logs: &mut [FuelLog]) -> AppResult<()> {
    if logs.iter().all(|l| l.station_id.is_none()) {
        return Ok(());
    }
    let mut conn = pool.acquire().await?;
    attach(&mut conn, user, logs).await
}
