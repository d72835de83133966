//! A stored schedule as the API shows it: effective last service (the later of what the user entered
//! and what the records say), next due point and status for "today" and the current odometer. Every
//! distance is shown in the reader's unit system (`units`): as typed when it was typed in that
//! system, else converted from its kilometres.

use chrono::NaiveDate;
use mvp_types::maintenance::MaintenanceSchedule;
use mvp_types::user::UnitSystem;

use crate::domain::{Due, Interval, default_distance_threshold, due};
use crate::repo::ScheduleRow;

/// The last service that counts: the newer of the entered one and the one from records.
pub fn last_service(row: &ScheduleRow, units: UnitSystem) -> (Option<NaiveDate>, Option<i64>) {
    let entered = row.last_service().map(|r| r.shown(units));
    let record = row.record_service(units);
    match (row.last_service_date, row.record_service_date) {
        (Some(entered_on), Some(record_on)) if record_on > entered_on => (Some(record_on), record),
        (Some(entered_on), _) => (Some(entered_on), entered),
        (None, Some(record_on)) => (Some(record_on), record),
        (None, None) => (None, entered.or(record)),
    }
}

/// The due point and status; `odometer` is the vehicle's current reading in `units`.
pub fn compute(
    row: &ScheduleRow,
    today: NaiveDate,
    odometer: Option<i64>,
    units: UnitSystem,
) -> Due {
    let (date, odo) = last_service(row, units);
    let interval = Interval {
        months: row.interval_months.and_then(|m| u32::try_from(m).ok()),
        distance: row.interval().map(|r| r.shown(units)),
        from_date: date.unwrap_or(row.baseline_date),
        from_odometer: odo.or(row.baseline().map(|r| r.shown(units))),
    };
    let soon_days = row.reminder_days_before.iter().copied().max().unwrap_or(30);
    due(
        &interval,
        today,
        odometer,
        i64::from(soon_days),
        default_distance_threshold(units == UnitSystem::Metric),
    )
}

pub fn to_dto(row: ScheduleRow, due: &Due, units: UnitSystem) -> MaintenanceSchedule {
    let (last_date, last_odometer) = last_service(&row, units);
    let interval_distance = row.interval().map(|r| r.shown(units));
    MaintenanceSchedule {
        id: row.id,
        vehicle_id: row.vehicle_id,
        category: row.category,
        subtypes: row.subtypes,
        interval_months: row.interval_months,
        interval_distance,
        last_service_date: last_date,
        last_service_odometer: last_odometer,
        next_due_date: due.next_date,
        next_due_odometer: due.next_odometer,
        status: due.status,
        email_notifications: row.email_notifications,
        reminder_days_before: row.reminder_days_before,
        is_active: row.is_active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
