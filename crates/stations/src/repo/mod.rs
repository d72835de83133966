//! Queries on `community_stations`, `places`, `saved_stations` and `station_prices`. A user's rows
//! are scoped by user id; a community station is seen by everyone once approved and by its reporter
//! before; Google places are public listings. Community stations, places and the names fill-ups
//! show are here; saved stations in `saved.rs`, prices in `prices.rs`.

mod prices;
mod saved;

pub use prices::{insert_price, latest_prices, lock_recent_reports};
pub use saved::{SavedRow, delete_saved, insert_saved, saved, saved_one, update_saved};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mvp_types::ids::{CommunityStationId, UserId};
use mvp_types::station::{CommunityStatus, StationRef};
use sqlx::PgConnection;

use crate::domain::{NewCommunity, Point};
use crate::google::Place;

/// Results of one community query at most.
pub const COMMUNITY_LIMIT: i64 = 50;

/// A community station found by a search.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityHit {
    pub id: CommunityStationId,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub brand: Option<String>,
    pub pending: bool,
    pub distance: Option<f64>,
}

/// Visible community stations within `radius` metres of `center`, nearest first: a bounding-box
/// filter on the GiST index, then the great-circle distance. `text` narrows by name, address or
/// brand (case-insensitive substring).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn community_near(
    conn: &mut PgConnection,
    user: &UserId,
    center: Point,
    radius: f64,
    text: Option<&str>,
) -> sqlx::Result<Vec<CommunityHit>> {
    let [a, b] = center.bounding_boxes(radius);
    sqlx::query_as!(
        CommunityHit,
        r#"select id as "id!: CommunityStationId", name as "name!", address as "address!",
                  latitude as "latitude!", longitude as "longitude!", brand, pending as "pending!",
                  distance as "distance?"
             from (select id, name, address, latitude, longitude, brand,
                          status <> 'approved' as pending,
                          2 * 6371008.8 * asin(least(1, sqrt(
                              power(sin(radians(latitude - $1) / 2), 2)
                              + cos(radians($1)) * cos(radians(latitude))
                                * power(sin(radians(longitude - $2) / 2), 2)))) as distance
                     from community_stations
                    where (point(longitude, latitude) <@ box(point($3, $4), point($5, $6))
                           or point(longitude, latitude) <@ box(point($7, $8), point($9, $10)))
                      and (status = 'approved' or (status = 'pending' and reported_by = $11))
                      and ($12::text is null
                           or strpos(lower(name || ' ' || address || ' ' || coalesce(brand, '')),
                                     lower($12)) > 0)) near
            where distance <= $13
            order by distance, id
            limit $14"#,
        center.latitude,
        center.longitude,
        a[0],
        a[1],
        a[2],
        a[3],
        b[0],
        b[1],
        b[2],
        b[3],
        user.as_str(),
        text,
        radius,
        COMMUNITY_LIMIT,
    )
    .fetch_all(&mut *conn)
    .await
}

/// Visible community stations matching `text` anywhere (a search without a point), by name.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn community_matching(
    conn: &mut PgConnection,
    user: &UserId,
    text: &str,
) -> sqlx::Result<Vec<CommunityHit>> {
    sqlx::query_as!(
        CommunityHit,
        r#"select id as "id: CommunityStationId", name, address, latitude, longitude, brand,
                  status <> 'approved' as "pending!", null::float8 as "distance?"
             from community_stations
            where (status = 'approved' or (status = 'pending' and reported_by = $1))
              and strpos(lower(name || ' ' || address || ' ' || coalesce(brand, '')), lower($2)) > 0
            order by name, id
            limit $3"#,
        user.as_str(),
        text,
        COMMUNITY_LIMIT,
    )
    .fetch_all(&mut *conn)
    .await
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_community(
    conn: &mut PgConnection,
    user: &UserId,
    id: CommunityStationId,
    station: &NewCommunity,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into community_stations
            (id, reported_by, name, address, latitude, longitude, brand, fuel_types)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        id as CommunityStationId,
        user.as_str(),
        station.name,
        station.address,
        station.point.latitude,
        station.point.longitude,
        station.brand,
        &station.fuel_types,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A community station as its reporter sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityRow {
    pub id: CommunityStationId,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub brand: Option<String>,
    pub fuel_types: Vec<String>,
    pub status: CommunityStatus,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// The user's own reports, newest first, and how many there are.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn community_of(
    conn: &mut PgConnection,
    user: &UserId,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<CommunityRow>, i64)> {
    let rows = sqlx::query!(
        r#"select id as "id: CommunityStationId", name, address, latitude, longitude, brand,
                  fuel_types, status as "status: CommunityStatus", reason, created_at, reviewed_at,
                  count(*) over () as "total!"
             from community_stations
            where reported_by = $1
            order by created_at desc, id desc
            limit $2 offset $3"#,
        user.as_str(),
        limit,
        offset,
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = match rows.first() {
        Some(r) => r.total,
        None if offset == 0 => 0,
        None => {
            sqlx::query_scalar!(
                r#"select count(*) as "n!" from community_stations where reported_by = $1"#,
                user.as_str()
            )
            .fetch_one(&mut *conn)
            .await?
        }
    };
    let rows = rows
        .into_iter()
        .map(|r| CommunityRow {
            id: r.id,
            name: r.name,
            address: r.address,
            latitude: r.latitude,
            longitude: r.longitude,
            brand: r.brand,
            fuel_types: r.fuel_types,
            status: r.status,
            reason: r.reason,
            created_at: r.created_at,
            reviewed_at: r.reviewed_at,
        })
        .collect();
    Ok((rows, total))
}

/// Community stations waiting for review, oldest first, and how many there are (the admin's queue).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn pending(
    conn: &mut PgConnection,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<CommunityRow>, i64)> {
    let rows = sqlx::query_as!(
        CommunityRow,
        r#"select id as "id: CommunityStationId", name, address, latitude, longitude, brand,
                  fuel_types, status as "status: CommunityStatus", reason, created_at, reviewed_at
             from community_stations
            where status = 'pending'
            order by created_at, id
            limit $1 offset $2"#,
        limit,
        offset,
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from community_stations where status = 'pending'"#
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((rows, total))
}

/// One community station, whoever reported it, locked for the rest of the transaction.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn community_for_review(
    conn: &mut PgConnection,
    id: CommunityStationId,
) -> sqlx::Result<Option<CommunityRow>> {
    sqlx::query_as!(
        CommunityRow,
        r#"select id as "id: CommunityStationId", name, address, latitude, longitude, brand,
                  fuel_types, status as "status: CommunityStatus", reason, created_at, reviewed_at
             from community_stations where id = $1 for update"#,
        id as CommunityStationId,
    )
    .fetch_optional(&mut *conn)
    .await
}

/// Records a review: the new status, the reason (kept for a rejection) and who decided.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn review(
    conn: &mut PgConnection,
    id: CommunityStationId,
    status: CommunityStatus,
    reason: Option<&str>,
    reviewer: &UserId,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update community_stations
            set status = $2, reason = $3, reviewed_by = $4, reviewed_at = now(), updated_at = now()
          where id = $1",
        id as CommunityStationId,
        status as CommunityStatus,
        reason,
        reviewer.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether the community station `id` is one this user may see (approved, or their own pending).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn community_visible(
    conn: &mut PgConnection,
    user: &UserId,
    id: CommunityStationId,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from community_stations
                          where id = $1 and (status = 'approved'
                                             or (status = 'pending' and reported_by = $2))) as "e!""#,
        id as CommunityStationId,
        user.as_str(),
    )
    .fetch_one(&mut *conn)
    .await
}

/// Remembers the places a Google search returned (name, address, location), so a fill-up or a
/// price report can name them later.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn remember_places(conn: &mut PgConnection, places: &[Place]) -> sqlx::Result<()> {
    if places.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = places.iter().map(|p| p.place_id.as_str()).collect();
    let names: Vec<&str> = places.iter().map(|p| p.name.as_str()).collect();
    let addresses: Vec<&str> = places.iter().map(|p| p.address.as_str()).collect();
    let lats: Vec<f64> = places.iter().map(|p| p.latitude).collect();
    let lons: Vec<f64> = places.iter().map(|p| p.longitude).collect();
    sqlx::query!(
        "insert into places (place_id, name, address, latitude, longitude, seen_at)
         select distinct on (p) p, n, a, la, lo, now()
           from unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[])
                as t(p, n, a, la, lo)
          order by p
         on conflict (place_id) do update
            set name = excluded.name, address = excluded.address,
                latitude = excluded.latitude, longitude = excluded.longitude, seen_at = now()",
        &ids as &[&str],
        &names as &[&str],
        &addresses as &[&str],
        &lats,
        &lons,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, level = "debug")]
pub async fn place_known(conn: &mut PgConnection, place_id: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from places where place_id = $1) as "e!""#,
        place_id
    )
    .fetch_one(&mut *conn)
    .await
}

/// Name and address of each of `place_ids` this user can see: their saved copy first, then a
/// visible community station, then a Google place a search returned.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn refs(
    conn: &mut PgConnection,
    user: &UserId,
    place_ids: &[String],
) -> sqlx::Result<HashMap<String, StationRef>> {
    let community: Vec<uuid::Uuid> = place_ids
        .iter()
        .filter_map(|p| uuid::Uuid::parse_str(p).ok())
        .collect();
    let rows = sqlx::query!(
        r#"select place_id as "place_id!", name as "name!", address as "address!", rank as "rank!"
             from (select place_id, name, address, 1 as rank
                     from saved_stations where user_id = $1 and place_id = any($2)
                   union all
                   select id::text, name, address, 2
                     from community_stations
                    where id = any($3)
                      and (status = 'approved' or (status = 'pending' and reported_by = $1))
                   union all
                   select place_id, name, address, 3 from places where place_id = any($2)) found
            order by rank"#,
        user.as_str(),
        place_ids,
        &community,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        out.entry(r.place_id.clone()).or_insert(StationRef {
            place_id: r.place_id,
            name: r.name,
            address: r.address,
        });
    }
    Ok(out)
}

/// The erased user's contributions: approved stations and every price stay, reported by `erased`;
/// stations nobody approved (only their reporter could see them) go.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn anonymize(conn: &mut PgConnection, user: &UserId) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from community_stations where reported_by = $1 and status <> 'approved'",
        user.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update community_stations set reported_by = 'erased' where reported_by = $1",
        user.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update station_prices set user_id = 'erased' where user_id = $1",
        user.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
