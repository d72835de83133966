//! The recomputation of a vehicle's economy chain after a change (from the last full fill before
//! the change onward, in one pass), and the newest interval the statistics start from.

use chrono::{DateTime, Utc};
use mvp_types::ids::{UserId, VehicleId};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::chain::{self, Point};

struct ChainRow {
    id: Uuid,
    odometer_km: Option<Decimal>,
    trip_km: Option<Decimal>,
    volume: Decimal,
    full_fill: bool,
    missed_previous: bool,
    fuel_type: String,
    segment_km: Option<Decimal>,
    interval_km: Option<Decimal>,
    interval_volume: Option<Decimal>,
}

/// Recomputes segments and economy intervals of a vehicle's logs from the last full fill before
/// `from` onward (that fill's own values depend only on what precedes it, so it anchors the pass),
/// then the monthly roll-up from `from`'s month. Only rows whose values change are written. Every
/// write of a fill-up ends here, so the stored economy and the roll-up cannot fall behind.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn recompute(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    from: DateTime<Utc>,
    time_zone: &str,
) -> sqlx::Result<u64> {
    let rows = sqlx::query_as!(
        ChainRow,
        "with anchor as (
            select date_time from fuel_logs
             where user_id = $1 and vehicle_id = $2 and deleted_at is null and full_fill
               and date_time < $3 and not missed_previous
             order by date_time desc limit 1)
         select id, odometer_km, trip_km, volume, full_fill, missed_previous, fuel_type,
                segment_km, interval_km, interval_volume
           from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null
            and date_time >= coalesce((select date_time from anchor), '-infinity'::timestamptz)
          order by date_time, odometer_km nulls last, id",
        user_id.as_str(),
        vehicle_id.0,
        from,
    )
    .fetch_all(&mut *conn)
    .await?;
    let anchored = rows.first().is_some_and(|r| r.full_fill)
        && sqlx::query_scalar!(
            r#"select exists(select 1 from fuel_logs where user_id = $1 and vehicle_id = $2
                 and deleted_at is null and date_time < $3) as "earlier!""#,
            user_id.as_str(),
            vehicle_id.0,
            from,
        )
        .fetch_one(&mut *conn)
        .await?;
    let points: Vec<Point> = rows
        .iter()
        .map(|r| Point {
            id: r.id,
            odometer_km: r.odometer_km,
            trip_km: r.trip_km,
            volume: r.volume,
            full_fill: r.full_fill,
            missed_previous: r.missed_previous,
            electric: r.fuel_type == "electric",
        })
        .collect();
    let computed = chain::compute(&points);
    let mut ids = Vec::new();
    let mut segments = Vec::new();
    let mut interval_km = Vec::new();
    let mut interval_volume = Vec::new();
    for (i, (row, new)) in rows.iter().zip(computed).enumerate() {
        // The anchor's own values came from logs before it, which were not loaded.
        if i == 0 && anchored {
            continue;
        }
        let same = row.segment_km == new.segment_km
            && row.interval_km == new.interval_km
            && row.interval_volume == new.interval_volume;
        if same {
            continue;
        }
        ids.push(row.id);
        segments.push(new.segment_km);
        interval_km.push(new.interval_km);
        interval_volume.push(new.interval_volume);
    }
    // One statement per batch of changed rows (an import changes every one of its rows).
    const BATCH: usize = 5_000;
    for start in (0..ids.len()).step_by(BATCH) {
        let end = (start + BATCH).min(ids.len());
        sqlx::query!(
            "update fuel_logs f set segment_km = t.segment_km, interval_km = t.interval_km,
                    interval_volume = t.interval_volume
               from unnest($2::uuid[], $3::numeric[], $4::numeric[], $5::numeric[])
                 as t(id, segment_km, interval_km, interval_volume)
              where f.user_id = $1 and f.id = t.id",
            user_id.as_str(),
            &ids[start..end],
            &segments[start..end] as &[Option<Decimal>],
            &interval_km[start..end] as &[Option<Decimal>],
            &interval_volume[start..end] as &[Option<Decimal>],
        )
        .execute(&mut *conn)
        .await?;
    }
    let written = ids.len() as u64;
    crate::months::refresh_months(conn, user_id, vehicle_id, time_zone, Some(from)).await?;
    Ok(written)
}

/// The newest valid interval of one kind (`electric` or not).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn last_interval(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: VehicleId,
    electric: bool,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<(Decimal, Decimal)>> {
    let row = sqlx::query!(
        r#"select interval_km as "interval_km!", interval_volume as "interval_volume!" from fuel_logs
            where user_id = $1 and vehicle_id = $2 and deleted_at is null
              and interval_km is not null and interval_volume is not null
              and (fuel_type = 'electric') = $3
              and ($4::timestamptz is null or date_time >= $4)
              and ($5::timestamptz is null or date_time <= $5)
            order by date_time desc limit 1"#,
        user_id.as_str(),
        vehicle_id.0,
        electric,
        from,
        to,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.interval_km, r.interval_volume)))
}
