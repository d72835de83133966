//! `fuel_log_months`: each vehicle's fill-ups summed per month in the user's time zone, rebuilt from
//! the changed month onward after every write (`repo::recompute`), or moved by the differences a
//! new fill-up made (`repo::insert_chained`), and read by the statistics; a range the roll-up
//! cannot answer is summed straight from the fill-ups.

use chrono::{DateTime, Utc};
use mvp_types::ids::UserId;
use mvp_types::ids::VehicleId;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool};

/// One month of a vehicle's roll-up.
#[derive(Debug, Clone)]
pub struct MonthTotals {
    pub month: chrono::NaiveDate,
    pub log_count: i64,
    pub liquid_count: i64,
    pub total_cost: Decimal,
    pub liquid_volume: Decimal,
    pub energy_volume: Decimal,
    pub distance_km: Decimal,
    pub liquid_interval_km: Decimal,
    pub liquid_interval_volume: Decimal,
    pub energy_interval_km: Decimal,
    pub energy_interval_volume: Decimal,
}

/// A `sqlx::$kind!` (`query`, or `query_as` with `$row`) whose statement has the month sums between
/// `$before` and `$after`: the roll-up and the ranged statistics add up fill-ups the same way, and
/// sqlx's macros take only string literals, so the sums are spelled once, here.
macro_rules! with_month_sums {
    ($kind:ident $(($row:ident))?, $before:tt, $after:tt $(, $arg:expr)* $(,)?) => {
        sqlx::$kind!(
            $($row,)?
            $before
                + r#"count(*) as "log_count!",
                     count(*) filter (where fuel_type <> 'electric') as "liquid_count!",
                     coalesce(sum(total_cost), 0) as "total_cost!",
                     coalesce(sum(volume) filter (where fuel_type <> 'electric'), 0) as "liquid_volume!",
                     coalesce(sum(volume) filter (where fuel_type = 'electric'), 0) as "energy_volume!",
                     coalesce(sum(segment_km), 0) as "distance_km!",
                     coalesce(sum(interval_km) filter (where fuel_type <> 'electric'), 0)
                       as "liquid_interval_km!",
                     coalesce(sum(interval_volume) filter (where fuel_type <> 'electric'), 0)
                       as "liquid_interval_volume!",
                     coalesce(sum(interval_km) filter (where fuel_type = 'electric'), 0)
                       as "energy_interval_km!",
                     coalesce(sum(interval_volume) filter (where fuel_type = 'electric'), 0)
                       as "energy_interval_volume!""#
                + $after
            $(, $arg)*
        )
    };
}

/// Serialises rebuilds of one vehicle's monthly roll-up (delete + insert) until the transaction
/// ends. Writers already hold the vehicle's row lock (`mvp_vehicles::lock`) and take this after it;
/// a statistics read that finds the roll-up stale takes only this, so no two orders meet.
#[tracing::instrument(skip_all, level = "debug")]
async fn lock_months(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
) -> sqlx::Result<()> {
    mvp_core::db::xact_lock(conn, &format!("fuel-months:{user_id}/{vehicle_id}")).await
}

/// Rebuilds a vehicle's roll-up from the month holding `from` (all months when the time zone changed).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn refresh_months(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    time_zone: &str,
    from: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    lock_months(&mut *conn, user_id, vehicle_id).await?;
    let stored_zone: Option<String> = sqlx::query_scalar!(
        "select time_zone from fuel_log_months where user_id = $1 and vehicle_id = $2 limit 1",
        user_id.as_str(),
        vehicle_id.0,
    )
    .fetch_optional(&mut *conn)
    .await?;
    // A roll-up in another time zone, or none at all while older fill-ups may exist (a vehicle
    // whose months were never summed), is summed again whole.
    let from = if stored_zone.as_deref() == Some(time_zone) {
        from
    } else {
        None
    };
    sqlx::query!(
        "delete from fuel_log_months where user_id = $1 and vehicle_id = $2
           and ($3::timestamptz is null or month >= date_trunc('month', $3 at time zone $4)::date)",
        user_id.as_str(),
        vehicle_id.0,
        from,
        time_zone,
    )
    .execute(&mut *conn)
    .await?;
    with_month_sums!(
        query,
        "insert into fuel_log_months (user_id, vehicle_id, time_zone, month, log_count, liquid_count,
            total_cost, liquid_volume, energy_volume, distance_km, liquid_interval_km,
            liquid_interval_volume, energy_interval_km, energy_interval_volume)
         select $1, $2, $4, date_trunc('month', date_time at time zone $4)::date as month, ",
        " from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null
            and ($3::timestamptz is null
                 or date_trunc('month', date_time at time zone $4)
                    >= date_trunc('month', $3 at time zone $4))
          group by 4",
        user_id.as_str(),
        vehicle_id.0,
        from,
        time_zone,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How one fill-up moves its month of the roll-up: a new fill-up counts whole (`logs` 1, its cost
/// and volume); a fill-up whose economy a change moved adds the difference of its segment and
/// interval. Exact decimals, so moving a month is the same as summing it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthDelta {
    pub at: DateTime<Utc>,
    pub electric: bool,
    pub logs: i64,
    pub total_cost: Decimal,
    pub volume: Decimal,
    pub segment_km: Decimal,
    pub interval_km: Decimal,
    pub interval_volume: Decimal,
}

impl MonthDelta {
    /// Whether it changes anything.
    pub fn moves(&self) -> bool {
        self.logs != 0
            || [
                self.total_cost,
                self.volume,
                self.segment_km,
                self.interval_km,
                self.interval_volume,
            ]
            .iter()
            .any(|d| !d.is_zero())
    }
}

/// Moves the roll-up's months by `deltas` in one statement (a month not there yet is added).
/// Returns `false`, having changed nothing, when there is nothing to move or the vehicle has no
/// roll-up in `time_zone` to move: the caller sums the months with [`refresh_months`] instead.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn add(
    conn: &mut PgConnection,
    user_id: &UserId,
    vehicle_id: VehicleId,
    time_zone: &str,
    deltas: &[MonthDelta],
) -> sqlx::Result<bool> {
    if deltas.is_empty() {
        return Ok(false);
    }
    lock_months(&mut *conn, user_id, vehicle_id).await?;
    let column = |f: fn(&MonthDelta) -> Decimal| deltas.iter().map(f).collect::<Vec<_>>();
    let at: Vec<DateTime<Utc>> = deltas.iter().map(|d| d.at).collect();
    let electric: Vec<bool> = deltas.iter().map(|d| d.electric).collect();
    let logs: Vec<i64> = deltas.iter().map(|d| d.logs).collect();
    let done = sqlx::query!(
        "insert into fuel_log_months as m (user_id, vehicle_id, time_zone, month, log_count,
            liquid_count, total_cost, liquid_volume, energy_volume, distance_km, liquid_interval_km,
            liquid_interval_volume, energy_interval_km, energy_interval_volume)
         select $1, $2, $3, date_trunc('month', t.at at time zone $3)::date,
                sum(t.logs), coalesce(sum(t.logs) filter (where not t.electric), 0), sum(t.cost),
                coalesce(sum(t.volume) filter (where not t.electric), 0),
                coalesce(sum(t.volume) filter (where t.electric), 0), sum(t.segment),
                coalesce(sum(t.ikm) filter (where not t.electric), 0),
                coalesce(sum(t.ivol) filter (where not t.electric), 0),
                coalesce(sum(t.ikm) filter (where t.electric), 0),
                coalesce(sum(t.ivol) filter (where t.electric), 0)
           from unnest($4::timestamptz[], $5::bool[], $6::bigint[], $7::numeric[], $8::numeric[],
                       $9::numeric[], $10::numeric[], $11::numeric[])
                  as t(at, electric, logs, cost, volume, segment, ikm, ivol)
          where exists(select 1 from fuel_log_months z
                        where z.user_id = $1 and z.vehicle_id = $2 and z.time_zone = $3)
          group by 4
         on conflict (user_id, vehicle_id, month) do update set
            log_count = m.log_count + excluded.log_count,
            liquid_count = m.liquid_count + excluded.liquid_count,
            total_cost = m.total_cost + excluded.total_cost,
            liquid_volume = m.liquid_volume + excluded.liquid_volume,
            energy_volume = m.energy_volume + excluded.energy_volume,
            distance_km = m.distance_km + excluded.distance_km,
            liquid_interval_km = m.liquid_interval_km + excluded.liquid_interval_km,
            liquid_interval_volume = m.liquid_interval_volume + excluded.liquid_interval_volume,
            energy_interval_km = m.energy_interval_km + excluded.energy_interval_km,
            energy_interval_volume = m.energy_interval_volume + excluded.energy_interval_volume",
        user_id.as_str(),
        vehicle_id.0,
        time_zone,
        &at,
        &electric,
        &logs,
        &column(|d| d.total_cost),
        &column(|d| d.volume),
        &column(|d| d.segment_km),
        &column(|d| d.interval_km),
        &column(|d| d.interval_volume),
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A vehicle's roll-up and the newest economy interval of each kind: what the statistics read.
#[derive(Debug, Clone, Default)]
pub struct Rollup {
    pub months: Vec<MonthTotals>,
    /// The newest closed interval `(km, volume)` of liquid fuel, and of electric charging.
    pub last_liquid: Option<(Decimal, Decimal)>,
    pub last_energy: Option<(Decimal, Decimal)>,
}

impl Rollup {
    fn from_rows(rows: Vec<StoredMonth>) -> Self {
        let pair = |v: &Option<Vec<Decimal>>| match v.as_deref() {
            Some([km, volume]) => Some((*km, *volume)),
            _ => None,
        };
        let (last_liquid, last_energy) = rows.first().map_or((None, None), |r| {
            (pair(&r.last_liquid), pair(&r.last_energy))
        });
        Self {
            months: rows.into_iter().map(MonthTotals::from).collect(),
            last_liquid,
            last_energy,
        }
    }
}

/// The roll-up, built first if it is missing or in another time zone, with the newest intervals
/// in the same statement (one round trip when the roll-up is current).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn months(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: VehicleId,
    time_zone: &str,
) -> sqlx::Result<Rollup> {
    // The newest interval of a kind is looked for only when the roll-up says the vehicle has fill-ups
    // of that kind (Postgres checks that once, before the scan): a petrol car's 50,000 fill-ups are
    // not walked to find no charging.
    let stored = |pool| {
        sqlx::query_as!(
            StoredMonth,
            r#"select month, log_count, liquid_count, total_cost, liquid_volume, energy_volume,
                    distance_km, liquid_interval_km, liquid_interval_volume, energy_interval_km,
                    energy_interval_volume, time_zone,
                    (select array[interval_km, interval_volume] from fuel_logs
                      where user_id = $1 and vehicle_id = $2 and deleted_at is null
                        and interval_km is not null and interval_volume is not null
                        and fuel_type <> 'electric'
                        and exists(select 1 from fuel_log_months l
                                    where l.user_id = $1 and l.vehicle_id = $2 and l.liquid_count > 0)
                      order by date_time desc limit 1) as "last_liquid: Vec<Decimal>",
                    (select array[interval_km, interval_volume] from fuel_logs
                      where user_id = $1 and vehicle_id = $2 and deleted_at is null
                        and interval_km is not null and interval_volume is not null
                        and fuel_type = 'electric'
                        and exists(select 1 from fuel_log_months e
                                    where e.user_id = $1 and e.vehicle_id = $2
                                      and e.log_count > e.liquid_count)
                      order by date_time desc limit 1) as "last_energy: Vec<Decimal>"
               from fuel_log_months where user_id = $1 and vehicle_id = $2 order by month"#,
            user_id.as_str(),
            vehicle_id.0,
        )
        .fetch_all(pool)
    };
    let rows = stored(pool).await?;
    let stale = rows.first().is_some_and(|r| r.time_zone != time_zone);
    let missing = rows.is_empty()
        && sqlx::query_scalar!(
            r#"select exists(select 1 from fuel_logs
                              where user_id = $1 and vehicle_id = $2 and deleted_at is null)
                 as "any!""#,
            user_id.as_str(),
            vehicle_id.0,
        )
        .fetch_one(pool)
        .await?;
    if !(stale || missing) {
        return Ok(Rollup::from_rows(rows));
    }
    let mut tx = pool.begin().await?;
    refresh_months(&mut tx, user_id, vehicle_id, time_zone, None).await?;
    tx.commit().await?;
    Ok(Rollup::from_rows(stored(pool).await?))
}

/// How many live fill-ups the vehicle has: one indexed sum over the roll-up (the months' time zone
/// does not change it), which is built first when it is missing.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn log_count(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: VehicleId,
    time_zone: &str,
) -> sqlx::Result<i64> {
    let rolled = sqlx::query_scalar!(
        r#"select sum(log_count)::bigint as "n" from fuel_log_months
            where user_id = $1 and vehicle_id = $2"#,
        user_id.as_str(),
        vehicle_id.0,
    )
    .fetch_one(pool)
    .await?;
    match rolled {
        Some(n) => Ok(n),
        None => Ok(months(pool, user_id, vehicle_id, time_zone)
            .await?
            .months
            .iter()
            .map(|m| m.log_count)
            .sum()),
    }
}

/// A stored month of the roll-up and the time zone it was summed in.
struct StoredMonth {
    month: chrono::NaiveDate,
    log_count: i64,
    liquid_count: i64,
    total_cost: Decimal,
    liquid_volume: Decimal,
    energy_volume: Decimal,
    distance_km: Decimal,
    liquid_interval_km: Decimal,
    liquid_interval_volume: Decimal,
    energy_interval_km: Decimal,
    energy_interval_volume: Decimal,
    time_zone: String,
    last_liquid: Option<Vec<Decimal>>,
    last_energy: Option<Vec<Decimal>>,
}

impl From<StoredMonth> for MonthTotals {
    fn from(m: StoredMonth) -> Self {
        Self {
            month: m.month,
            log_count: m.log_count,
            liquid_count: m.liquid_count,
            total_cost: m.total_cost,
            liquid_volume: m.liquid_volume,
            energy_volume: m.energy_volume,
            distance_km: m.distance_km,
            liquid_interval_km: m.liquid_interval_km,
            liquid_interval_volume: m.liquid_interval_volume,
            energy_interval_km: m.energy_interval_km,
            energy_interval_volume: m.energy_interval_volume,
        }
    }
}

/// Month by month straight from the fill-ups, for a time range the roll-up cannot answer.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn months_in_range(
    pool: &PgPool,
    user_id: &UserId,
    vehicle_id: VehicleId,
    time_zone: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> sqlx::Result<Vec<MonthTotals>> {
    with_month_sums!(
        query_as(MonthTotals),
        r#"select date_trunc('month', date_time at time zone $3)::date as "month!", "#,
        " from fuel_logs
          where user_id = $1 and vehicle_id = $2 and deleted_at is null
            and ($4::timestamptz is null or date_time >= $4)
            and ($5::timestamptz is null or date_time <= $5)
          group by 1 order by 1",
        user_id.as_str(),
        vehicle_id.0,
        time_zone,
        from,
        to,
    )
    .fetch_all(pool)
    .await
}
