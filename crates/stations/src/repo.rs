//! Queries on `community_stations`, `places`, `saved_stations` and `station_prices`. A user's rows
//! are scoped by user id; a community station is seen by everyone once approved and by its reporter
//! before; Google places are public listings.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mvp_types::ids::{CommunityStationId, UserId};
use mvp_types::station::{CommunityStatus, StationPrice, StationRef, StationSource};
use sqlx::PgConnection;

use crate::domain::{NewCommunity, NewPrice, NewSaved, Point};
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
    let rows = sqlx::query!(
        r#"select id as "id!: CommunityStationId", name as "name!", address as "address!",
                  latitude as "latitude!", longitude as "longitude!", brand, pending as "pending!",
                  distance as "distance!"
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
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CommunityHit {
            id: r.id,
            name: r.name,
            address: r.address,
            latitude: r.latitude,
            longitude: r.longitude,
            brand: r.brand,
            pending: r.pending,
            distance: Some(r.distance),
        })
        .collect())
}

/// Visible community stations matching `text` anywhere (a search without a point), by name.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn community_matching(
    conn: &mut PgConnection,
    user: &UserId,
    text: &str,
) -> sqlx::Result<Vec<CommunityHit>> {
    let rows = sqlx::query!(
        r#"select id as "id: CommunityStationId", name, address, latitude, longitude, brand,
                  status <> 'approved' as "pending!"
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
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CommunityHit {
            id: r.id,
            name: r.name,
            address: r.address,
            latitude: r.latitude,
            longitude: r.longitude,
            brand: r.brand,
            pending: r.pending,
            distance: None,
        })
        .collect())
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
