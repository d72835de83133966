//! Reads across users, by design: live vehicles by id for background jobs, per-user counts for
//! the admin's list, and how often a catalog name is in use.

use std::collections::HashMap;

use mvp_types::ids::VehicleId;
use mvp_types::units::Reading;
use mvp_types::user::UnitSystem;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Of `ids`, the vehicles that are not deleted: `(id, owner, odometer, name)`. For background jobs
/// that run across users; the caller checks the owner against its own row.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn live_by_ids(
    pool: &PgPool,
    ids: &[VehicleId],
) -> sqlx::Result<Vec<(VehicleId, String, Reading, String)>> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    let rows = sqlx::query!(
        r#"select id as "id: VehicleId", user_id, odometer_entered,
                  entered_units as "entered_units: UnitSystem", odometer_km,
                  coalesce(nullif(btrim(nickname), ''), concat_ws(' ', year, make, model)) as "name!"
             from vehicles
            where id = any($1) and deleted_at is null"#,
        &ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let odometer = Reading {
                entered: r.odometer_entered,
                units: r.entered_units,
                km: r.odometer_km,
            };
            (r.id, r.user_id, odometer, r.name)
        })
        .collect())
}

/// Live vehicles per user among `user_ids` (the admin's user list; across users by design).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn counts_by_user(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<HashMap<String, i64>> {
    let rows = sqlx::query!(
        r#"select user_id, count(*) as "n!" from vehicles
            where user_id = any($1) and deleted_at is null group by user_id"#,
        user_ids,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.n)).collect())
}

/// How many live vehicles (of any user) were saved with a catalog entry's name, in any letter
/// case: a make, a model of `make`, a trim, an engine or a transmission.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn catalog_usage(
    conn: &mut PgConnection,
    kind: &str,
    name: &str,
    make: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from vehicles
            where deleted_at is null
              and case $1
                    when 'make' then lower(make) = lower($2)
                    when 'model' then lower(model) = lower($2) and lower(make) = lower($3)
                    when 'trim' then lower(trim_level) = lower($2)
                    when 'engine' then lower(engine) = lower($2)
                    when 'transmission' then lower(transmission) = lower($2)
                    else false
                  end"#,
        kind,
        name,
        make,
    )
    .fetch_one(conn)
    .await
}
