//! The account's bulk reads: every vehicle (the export), the one an imported vehicle is taken to
//! be (by VIN, nickname or year/make/model), and every stored file (the erasure).

use mvp_types::ids::{UserId, VehicleId};
use mvp_types::user::UnitSystem;
use sqlx::{PgConnection, PgPool};

use super::VehicleRow;

/// The user's live vehicle called `nickname` (any letter case), the oldest if several are.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn by_nickname(
    conn: &mut PgConnection,
    user_id: &UserId,
    nickname: &str,
) -> sqlx::Result<Option<VehicleId>> {
    sqlx::query_scalar!(
        r#"select id as "id: VehicleId" from vehicles
            where user_id = $1 and deleted_at is null and lower(nickname) = lower($2)
            order by created_at limit 1"#,
        user_id.as_str(),
        nickname,
    )
    .fetch_optional(conn)
    .await
}

/// Every live vehicle of the user, oldest first (the export).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn all(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<VehicleRow>> {
    vehicle_rows!(
        "select ",
        " from vehicles where user_id = $1 and deleted_at is null order by created_at, id",
        user_id.as_str(),
    )
    .fetch_all(pool)
    .await
}

/// Every stored file of the user's vehicles, deleted ones included (the account's erasure).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn file_keys(pool: &PgPool, user_id: &UserId) -> sqlx::Result<Vec<String>> {
    let rows = sqlx::query!(
        "select image_key, thumb_key from vehicles where user_id = $1",
        user_id.as_str(),
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .flat_map(|r| [r.image_key, r.thumb_key])
        .flatten()
        .collect())
}

/// The user's live vehicle an exported one is taken to be when importing it again: the same VIN,
/// else the same nickname, else (neither given) the same year, make and model.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn find_like(
    conn: &mut PgConnection,
    user_id: &UserId,
    vin: Option<&str>,
    nickname: Option<&str>,
    year: i32,
    make: &str,
    model: &str,
) -> sqlx::Result<Option<VehicleId>> {
    sqlx::query_scalar!(
        r#"select id as "id: VehicleId" from vehicles
            where user_id = $1 and deleted_at is null
              and (($2::text is not null and vin = $2)
                or ($3::text is not null and lower(nickname) = lower($3))
                or ($2::text is null and $3::text is null and year = $4
                    and lower(make) = lower($5) and lower(model) = lower($6)))
            order by (vin is not distinct from $2) desc, created_at limit 1"#,
        user_id.as_str(),
        vin,
        nickname,
        i16::try_from(year).unwrap_or(i16::MAX),
        make,
        model,
    )
    .fetch_optional(conn)
    .await
}
