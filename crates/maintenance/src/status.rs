//! A stored schedule as the API shows it: effective last service (the later of what the user entered
//! and what the records say), next due point and status for "today" and the current odometer.

use chrono::NaiveDate;
use mvp_types::maintenance::MaintenanceSchedule;

use crate::domain::{Due, Interval, default_distance_threshold, due};
use crate::repo::ScheduleRow;

/// The last service that counts: the newer of the entered one and the one from records.
pub fn last_service(row: &ScheduleRow) -> (Option<NaiveDate>, Option<i64>) {
    match (row.last_service_date, row.record_service_date) {
        (Some(entered), Some(record)) if record > entered => {
            (Some(record), row.record_service_odometer)
        }
        (Some(entered), _) => (Some(entered), row.last_service_odometer),
        (None, Some(record)) => (Some(record), row.record_service_odometer),
        (None, None) => (
            None,
            row.last_service_odometer.or(row.record_service_odometer),
        ),
    }
}

pub fn compute(row: &ScheduleRow, today: NaiveDate, odometer: Option<i64>, metric: bool) -> Due {
    let (date, odo) = last_service(row);
    let interval = Interval {
        months: row.interval_months.and_then(|m| u32::try_from(m).ok()),
        distance: row.interval_distance,
        from_date: date.unwrap_or(row.baseline_date),
        from_odometer: odo.or(row.baseline_odometer),
    };
    let soon_days = row.reminder_days_before.iter().copied().max().unwrap_or(30);
    due(
        &interval,
        today,
        odometer,
        i64::from(soon_days),
        default_distance_threshold(metric),
    )
}

pub fn to_dto(row: ScheduleRow, due: &Due) -> MaintenanceSchedule {
    let (last_date, last_odometer) = last_service(&row);
    MaintenanceSchedule {
        id: row.id,
        vehicle_id: row.vehicle_id,
        category: row.category,
        subtypes: row.subtypes,
        interval_months: row.interval_months,
        interval_distance: row.interval_distance,
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
