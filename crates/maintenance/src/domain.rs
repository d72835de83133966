//! Maintenance rules. The categories and their subtypes live here, once: the subtypes endpoint shows
//! this list and validation uses it. Due dates and status are pure functions of a schedule, "today"
//! and the current odometer, so they are tested with a fixed clock.

use chrono::{Months, NaiveDate};
use mvp_types::ids::{DocumentId, VehicleId};
use rust_decimal::Decimal;

pub const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "routine_maintenance",
        &[
            "Engine Oil",
            "Oil Filter",
            "Tire Rotation",
            "Tires",
            "Brakes",
            "Brake Fluid",
            "Air Filter",
            "Cabin Air Filter",
            "Coolant",
            "Spark Plugs",
            "Transmission Fluid",
            "Differential Fluid",
            "Power Steering Fluid",
            "Battery",
            "Wiper Blades",
            "Timing Belt",
            "Drive Belt",
            "Inspection",
            "Wheel Alignment",
            "Chain Lubrication",
            "Fuel Filter",
        ],
    ),
    (
        "repair",
        &[
            "Engine",
            "Transmission",
            "Brakes",
            "Suspension",
            "Steering",
            "Exhaust",
            "Electrical",
            "Cooling System",
            "Fuel System",
            "HVAC",
            "Body",
            "Glass",
            "Tires",
            "Battery",
            "Other",
        ],
    ),
    (
        "performance_upgrade",
        &[
            "Intake",
            "Exhaust",
            "Suspension",
            "Wheels",
            "Tires",
            "Brakes",
            "Tuning",
            "Lighting",
            "Aerodynamics",
            "Other",
        ],
    ),
];

/// The subtypes of a category, or `None` for an unknown category.
pub fn subtypes_of(category: &str) -> Option<&'static [&'static str]> {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, s)| *s)
}

/// Distance inside which a schedule is `due_soon` when no per-schedule threshold says otherwise:
/// A checked record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFields {
    pub vehicle_id: VehicleId,
    pub date: NaiveDate,
    pub odometer_reading: Option<i64>,
    pub category: String,
    pub subtypes: Vec<String>,
    pub cost: Option<Decimal>,
    pub shop_name: Option<String>,
    pub notes: Option<String>,
    /// Checked to be the user's live documents of the same vehicle.
    pub document_ids: Vec<DocumentId>,
}

/// A checked schedule, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFields {
    pub vehicle_id: VehicleId,
    pub category: String,
    pub subtypes: Vec<String>,
    pub interval_months: Option<i32>,
    pub interval_distance: Option<i64>,
    pub last_service_date: Option<NaiveDate>,
    pub last_service_odometer: Option<i64>,
    pub email_notifications: bool,
    pub reminder_days_before: Vec<i32>,
    pub is_active: bool,
}

/// 500 miles, or 800 km for metric users.
pub fn default_distance_threshold(metric: bool) -> i64 {
    if metric { 800 } else { 500 }
}

/// A schedule's status (the shared type, so the SPA reads the same three values).
pub use mvp_types::maintenance::ScheduleStatus as Status;

/// What a status computation needs from a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub months: Option<u32>,
    pub distance: Option<i64>,
    /// Last service, else when the schedule was created.
    pub from_date: NaiveDate,
    pub from_odometer: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub next_date: Option<NaiveDate>,
    pub next_odometer: Option<i64>,
    pub status: Status,
    /// Days until the date (negative when past); for ordering by urgency.
    pub days_left: Option<i64>,
    pub distance_left: Option<i64>,
}

/// Next due point and status, whichever of months and distance comes first. `Jan 31 + 1 month` is
/// the last day of February (chrono's month arithmetic clamps), leap years included.
pub fn due(
    interval: &Interval,
    today: NaiveDate,
    odometer: Option<i64>,
    soon_days: i64,
    soon_distance: i64,
) -> Due {
    let next_date = interval
        .months
        .and_then(|m| interval.from_date.checked_add_months(Months::new(m)));
    let next_odometer = match (interval.distance, interval.from_odometer) {
        (Some(d), Some(from)) => Some(from.saturating_add(d)),
        (Some(d), None) => Some(d),
        _ => None,
    };
    let days_left = next_date.map(|d| (d - today).num_days());
    let distance_left = match (next_odometer, odometer) {
        (Some(next), Some(now)) => Some(next.saturating_sub(now)),
        _ => None,
    };
    let overdue = days_left.is_some_and(|d| d < 0) || distance_left.is_some_and(|d| d <= 0);
    let soon = days_left.is_some_and(|d| d <= soon_days)
        || distance_left.is_some_and(|d| d <= soon_distance);
    let status = if overdue {
        Status::Overdue
    } else if soon {
        Status::DueSoon
    } else {
        Status::Ok
    };
    Due {
        next_date,
        next_odometer,
        status,
        days_left,
        distance_left,
    }
}

/// A starter schedule: generic intervals, not manufacturer data. `miles`/`km` of 0 mean "by time only".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub key: &'static str,
    pub label: &'static str,
    pub subtypes: &'static [&'static str],
    pub months: u32,
    pub miles: i64,
    pub km: i64,
}

const fn template(
    key: &'static str,
    label: &'static str,
    subtypes: &'static [&'static str],
    months: u32,
    miles: i64,
    km: i64,
) -> Template {
    Template {
        key,
        label,
        subtypes,
        months,
        miles,
        km,
    }
}

pub const TEMPLATES: &[Template] = &[
    template(
        "oil_change",
        "Engine oil and filter",
        &["Engine Oil", "Oil Filter"],
        6,
        5_000,
        8_000,
    ),
    template(
        "tire_rotation",
        "Tire rotation",
        &["Tire Rotation"],
        6,
        6_000,
        10_000,
    ),
    template(
        "air_filter",
        "Engine air filter",
        &["Air Filter"],
        12,
        15_000,
        24_000,
    ),
    template(
        "cabin_air_filter",
        "Cabin air filter",
        &["Cabin Air Filter"],
        12,
        15_000,
        24_000,
    ),
    template("brake_fluid", "Brake fluid", &["Brake Fluid"], 24, 0, 0),
    template("coolant", "Coolant", &["Coolant"], 60, 60_000, 100_000),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn interval(
        months: Option<u32>,
        distance: Option<i64>,
        from: NaiveDate,
        odo: Option<i64>,
    ) -> Interval {
        Interval {
            months,
            distance,
            from_date: from,
            from_odometer: odo,
        }
    }

    #[test]
    fn months_only() {
        let i = interval(Some(6), None, date(2026, 1, 10), None);
        let d = due(&i, date(2026, 3, 1), None, 30, 500);
        assert_eq!(d.next_date, Some(date(2026, 7, 10)));
        assert_eq!(d.status, Status::Ok);
        assert_eq!(
            due(&i, date(2026, 6, 20), None, 30, 500).status,
            Status::DueSoon
        );
        assert_eq!(
            due(&i, date(2026, 7, 10), None, 30, 500).status,
            Status::DueSoon,
            "due today is not yet overdue"
        );
        assert_eq!(
            due(&i, date(2026, 7, 11), None, 30, 500).status,
            Status::Overdue
        );
    }

    #[test]
    fn distance_only() {
        let i = interval(None, Some(5000), date(2026, 1, 1), Some(40_000));
        assert_eq!(
            due(&i, date(2026, 1, 2), Some(42_000), 30, 500).status,
            Status::Ok
        );
        assert_eq!(
            due(&i, date(2026, 1, 2), Some(44_600), 30, 500).status,
            Status::DueSoon
        );
        let over = due(&i, date(2026, 1, 2), Some(45_000), 30, 500);
        assert_eq!(
            (over.next_odometer, over.status),
            (Some(45_000), Status::Overdue)
        );
    }

    #[test]
    fn both_whichever_comes_first() {
        let i = interval(Some(6), Some(5000), date(2026, 1, 1), Some(40_000));
        // Miles first.
        assert_eq!(
            due(&i, date(2026, 2, 1), Some(45_100), 30, 500).status,
            Status::Overdue
        );
        // Months first.
        assert_eq!(
            due(&i, date(2026, 7, 2), Some(41_000), 30, 500).status,
            Status::Overdue
        );
        assert_eq!(
            due(&i, date(2026, 2, 1), Some(41_000), 30, 500).status,
            Status::Ok
        );
    }

    #[test]
    fn month_end_and_leap_years_clamp() {
        let jan31 = interval(Some(1), None, date(2026, 1, 31), None);
        assert_eq!(
            due(&jan31, date(2026, 1, 31), None, 30, 500).next_date,
            Some(date(2026, 2, 28))
        );
        let leap = interval(Some(1), None, date(2028, 1, 31), None);
        assert_eq!(
            due(&leap, date(2028, 1, 31), None, 30, 500).next_date,
            Some(date(2028, 2, 29))
        );
        let feb29 = interval(Some(12), None, date(2028, 2, 29), None);
        assert_eq!(
            due(&feb29, date(2028, 3, 1), None, 30, 500).next_date,
            Some(date(2029, 2, 28))
        );
    }

    #[test]
    fn no_last_service_counts_from_creation() {
        // The caller passes the creation day and odometer as the starting point.
        let i = interval(Some(3), Some(3000), date(2026, 5, 1), Some(10_000));
        let d = due(&i, date(2026, 5, 2), Some(10_001), 30, 500);
        assert_eq!(
            (d.next_date, d.next_odometer),
            (Some(date(2026, 8, 1)), Some(13_000))
        );
    }

    #[test]
    fn an_unknown_odometer_uses_the_date_alone() {
        let i = interval(Some(6), Some(5000), date(2026, 1, 1), None);
        let d = due(&i, date(2026, 2, 1), None, 30, 500);
        assert_eq!(d.status, Status::Ok);
        assert_eq!(d.distance_left, None);
    }

    #[test]
    fn every_category_has_its_subtypes_and_templates_use_known_ones() {
        let known = subtypes_of("routine_maintenance").unwrap_or_default();
        for t in TEMPLATES {
            assert!(t.subtypes.iter().all(|s| known.contains(s)), "{}", t.key);
        }
        assert!(subtypes_of("tuning").is_none());
    }
}
