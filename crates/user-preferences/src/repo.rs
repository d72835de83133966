//! `user_preferences` queries, scoped by user id. A first read stores the defaults.

use mvp_types::ids::UserId;
use mvp_types::user::{UnitSystem, UserPreferences};
use sqlx::PgPool;

use crate::domain::PreferenceChanges;

#[derive(Debug)]
struct Row {
    unit_system: UnitSystem,
    currency_code: String,
    time_zone: String,
    dark_mode: bool,
    efficiency_unit: Option<String>,
}

impl From<Row> for UserPreferences {
    fn from(row: Row) -> Self {
        Self {
            unit_system: row.unit_system,
            currency_code: row.currency_code,
            time_zone: row.time_zone,
            dark_mode: row.dark_mode,
            efficiency_unit: row.efficiency_unit,
        }
    }
}

/// The user's preferences, creating the defaults on first read (a plain read afterwards: every
/// request that shows a quantity asks for them).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn get_or_create(pool: &PgPool, user_id: &UserId) -> sqlx::Result<UserPreferences> {
    let existing = sqlx::query_as!(
        Row,
        r#"select unit_system as "unit_system: UnitSystem", currency_code, time_zone, dark_mode, efficiency_unit
             from user_preferences where user_id = $1"#,
        user_id.as_str(),
    )
    .fetch_optional(pool)
    .await?;
    if let Some(row) = existing {
        return Ok(row.into());
    }
    sqlx::query!(
        "insert into user_preferences (id, user_id) values ($1, $2) on conflict (user_id) do nothing",
        uuid::Uuid::now_v7(),
        user_id.as_str(),
    )
    .execute(pool)
    .await?;
    let row = sqlx::query_as!(
        Row,
        r#"select unit_system as "unit_system: UnitSystem", currency_code, time_zone, dark_mode, efficiency_unit
             from user_preferences where user_id = $1"#,
        user_id.as_str(),
    )
    .fetch_one(pool)
    .await?;
    Ok(row.into())
}

/// Applies a partial update. `explicit` marks the preferences as chosen by the user (onboarding).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn apply(
    pool: &PgPool,
    user_id: &UserId,
    changes: &PreferenceChanges,
    explicit: bool,
) -> sqlx::Result<UserPreferences> {
    get_or_create(pool, user_id).await?;
    let row = sqlx::query_as!(
        Row,
        r#"update user_preferences set
            unit_system = coalesce($2, unit_system),
            currency_code = coalesce($3, currency_code),
            time_zone = coalesce($4, time_zone),
            dark_mode = coalesce($5, dark_mode),
            explicitly_set = explicitly_set or $6,
            efficiency_unit = case when $7 then $8 else efficiency_unit end
         where user_id = $1
         returning unit_system as "unit_system: UnitSystem", currency_code, time_zone, dark_mode,
                   efficiency_unit"#,
        user_id.as_str(),
        changes.unit_system.map(UnitSystem::as_str),
        changes.currency_code,
        changes.time_zone,
        changes.dark_mode,
        explicit,
        changes.efficiency_unit.is_some(),
        changes.efficiency_unit.clone().flatten(),
    )
    .fetch_one(pool)
    .await?;
    Ok(row.into())
}

/// Whether the user has chosen preferences (onboarding status).
#[tracing::instrument(skip_all, level = "debug")]
pub async fn explicitly_set(pool: &PgPool, user_id: &UserId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select coalesce((select explicitly_set from user_preferences where user_id = $1), false)
             as "set!""#,
        user_id.as_str(),
    )
    .fetch_one(pool)
    .await
}

/// `(user id, time zone, metric)` of each of `user_ids` with stored preferences.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn zones_and_units(
    pool: &PgPool,
    user_ids: &[String],
) -> sqlx::Result<Vec<(String, String, bool)>> {
    Ok(sqlx::query!(
        r#"select user_id, time_zone, unit_system = 'metric' as "metric!"
             from user_preferences where user_id = any($1)"#,
        user_ids,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.user_id, r.time_zone, r.metric))
    .collect())
}
