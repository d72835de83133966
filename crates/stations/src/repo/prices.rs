//! Queries on `station_prices`: reports, the latest per fuel type, and the hourly count per user and
//! station.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mvp_types::ids::UserId;
use mvp_types::station::StationPrice;
use sqlx::PgConnection;

use crate::domain::NewPrice;

/// The latest price per fuel type of each of `place_ids` (the index walks each station's newest
/// report per type).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn latest_prices(
    conn: &mut PgConnection,
    place_ids: &[String],
) -> sqlx::Result<HashMap<String, Vec<StationPrice>>> {
    let mut out: HashMap<String, Vec<StationPrice>> = HashMap::new();
    if place_ids.is_empty() {
        return Ok(out);
    }
    let rows = sqlx::query!(
        "select distinct on (place_id, fuel_type) place_id, fuel_type, price, reported_at
           from station_prices
          where place_id = any($1)
          order by place_id, fuel_type, reported_at desc, id desc",
        place_ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        out.entry(r.place_id).or_default().push(StationPrice {
            fuel_type: r.fuel_type,
            price: r.price.normalize(),
            reported_at: r.reported_at,
        });
    }
    Ok(out)
}

/// Serialises one user's reports on one station (the hourly limit is then exact), and returns how
/// many they made in the last hour and when the oldest of those was.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn lock_recent_reports(
    conn: &mut PgConnection,
    user: &UserId,
    place_id: &str,
) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('station_prices:' || $1 || ':' || $2, 0))",
        user.as_str(),
        place_id,
    )
    .fetch_one(&mut *conn)
    .await?;
    let row = sqlx::query!(
        r#"select count(*) as "n!", min(reported_at) as oldest
             from station_prices
            where user_id = $1 and place_id = $2 and reported_at > now() - interval '1 hour'"#,
        user.as_str(),
        place_id,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.n, row.oldest))
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_price(
    conn: &mut PgConnection,
    user: &UserId,
    place_id: &str,
    price: &NewPrice,
) -> sqlx::Result<StationPrice> {
    let row = sqlx::query!(
        "insert into station_prices (place_id, user_id, fuel_type, price)
         values ($1, $2, $3, $4)
         returning fuel_type, price, reported_at",
        place_id,
        user.as_str(),
        price.fuel_type,
        price.price,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(StationPrice {
        fuel_type: row.fuel_type,
        price: row.price.normalize(),
        reported_at: row.reported_at,
    })
}
