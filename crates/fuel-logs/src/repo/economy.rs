//! The recomputation of a vehicle's economy chain after a change (from the last full fill before
//! the change onward, in one pass), and the newest interval the statistics start from.

use chrono::{DateTime, Utc};
use mvp_types::ids::{FuelLogId, UserId, VehicleId};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::FuelRow;
use crate::chain::{self, Computed, Point};
use crate::domain::NewFuelLog;
use crate::months::{self, MonthDelta};

struct ChainRow {
    id: Uuid,
    date_time: DateTime<Utc>,
    odometer_km: Option<Decimal>,
    trip_km: Option<Decimal>,
    volume: Decimal,
    total_cost: Decimal,
    full_fill: bool,
    missed_previous: bool,
    fuel_type: String,
    segment_km: Option<Decimal>,
    interval_km: Option<Decimal>,
    interval_volume: Option<Decimal>,
    /// `false` for the fill-up being added, which is not in the table yet.
    stored: bool,
}

impl ChainRow {
    /// The fill-up about to be inserted, as the pass places it (no economy yet).
    fn incoming(id: FuelLogId, log: &NewFuelLog) -> Self {
        Self {
            id: id.0,
            date_time: log.date_time,
            odometer_km: log.odometer_km(),
            trip_km: log.trip_km(),
            volume: log.volume(),
            total_cost: log.total_cost,
            full_fill: log.full_fill,
            missed_previous: log.missed_previous,
            fuel_type: log.fuel_type.clone(),
            segment_km: None,
            interval_km: None,
            interval_volume: None,
            stored: false,
        }
    }

    /// The table's order of a vehicle's logs: time, then odometer (none last), then id.
    fn sorts_after(&self, other: &Self) -> bool {
        let odometer = |r: &Self| (r.odometer_km.is_none(), r.odometer_km);
        (self.date_time, odometer(self), self.id) > (other.date_time, odometer(other), other.id)
    }
}

/// Recomputes segments and economy intervals of a vehicle's logs from the last full fill before
/// `from` onward (that fill's own values depend only on what precedes it, so it anchors the pass),
/// then the monthly roll-up from `from`'s month. Only rows whose values change are written. Every
/// write of a fill-up ends here or in [`insert_chained`], so the stored economy and the roll-up
/// cannot fall behind.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn recompute(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    from: DateTime<Utc>,
    time_zone: &str,
) -> sqlx::Result<u64> {
    let pass = chain_pass(&mut *conn, user_id, vehicle_id, from, None).await?;
    months::refresh_months(conn, user_id, vehicle_id, time_zone, Some(from)).await?;
    Ok(pass.written)
}

/// Inserts a new fill-up with its economy worked out beforehand: one chain pass over the logs from
/// the anchor onward with the new fill-up placed among them, so the row is written once, whole, and
/// only later logs whose values it moves are updated (none when it is the newest). The roll-up then
/// moves by what changed (the new fill-up's month, and any later row whose values moved) instead of
/// summing the months again, so a fill-up costs the same in a vehicle's thousandth month as in its
/// first; a roll-up that is missing or in another time zone is summed again. Returns the row.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn insert_chained(
    conn: &mut PgConnection,
    user_id: &UserId,
    log: &NewFuelLog,
    time_zone: &str,
) -> sqlx::Result<FuelRow> {
    let id = FuelLogId::new();
    let incoming = ChainRow::incoming(id, log);
    let pass = chain_pass(
        &mut *conn,
        user_id,
        log.vehicle_id,
        log.date_time,
        Some(incoming),
    )
    .await?;
    let values = pass.values_of(id).unwrap_or_default();
    let row = super::insert(&mut *conn, user_id, id, log, &values).await?;
    let moved = match pass.deltas() {
        Some(deltas) => {
            months::add(&mut *conn, user_id, log.vehicle_id, time_zone, &deltas).await?
        }
        None => false,
    };
    if !moved {
        months::refresh_months(
            conn,
            user_id,
            log.vehicle_id,
            time_zone,
            Some(log.date_time),
        )
        .await?;
    }
    Ok(row)
}

/// What one chain pass read and wrote.
struct Pass {
    rows: Vec<ChainRow>,
    /// The rows' values as the pass left them, in `rows`' order; `None` for the anchor, not written.
    computed: Vec<Option<Computed>>,
    written: u64,
}

impl Pass {
    /// What the pass computed for the row `id`; `None` when it was not read or is the anchor.
    fn values_of(&self, id: FuelLogId) -> Option<Computed> {
        let i = self.rows.iter().position(|r| r.id == id.0)?;
        self.computed[i].clone()
    }

    /// How the roll-up moves: every stored row whose values changed moves its month by the
    /// difference, and the incoming fill-up adds itself whole. `None` when the pass had no incoming
    /// fill-up, or did not compute it.
    fn deltas(&self) -> Option<Vec<MonthDelta>> {
        let mut added = false;
        let mut deltas = Vec::new();
        for (row, new) in self.rows.iter().zip(&self.computed) {
            let Some(new) = new else { continue };
            added |= !row.stored;
            let whole = |value: Decimal| if row.stored { Decimal::ZERO } else { value };
            let differ = |new: Option<Decimal>, old: Option<Decimal>| {
                new.unwrap_or_default() - old.unwrap_or_default()
            };
            let delta = MonthDelta {
                at: row.date_time,
                electric: row.fuel_type == "electric",
                logs: i64::from(!row.stored),
                total_cost: whole(row.total_cost),
                volume: whole(row.volume),
                segment_km: differ(new.segment_km, row.segment_km),
                interval_km: differ(new.interval_km, row.interval_km),
                interval_volume: differ(new.interval_volume, row.interval_volume),
            };
            if delta.moves() {
                deltas.push(delta);
            }
        }
        added.then_some(deltas)
    }
}

/// Reads the logs from the anchor (the last full fill before `from`) onward, places `incoming` (a
/// fill-up at `from` not inserted yet) among them, computes the chain and writes the stored rows
/// whose values changed.
async fn chain_pass(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    from: DateTime<Utc>,
    incoming: Option<ChainRow>,
) -> sqlx::Result<Pass> {
    // Without an anchor every log of the vehicle is read, so in both cases the first row read says
    // whether any log precedes `from`: then a first row that is a full fill is the anchor rather
    // than the vehicle's first log. (Postgres plans this statement anew on every run: its generic
    // plan, blind to the user and vehicle, looks costlier. Each table it names costs planning time.)
    let mut rows = sqlx::query_as!(
        ChainRow,
        r#"with anchor as (
            select date_time from fuel_logs
             where user_id = $1 and vehicle_id = $2 and deleted_at is null and full_fill
               and date_time < $3 and not missed_previous
             order by date_time desc limit 1)
         select id, date_time, odometer_km, trip_km, volume, total_cost, full_fill, missed_previous,
                fuel_type, segment_km, interval_km, interval_volume, true as "stored!"
           from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null
            and date_time >= coalesce((select date_time from anchor), '-infinity'::timestamptz)
          order by date_time, odometer_km nulls last, id"#,
        user_id.as_str(),
        vehicle_id.0,
        from,
    )
    .fetch_all(&mut *conn)
    .await?;
    let earlier = rows.first().is_some_and(|r| r.date_time < from);
    if let Some(incoming) = incoming {
        let at = rows.partition_point(|r| !r.sorts_after(&incoming));
        rows.insert(at, incoming);
    }
    let anchored = earlier && rows.first().is_some_and(|r| r.full_fill);
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
    let mut computed: Vec<Option<Computed>> =
        chain::compute(&points).into_iter().map(Some).collect();
    // The anchor's own values came from logs before it, which were not loaded.
    if anchored && let Some(first) = computed.first_mut() {
        *first = None;
    }
    let mut ids = Vec::new();
    let mut segments = Vec::new();
    let mut interval_km = Vec::new();
    let mut interval_volume = Vec::new();
    for (row, new) in rows.iter().zip(&computed) {
        let Some(new) = new.as_ref().filter(|_| row.stored) else {
            continue;
        };
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
    Ok(Pass {
        rows,
        computed,
        written: ids.len() as u64,
    })
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
