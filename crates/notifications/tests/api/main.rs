//! The notifications capsule against the real app and real outside parts: Postgres, an SMTP server
//! (aiosmtpd), a Resend fake, a push receiver, and the calendar feed parsed by Python's icalendar.

mod calendar;
mod centre;
mod channels;
mod reminders;
mod templates;

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use mvp_test_support::TestApp;

/// Noon UTC of `day` (`YYYY-MM-DD`): the same calendar day in every zone from UTC−11 to UTC+11.
pub fn noon(day: &str) -> DateTime<Utc> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_default();
    Utc.from_utc_datetime(&date.and_hms_opt(12, 0, 0).unwrap_or_default())
}

/// Runs the reminder job at `now` and returns how many reminders it gave.
pub async fn remind(app: &TestApp, now: DateTime<Utc>) -> usize {
    let report = mvp_notifications::run_reminders(&app.pool().await, "http://app.test", now)
        .await
        .unwrap_or_else(|e| panic!("reminders: {e:#}"));
    assert!(report.ran);
    report.reminded
}

/// Runs the deliver job at `now` with the app's configured transport.
pub async fn deliver(app: &TestApp, now: DateTime<Utc>) -> mvp_notifications::DeliverReport {
    mvp_notifications::Deliverer::from_state(&app.state)
        .unwrap_or_else(|e| panic!("deliverer: {e:#}"))
        .run(now)
        .await
        .unwrap_or_else(|e| panic!("deliver: {e:#}"))
}
