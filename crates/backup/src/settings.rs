//! The schedule settings between their three shapes: the row (`repo::SettingsRow`), the API's
//! `BackupSettings` (checked field by field here), and the scheduler's [`schedule::Settings`].

use chrono::{DateTime, Utc};
use mvp_types::admin::BackupSettings;
use mvp_types::{FieldError, Invalid};
use sqlx::PgPool;

use crate::repo::{self, BackupRow, SettingsRow};
use crate::schedule::{self, Made, Schedule};

const KEEP_MAX: u32 = 1000;

/// The scheduler's view of a row (a zone the database holds but this build does not know is UTC).
pub fn of_row(row: &SettingsRow) -> schedule::Settings {
    schedule::Settings {
        daily: row.daily,
        weekly: row.weekly,
        monthly: row.monthly,
        hour: u32::try_from(row.hour).unwrap_or(0),
        weekday: u32::try_from(row.weekday).unwrap_or(7),
        zone: row.time_zone.parse().unwrap_or(chrono_tz::UTC),
        keep_daily: u32::try_from(row.keep_daily).unwrap_or(1),
        keep_weekly: u32::try_from(row.keep_weekly).unwrap_or(1),
        keep_monthly: u32::try_from(row.keep_monthly).unwrap_or(1),
        changed_at: row.updated_at,
    }
}

pub async fn load(pool: &PgPool) -> sqlx::Result<schedule::Settings> {
    Ok(of_row(&repo::settings(pool).await?))
}

/// A scheduled backup as the scheduler sees it (`None` for any other kind).
pub fn made(row: &BackupRow) -> Option<Made> {
    Some(Made {
        id: row.id,
        schedules: row
            .schedules
            .iter()
            .filter_map(|s| Schedule::parse(s))
            .collect(),
        slot_at: row.slot_at?,
        status: row.status.clone(),
    })
}

pub fn dto(row: &SettingsRow, next_run_at: Option<DateTime<Utc>>) -> BackupSettings {
    BackupSettings {
        daily: row.daily,
        weekly: row.weekly,
        monthly: row.monthly,
        hour: u8::try_from(row.hour).unwrap_or(0),
        weekday: u8::try_from(row.weekday).unwrap_or(7),
        time_zone: row.time_zone.clone(),
        keep_daily: u32::try_from(row.keep_daily).unwrap_or(1),
        keep_weekly: u32::try_from(row.keep_weekly).unwrap_or(1),
        keep_monthly: u32::try_from(row.keep_monthly).unwrap_or(1),
        next_run_at,
    }
}

/// Checks what a PUT sends (`nextRunAt` is read-only and ignored): every field wrong is named.
pub fn parse(input: &BackupSettings) -> Result<SettingsRow, Invalid> {
    let mut problems = Vec::new();
    if input.hour > 23 {
        problems.push(FieldError::new("hour", "must be 0 to 23"));
    }
    if !(1..=7).contains(&input.weekday) {
        problems.push(FieldError::new(
            "weekday",
            "must be 1 (Monday) to 7 (Sunday)",
        ));
    }
    let zone = input.time_zone.trim();
    if zone.parse::<chrono_tz::Tz>().is_err() {
        problems.push(FieldError::new(
            "timeZone",
            "must be an IANA time zone, e.g. Europe/Berlin",
        ));
    }
    for (field, keep) in [
        ("keepDaily", input.keep_daily),
        ("keepWeekly", input.keep_weekly),
        ("keepMonthly", input.keep_monthly),
    ] {
        if !(1..=KEEP_MAX).contains(&keep) {
            problems.push(FieldError::new(field, format!("must be 1 to {KEEP_MAX}")));
        }
    }
    if !problems.is_empty() {
        return Err(Invalid(problems));
    }
    let keep = |k: u32| i32::try_from(k).unwrap_or(1);
    Ok(SettingsRow {
        daily: input.daily,
        weekly: input.weekly,
        monthly: input.monthly,
        hour: i16::from(input.hour),
        weekday: i16::from(input.weekday),
        time_zone: zone.to_owned(),
        keep_daily: keep(input.keep_daily),
        keep_weekly: keep(input.keep_weekly),
        keep_monthly: keep(input.keep_monthly),
        updated_at: Utc::now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wrong_field_is_named() {
        let input = BackupSettings {
            daily: true,
            weekly: false,
            monthly: false,
            hour: 24,
            weekday: 0,
            time_zone: "Mars/Olympus".to_owned(),
            keep_daily: 0,
            keep_weekly: 4,
            keep_monthly: 1001,
            next_run_at: None,
        };
        let fields: Vec<String> = parse(&input)
            .err()
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["hour", "weekday", "timeZone", "keepDaily", "keepMonthly"]
        );
        let good = BackupSettings {
            hour: 23,
            weekday: 7,
            time_zone: " Europe/Berlin ".to_owned(),
            keep_daily: 1,
            keep_monthly: 1000,
            ..input
        };
        let row = parse(&good).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((row.hour, row.weekday), (23, 7));
        assert_eq!(row.time_zone, "Europe/Berlin");
    }

    #[test]
    fn next_run_at_is_read_only_and_whole_numbers_may_be_written_as_floats() {
        for sent in [
            serde_json::json!({}),
            serde_json::json!("2000-01-01T00:00:00Z"),
            serde_json::json!("soon"),
            serde_json::Value::Null,
            serde_json::json!(5),
        ] {
            let body = serde_json::json!({"daily": true, "weekly": false, "monthly": false,
                "hour": 3, "weekday": 7.0, "timeZone": "UTC", "keepDaily": 7, "keepWeekly": 4,
                "keepMonthly": 1.3e1, "nextRunAt": sent});
            let parsed: BackupSettings =
                serde_json::from_value(body).unwrap_or_else(|e| panic!("{sent}: {e}"));
            assert_eq!(parsed.next_run_at, None, "{sent}");
            // Whole numbers written as floats are whole numbers.
            assert_eq!((parsed.weekday, parsed.keep_monthly), (7, 13));
        }
    }
}
