//! Checking request bodies into `RecordFields` / `ScheduleFields`; every broken rule names its field.

use chrono::{Duration, NaiveDate, Utc};
use mvp_core::validate::optional_text as text;
use mvp_types::FieldError;
use mvp_types::Invalid;
use mvp_types::limits::{
    DEFAULT_REMINDER_DAYS, INTERVAL_DISTANCE_MAX, INTERVAL_MONTHS_MAX, MAINTENANCE_COST_BELOW,
    MONEY_DP, NOTES_MAX, ODOMETER_MAX, RECORD_DOCUMENTS_MAX, REMINDER_DAYS_MAX, REMINDERS_MAX,
    TEXT_MAX,
};
use mvp_types::maintenance::{RecordInput, ScheduleInput};
use rust_decimal::Decimal;

use crate::domain::subtypes_of;
use crate::domain::{RecordFields, ScheduleFields};

fn category_and_subtypes(
    details: &mut Vec<FieldError>,
    category: Option<String>,
    subtypes: Vec<String>,
) -> (String, Vec<String>) {
    let category = category.map(|c| c.trim().to_owned()).unwrap_or_default();
    let Some(allowed) = subtypes_of(&category) else {
        details.push(FieldError::new(
            "category",
            "must be routine_maintenance, repair or performance_upgrade",
        ));
        return (category, subtypes);
    };
    let mut clean: Vec<String> = Vec::new();
    for subtype in subtypes {
        let subtype = subtype.trim().to_owned();
        match allowed.iter().find(|a| a.eq_ignore_ascii_case(&subtype)) {
            Some(known) if !clean.iter().any(|c| c == known) => clean.push((*known).to_owned()),
            Some(_) => {}
            None => details.push(FieldError::new(
                "subtypes",
                format!(
                    "{subtype:?} is not a {category} subtype (see GET /api/maintenance/subtypes)"
                ),
            )),
        }
    }
    if clean.is_empty() && !details.iter().any(|d| d.field == "subtypes") {
        details.push(FieldError::new("subtypes", "choose at least one subtype"));
    }
    (category, clean)
}

fn odometer(details: &mut Vec<FieldError>, field: &str, value: Option<i64>) -> Option<i64> {
    if value.is_some_and(|v| v < 0) {
        details.push(FieldError::new(field, "must not be negative"));
    } else if value.is_some_and(|v| v > ODOMETER_MAX) {
        details.push(FieldError::new(field, format!("at most {ODOMETER_MAX}")));
    }
    value
}

fn not_future(details: &mut Vec<FieldError>, field: &str, date: Option<NaiveDate>) {
    if date.is_some_and(|d| d > Utc::now().date_naive() + Duration::days(1)) {
        details.push(FieldError::new(field, "must not be in the future"));
    }
}

pub fn record(input: RecordInput) -> Result<RecordFields, Invalid> {
    let mut details = Vec::new();
    if input.vehicle_id.is_none() {
        details.push(FieldError::new("vehicleId", "vehicleId is required"));
    }
    if input.date.is_none() {
        details.push(FieldError::new("date", "date is required"));
    }
    not_future(&mut details, "date", input.date);
    let (category, subtypes) = category_and_subtypes(&mut details, input.category, input.subtypes);
    let odometer_reading = odometer(&mut details, "odometerReading", input.odometer_reading);
    if let Some(cost) = input.cost {
        if cost.is_sign_negative() && !cost.is_zero() {
            details.push(FieldError::new("cost", "must not be negative"));
        } else if cost.normalize().scale() > MONEY_DP {
            details.push(FieldError::new(
                "cost",
                format!("at most {MONEY_DP} decimal places"),
            ));
        } else if cost >= Decimal::from(MAINTENANCE_COST_BELOW) {
            details.push(FieldError::new("cost", "is too large"));
        }
    }
    let mut document_ids = Vec::with_capacity(input.document_ids.len());
    for id in input.document_ids {
        if !document_ids.contains(&id) {
            document_ids.push(id);
        }
    }
    if document_ids.len() > RECORD_DOCUMENTS_MAX {
        details.push(FieldError::new(
            "documentIds",
            format!("at most {RECORD_DOCUMENTS_MAX} documents per record"),
        ));
    }
    let shop_name = text(&mut details, "shopName", input.shop_name, TEXT_MAX);
    let notes = text(&mut details, "notes", input.notes, NOTES_MAX);
    match (input.vehicle_id, input.date) {
        (Some(vehicle_id), Some(date)) if details.is_empty() => Ok(RecordFields {
            vehicle_id,
            date,
            odometer_reading,
            category,
            subtypes,
            cost: input.cost,
            shop_name,
            notes,
            document_ids,
        }),
        _ => Err(Invalid(details)),
    }
}

pub fn schedule(input: ScheduleInput) -> Result<ScheduleFields, Invalid> {
    let mut details = Vec::new();
    if input.vehicle_id.is_none() {
        details.push(FieldError::new("vehicleId", "vehicleId is required"));
    }
    let (category, subtypes) = category_and_subtypes(&mut details, input.category, input.subtypes);
    match (input.interval_months, input.interval_distance) {
        (None, None) => details.push(FieldError::new(
            "intervalMonths",
            "set intervalMonths or intervalDistance (or both)",
        )),
        (months, distance) => {
            if months.is_some_and(|m| !(1..=INTERVAL_MONTHS_MAX).contains(&m)) {
                details.push(FieldError::new(
                    "intervalMonths",
                    format!("must be between 1 and {INTERVAL_MONTHS_MAX}"),
                ));
            }
            if distance.is_some_and(|d| !(1..=INTERVAL_DISTANCE_MAX).contains(&d)) {
                details.push(FieldError::new(
                    "intervalDistance",
                    format!("must be between 1 and {INTERVAL_DISTANCE_MAX}"),
                ));
            }
        }
    }
    not_future(&mut details, "lastServiceDate", input.last_service_date);
    let last_service_odometer = odometer(
        &mut details,
        "lastServiceOdometer",
        input.last_service_odometer,
    );
    let reminder_days_before = input
        .reminder_days_before
        .unwrap_or_else(|| vec![DEFAULT_REMINDER_DAYS]);
    if reminder_days_before
        .iter()
        .any(|d| !(0..=REMINDER_DAYS_MAX).contains(d))
        || reminder_days_before.len() > REMINDERS_MAX
    {
        details.push(FieldError::new(
            "reminderDaysBefore",
            format!("up to {REMINDERS_MAX} values, each between 0 and {REMINDER_DAYS_MAX}"),
        ));
    }
    match input.vehicle_id {
        Some(vehicle_id) if details.is_empty() => Ok(ScheduleFields {
            vehicle_id,
            category,
            subtypes,
            interval_months: input.interval_months,
            interval_distance: input.interval_distance,
            last_service_date: input.last_service_date,
            last_service_odometer,
            email_notifications: input.email_notifications.unwrap_or(false),
            reminder_days_before,
            is_active: input.is_active.unwrap_or(true),
        }),
        _ => Err(Invalid(details)),
    }
}
