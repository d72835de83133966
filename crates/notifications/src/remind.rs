//! The reminder job: asks maintenance which schedules are due soon or overdue and documents which
//! expire within the owner's window (or have expired), each for the owner's own today (their time
//! zone), and tells the owner once per crossing (a `notification_logs` row per subject, status and
//! due point). Each reminder becomes, in one transaction, a notification-centre entry and the
//! queued messages of the owner's channels (e-mail, ntfy, webhook); the deliver job sends them.
//! It takes `now` as an argument so tests run it with a fixed clock, and a Postgres advisory lock so
//! only one replica runs it at a time.

use mvp_types::ids::UserId;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use mvp_maintenance::{DueContext, DueSchedule};
use mvp_types::ids::VehicleId;
use mvp_types::maintenance::ScheduleStatus;
use mvp_types::notification::ExpiryStatus;
use mvp_user_preferences::LocalDay;
use sqlx::PgPool;
use uuid::Uuid;

use crate::queue::{self, Fanout};
use crate::repo::{self, NewNotification, SettingsRow, TemplateRow};
use crate::templates::{self, Vars};

const LOCK_KEY: i64 = 0x006d_7670_5f72_656d; // "mvp_rem"
/// The longest due-soon window a user may choose (documents are looked up this far ahead).
pub const DUE_SOON_DAYS_MAX: i32 = 365;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReminderReport {
    /// Schedules and documents looked at.
    pub checked: usize,
    /// New reminders (notification-centre entries).
    pub reminded: usize,
    /// Messages queued for the channels.
    pub queued: usize,
    /// `false` when another replica held the lock.
    pub ran: bool,
}

pub async fn run(
    pool: &PgPool,
    app_url: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<ReminderReport> {
    let ran = mvp_core::db::with_advisory_lock(pool, LOCK_KEY, remind(pool, app_url, now)).await?;
    Ok(ran.unwrap_or_default())
}

/// A document with its expiry status for its owner's today.
#[derive(Debug, Clone)]
pub struct DueDocument {
    pub document: mvp_documents::ExpiringDocument,
    pub status: ExpiryStatus,
    pub days_left: i64,
}

/// What is due for `users` (or for everyone) at `now`: schedules due soon or overdue (all active
/// ones with `all_schedules`), documents expiring within each owner's window or expired, the
/// owners' days and settings, and vehicle names.
pub struct Due {
    pub schedules: Vec<DueSchedule>,
    pub documents: Vec<DueDocument>,
    pub days: HashMap<String, LocalDay>,
    pub settings: HashMap<String, SettingsRow>,
    pub vehicle_names: HashMap<VehicleId, String>,
    pub now: DateTime<Utc>,
}

impl Due {
    pub fn day(&self, user_id: &str) -> LocalDay {
        self.days
            .get(user_id)
            .copied()
            .unwrap_or_else(|| LocalDay::default_at(self.now))
    }

    pub fn settings(&self, user_id: &str) -> SettingsRow {
        self.settings.get(user_id).cloned().unwrap_or_default()
    }

    pub fn vehicle_name(&self, id: VehicleId) -> String {
        self.vehicle_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "your vehicle".to_owned())
    }

    pub async fn load(
        pool: &PgPool,
        user: Option<&str>,
        now: DateTime<Utc>,
        all_schedules: bool,
        all_documents: bool,
    ) -> anyhow::Result<Self> {
        let latest =
            now.date_naive() + chrono::Days::new(u64::from(DUE_SOON_DAYS_MAX.unsigned_abs()) + 1);
        let documents =
            mvp_documents::with_expiry(pool, user, if all_documents { None } else { Some(latest) })
                .await?;
        let mut users: Vec<String> = match user {
            Some(u) => vec![u.to_owned()],
            None => mvp_maintenance::schedule_owners(pool).await?,
        };
        users.extend(documents.iter().map(|d| d.user_id.clone()));
        users.sort();
        users.dedup();
        let days = mvp_user_preferences::local_days(pool, &users, now).await?;
        let settings = repo::settings_of(pool, &users).await?;
        let context = |u: &str| {
            let day = days
                .get(u)
                .copied()
                .unwrap_or_else(|| LocalDay::default_at(now));
            DueContext {
                today: day.today,
                metric: day.metric,
            }
        };
        let mut schedules = mvp_maintenance::due_schedules(pool, user, &context).await?;
        if !all_schedules {
            schedules.retain(|s| s.status != ScheduleStatus::Ok);
        }
        let mut due = Self {
            schedules,
            documents: Vec::new(),
            days,
            settings,
            vehicle_names: HashMap::new(),
            now,
        };
        due.documents = documents
            .into_iter()
            .filter_map(|d| {
                let today = due.day(&d.user_id).today;
                let window = i64::from(due.settings(&d.user_id).due_soon_days);
                let days_left = (d.expiration_date - today).num_days();
                let status = if days_left < 0 {
                    ExpiryStatus::Expired
                } else if days_left <= window || all_documents {
                    ExpiryStatus::Expiring
                } else {
                    return None;
                };
                Some(DueDocument {
                    document: d,
                    status,
                    days_left,
                })
            })
            .collect();
        let mut vehicle_ids: Vec<VehicleId> = due.schedules.iter().map(|s| s.vehicle_id).collect();
        vehicle_ids.extend(due.documents.iter().map(|d| d.document.vehicle_id));
        vehicle_ids.sort();
        vehicle_ids.dedup();
        due.vehicle_names = mvp_vehicles::live(pool, &vehicle_ids)
            .await?
            .into_iter()
            .map(|(id, v)| (id, v.name))
            .collect();
        Ok(due)
    }
}

/// One reminder to give.
struct Reminder {
    user_id: String,
    /// `maintenance` or `document` (the log's kind).
    log_kind: &'static str,
    /// The template key, also the notification's kind.
    template: &'static str,
    subject_id: Uuid,
    vehicle_id: VehicleId,
    status: &'static str,
    due_key: String,
    /// The schedule asks for e-mail (documents always may).
    email_wanted: bool,
    vars: Vars,
}

async fn remind(
    pool: &PgPool,
    app_url: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<ReminderReport> {
    let due = Due::load(pool, None, now, false, false).await?;
    let app_url = app_url.trim_end_matches('/');
    let mut reminders = Vec::new();
    for s in &due.schedules {
        let metric = due.day(&s.user_id).metric;
        let (template, status) = match s.status {
            ScheduleStatus::Overdue => ("maintenance_overdue", "overdue"),
            _ => ("maintenance_due_soon", "due_soon"),
        };
        let due_key = format!(
            "{}|{}",
            s.next_date.map(|d| d.to_string()).unwrap_or_default(),
            s.next_odometer.map(|o| o.to_string()).unwrap_or_default()
        );
        reminders.push(Reminder {
            user_id: s.user_id.clone(),
            log_kind: "maintenance",
            template,
            subject_id: s.schedule_id.0,
            vehicle_id: s.vehicle_id,
            status,
            due_key,
            email_wanted: s.email_notifications,
            vars: Vars::from([
                ("vehicle", due.vehicle_name(s.vehicle_id)),
                ("vehicle_id", s.vehicle_id.to_string()),
                ("service", s.title.clone()),
                ("due", due_text(s.next_date, s.next_odometer, metric)),
                (
                    "due_date",
                    s.next_date.map(|d| d.to_string()).unwrap_or_default(),
                ),
                (
                    "due_odometer",
                    s.next_odometer.map(|o| o.to_string()).unwrap_or_default(),
                ),
                ("app_url", app_url.to_owned()),
            ]),
        });
    }
    for d in &due.documents {
        let doc = &d.document;
        let (template, status) = match d.status {
            ExpiryStatus::Expired => ("document_expired", "expired"),
            ExpiryStatus::Expiring => ("document_expiring", "expiring"),
        };
        reminders.push(Reminder {
            user_id: doc.user_id.clone(),
            log_kind: "document",
            template,
            subject_id: doc.id.0,
            vehicle_id: doc.vehicle_id,
            status,
            due_key: doc.expiration_date.to_string(),
            email_wanted: true,
            vars: Vars::from([
                ("vehicle", due.vehicle_name(doc.vehicle_id)),
                ("vehicle_id", doc.vehicle_id.to_string()),
                ("title", doc.title.clone()),
                ("document_type", doc.document_type.replace('_', " ")),
                ("expiration_date", doc.expiration_date.to_string()),
                ("days_left", d.days_left.max(0).to_string()),
                ("app_url", app_url.to_owned()),
            ]),
        });
    }
    let mut report = ReminderReport {
        checked: due.schedules.len() + due.documents.len(),
        reminded: 0,
        queued: 0,
        ran: true,
    };
    if reminders.is_empty() {
        return Ok(report);
    }
    let users: Vec<String> = reminders
        .iter()
        .map(|r| r.user_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let addresses = mvp_user_profile::notification_addresses(pool, &users).await?;
    let templates: HashMap<String, TemplateRow> = repo::templates(pool)
        .await?
        .into_iter()
        .map(|t| (t.key.clone(), t))
        .collect();
    for r in reminders {
        let Some(template) = templates.get(r.template) else {
            anyhow::bail!("the e-mail template {} is missing", r.template);
        };
        let rendered = match templates::render(&template.parts(), &r.vars) {
            Ok(rendered) => rendered,
            Err((field, message)) => {
                // An admin's edit broke the template since it was saved; the seeded wording is
                // not known here, so the reminder waits for a fix rather than going out empty.
                tracing::error!(template = r.template, field, %message, "an e-mail template does not render");
                continue;
            }
        };
        let today = due.day(&r.user_id).today;
        let settings = due.settings(&r.user_id);
        let mut tx = pool.begin().await?;
        if !repo::log_once(
            &mut tx,
            r.log_kind,
            &UserId(r.user_id.clone()),
            r.subject_id,
            r.status,
            &r.due_key,
            today,
        )
        .await?
        {
            continue;
        }
        let body = first_paragraph(&rendered.text);
        repo::insert_notification(
            &mut tx,
            &NewNotification {
                user_id: &r.user_id,
                kind: r.template,
                title: &rendered.subject,
                body: &body,
                vehicle_id: Some(r.vehicle_id),
                subject_id: Some(r.subject_id),
            },
        )
        .await?;
        let key = format!(
            "reminder:{}:{}:{}:{}",
            r.log_kind, r.subject_id, r.status, r.due_key
        );
        let email = addresses
            .get(&r.user_id)
            .filter(|_| settings.email_enabled && r.email_wanted);
        let webhook_body = serde_json::json!({
            "kind": r.template,
            "title": rendered.subject,
            "body": body,
            "vehicleId": r.vehicle_id,
            "subjectId": r.subject_id,
            "status": r.status,
            "createdAt": now,
        })
        .to_string();
        let queued = queue::enqueue_fanout(
            &mut tx,
            &Fanout {
                key: &key,
                user_id: &r.user_id,
                kind: r.template,
                subject: &rendered.subject,
                text: &rendered.text,
                html: &rendered.html,
                body: &body,
                webhook: &webhook_body,
                email: email.map(String::as_str),
                ntfy_url: settings.ntfy_url.as_deref(),
                webhook_url: settings.webhook_url.as_deref(),
                due_at: Some(now),
            },
        )
        .await?;
        report.queued += queued.len();
        tx.commit().await?;
        report.reminded += 1;
    }
    tracing::info!(
        checked = report.checked,
        reminded = report.reminded,
        queued = report.queued,
        "maintenance and document reminders"
    );
    Ok(report)
}

/// "on 2026-12-24 or at 45000 mi, whichever comes first".
pub fn due_text(date: Option<NaiveDate>, odometer: Option<i64>, metric: bool) -> String {
    let unit = if metric { "km" } else { "mi" };
    match (date, odometer) {
        (Some(d), Some(o)) => format!("on {d} or at {o} {unit}, whichever comes first"),
        (Some(d), None) => format!("on {d}"),
        (None, Some(o)) => format!("at {o} {unit}"),
        (None, None) => "now".to_owned(),
    }
}

/// The first paragraph of a text body (the in-app entry leaves out the link lines).
fn first_paragraph(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_text_names_what_comes_first() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 24);
        assert_eq!(
            due_text(d, Some(45_000), false),
            "on 2026-12-24 or at 45000 mi, whichever comes first"
        );
        assert_eq!(due_text(None, Some(8000), true), "at 8000 km");
        assert_eq!(due_text(d, None, true), "on 2026-12-24");
    }

    #[test]
    fn the_first_paragraph_leaves_the_link_out() {
        assert_eq!(
            first_paragraph("Oil on Civic is due.\n\nSee: https://x/vehicles/1\n"),
            "Oil on Civic is due."
        );
    }
}
