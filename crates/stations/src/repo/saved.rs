//! Queries on `saved_stations`: a user's own stations, every query scoped by user id.

use chrono::{DateTime, Utc};
use mvp_types::ids::UserId;
use mvp_types::station::StationSource;
use sqlx::PgConnection;

use crate::domain::NewSaved;

/// A saved station as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRow {
    pub place_id: String,
    pub source: StationSource,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub nickname: Option<String>,
    pub notes: Option<String>,
    pub is_favorite: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The user's saved stations: favourites first, then newest.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn saved(conn: &mut PgConnection, user: &UserId) -> sqlx::Result<Vec<SavedRow>> {
    sqlx::query_as!(
        SavedRow,
        r#"select place_id, source as "source: StationSource", name, address, latitude, longitude,
                  nickname, notes, is_favorite, created_at, updated_at
             from saved_stations where user_id = $1
            order by is_favorite desc, created_at desc, place_id"#,
        user.as_str(),
    )
    .fetch_all(&mut *conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn saved_one(
    conn: &mut PgConnection,
    user: &UserId,
    place_id: &str,
) -> sqlx::Result<Option<SavedRow>> {
    sqlx::query_as!(
        SavedRow,
        r#"select place_id, source as "source: StationSource", name, address, latitude, longitude,
                  nickname, notes, is_favorite, created_at, updated_at
             from saved_stations where user_id = $1 and place_id = $2"#,
        user.as_str(),
        place_id,
    )
    .fetch_optional(&mut *conn)
    .await
}

/// Saves a station; `false` when this user has saved that `placeId` already.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_saved(
    conn: &mut PgConnection,
    user: &UserId,
    s: &NewSaved,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "insert into saved_stations
            (user_id, place_id, source, name, address, latitude, longitude, nickname, notes,
             is_favorite)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (user_id, place_id) do nothing",
        user.as_str(),
        s.place_id,
        s.source.as_str(),
        s.name,
        s.address,
        s.point.latitude,
        s.point.longitude,
        s.nickname,
        s.notes,
        s.is_favorite,
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a saved station's fields; `false` when the user has no such station.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn update_saved(
    conn: &mut PgConnection,
    user: &UserId,
    s: &NewSaved,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update saved_stations
            set name = $3, address = $4, latitude = $5, longitude = $6, nickname = $7,
                notes = $8, is_favorite = $9, updated_at = now()
          where user_id = $1 and place_id = $2",
        user.as_str(),
        s.place_id,
        s.name,
        s.address,
        s.point.latitude,
        s.point.longitude,
        s.nickname,
        s.notes,
        s.is_favorite,
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn delete_saved(
    conn: &mut PgConnection,
    user: &UserId,
    place_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "delete from saved_stations where user_id = $1 and place_id = $2",
        user.as_str(),
        place_id,
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
