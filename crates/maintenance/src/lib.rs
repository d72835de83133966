//! mvp-maintenance: service records, interval schedules (months and/or distance, whichever first)
//! with `ok` / `due_soon` / `overdue` status and starter templates. What is due is said by
//! [`due_schedules`]; telling the owner is the notifications capsule's work. The user-export capsule
//! reads everything with [`export`] and writes many records at once with [`import::import`].

pub mod api;
pub mod domain;
pub mod import;
pub mod parse;
pub mod repo;
pub mod status;

use chrono::NaiveDate;
use mvp_core::{AppResult, AppState, AuthUser};
use mvp_types::ids::{ScheduleId, VehicleId};
use mvp_types::maintenance::ScheduleStatus;
use mvp_types::maintenance::{MaintenanceRecord, MaintenanceSchedule};
use mvp_types::units::whole_distance;
use mvp_types::user::UnitSystem;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An active schedule on a live vehicle with its next due point for the owner's "today".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSchedule {
    pub user_id: String,
    pub vehicle_id: VehicleId,
    pub schedule_id: ScheduleId,
    /// What is due: the subtypes, comma-separated.
    pub title: String,
    pub status: ScheduleStatus,
    pub next_date: Option<NaiveDate>,
    /// In the owner's unit system ([`DueContext::units`]).
    pub next_odometer: Option<i64>,
    /// The schedule asks for e-mail reminders.
    pub email_notifications: bool,
}

/// What a schedule's status depends on besides the schedule: the owner's today and unit system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueContext {
    pub today: NaiveDate,
    pub metric: bool,
}

impl DueContext {
    /// The owner's unit system: due points are shown in it.
    pub fn units(&self) -> UnitSystem {
        if self.metric {
            UnitSystem::Metric
        } else {
            UnitSystem::Imperial
        }
    }
}

/// The users who have at least one active schedule (for a job to look up their time zones first).
pub async fn schedule_owners(pool: &PgPool) -> sqlx::Result<Vec<String>> {
    repo::schedule_owners(pool).await
}

/// Every active schedule on a live vehicle — of `user`, or of everyone — with its due point for
/// `context(owner)`. The current odometer is the vehicle's, or its records' when higher.
pub async fn due_schedules(
    pool: &PgPool,
    user: Option<&str>,
    context: &(dyn Fn(&str) -> DueContext + Sync),
) -> anyhow::Result<Vec<DueSchedule>> {
    let active = repo::active_schedules(pool, user).await?;
    let vehicle_ids: Vec<VehicleId> = active.iter().map(|a| a.schedule.vehicle_id).collect();
    let vehicles = mvp_vehicles::live(pool, &vehicle_ids).await?;
    let mut out = Vec::with_capacity(active.len());
    for a in active {
        let Some(vehicle) = vehicles
            .get(&a.schedule.vehicle_id)
            .filter(|v| v.user_id == a.schedule.user_id)
        else {
            continue;
        };
        let ctx = context(&a.schedule.user_id);
        let units = ctx.units();
        let odometer = match a.records_odometer {
            Some(km) if km > vehicle.odometer.km => whole_distance(km, units),
            _ => vehicle.odometer.shown(units),
        };
        let due = status::compute(&a.schedule, ctx.today, Some(odometer), units);
        let row = a.schedule;
        out.push(DueSchedule {
            title: row.subtypes.join(", "),
            user_id: row.user_id,
            vehicle_id: row.vehicle_id,
            schedule_id: row.id,
            status: due.status,
            next_date: due.next_date,
            next_odometer: due.next_odometer,
            email_notifications: row.email_notifications,
        });
    }
    Ok(out)
}

/// Every live record (newest first) and schedule of the user, as the API shows them.
pub async fn export(
    state: &AppState,
    user: &AuthUser,
) -> AppResult<(Vec<MaintenanceRecord>, Vec<MaintenanceSchedule>)> {
    let (rows, _) = repo::list_records(&state.db, &user.user_id, None, i64::MAX, 0).await?;
    let records = api::records_dto(state, user, rows).await?;
    let schedules = api::schedules_with_due(state, user, None)
        .await?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    Ok((records, schedules))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_records, api::create_record))
        .routes(routes!(
            api::get_record,
            api::update_record,
            api::delete_record
        ))
        .routes(routes!(api::list_schedules, api::create_schedule))
        .routes(routes!(
            api::get_schedule,
            api::update_schedule,
            api::delete_schedule
        ))
        .routes(routes!(api::create_from_template))
        .routes(routes!(api::upcoming))
        .routes(routes!(api::subtypes))
}
