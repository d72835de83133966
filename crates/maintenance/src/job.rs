//! The reminder job: finds schedules that are due soon or overdue, and documents that expire within
//! 30 days or have expired, and reminds their owner once per crossing (a `notification_logs` row per
//! subject, status and due point; an e-mail to the outbox when the schedule asks for e-mail, and for
//! every expiring document whose owner has an address). It takes "today" as an argument so tests run it with a fixed
//! clock, and a Postgres advisory lock so only one replica runs it at a time.

use chrono::{NaiveDate, Utc};
use mvp_core::outbox::{self, OutboxMessage};
use mvp_types::ids::VehicleId;
use sqlx::PgPool;

use crate::domain::Status;
use crate::repo;
use crate::status::compute;

const LOCK_KEY: i64 = 0x006d_7670_5f72_656d; // "mvp_rem"

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    pub checked: usize,
    pub reminded: usize,
    /// `false` when another replica held the lock.
    pub ran: bool,
}

pub async fn run(
    pool: &PgPool,
    data_dir: &std::path::Path,
    today: NaiveDate,
) -> anyhow::Result<RunReport> {
    let ran =
        mvp_core::db::with_advisory_lock(pool, LOCK_KEY, remind(pool, data_dir, today)).await?;
    Ok(ran.unwrap_or_default())
}

/// Every active schedule on a live vehicle, with what its status needs: the current odometer (the
/// vehicle's, or its records' when higher), the owner's unit system and address — each asked of the
/// capsule that owns it.
struct DueCandidate {
    schedule: repo::ScheduleRow,
    current_odometer: Option<i64>,
    metric: bool,
    email: Option<String>,
}

async fn due_candidates(pool: &PgPool) -> anyhow::Result<Vec<DueCandidate>> {
    let active = repo::all_active_schedules(pool).await?;
    let vehicle_ids: Vec<VehicleId> = active.iter().map(|a| a.schedule.vehicle_id).collect();
    let vehicles = mvp_vehicles::live(pool, &vehicle_ids).await?;
    let mut users: Vec<String> = active.iter().map(|a| a.schedule.user_id.clone()).collect();
    users.sort();
    users.dedup();
    let metric = mvp_user_preferences::metric_users(pool, &users).await?;
    let addresses = mvp_user_profile::notification_addresses(pool, &users).await?;
    Ok(active
        .into_iter()
        .filter_map(|a| {
            let vehicle = vehicles
                .get(&a.schedule.vehicle_id)
                .filter(|v| v.user_id == a.schedule.user_id)?;
            let current_odometer = Some(
                a.records_odometer
                    .map_or(vehicle.odometer, |r| r.max(vehicle.odometer)),
            );
            Some(DueCandidate {
                current_odometer,
                metric: metric.contains(&a.schedule.user_id),
                email: addresses.get(&a.schedule.user_id).cloned(),
                schedule: a.schedule,
            })
        })
        .collect())
}

async fn remind(
    pool: &PgPool,
    data_dir: &std::path::Path,
    today: NaiveDate,
) -> anyhow::Result<RunReport> {
    let candidates = due_candidates(pool).await?;
    let mut report = RunReport {
        checked: candidates.len(),
        reminded: 0,
        ran: true,
    };
    for c in candidates {
        let due = compute(&c.schedule, today, c.current_odometer, c.metric);
        if due.status == Status::Ok {
            continue;
        }
        let due_key = format!(
            "{}|{}",
            due.next_date.map(|d| d.to_string()).unwrap_or_default(),
            due.next_odometer.map(|o| o.to_string()).unwrap_or_default()
        );
        let new = repo::log_reminder(
            pool,
            "maintenance",
            &c.schedule.user_id,
            c.schedule.id.0,
            due.status.as_str(),
            &due_key,
            today,
        )
        .await?;
        if !new {
            continue;
        }
        report.reminded += 1;
        if let (true, Some(email)) = (c.schedule.email_notifications, &c.email) {
            let what = c.schedule.subtypes.join(", ");
            let when = match (due.next_date, due.next_odometer) {
                (Some(d), Some(o)) => {
                    format!("on {d} or at {o} on the odometer, whichever comes first")
                }
                (Some(d), None) => format!("on {d}"),
                (None, Some(o)) => format!("at {o} on the odometer"),
                (None, None) => "now".to_owned(),
            };
            let state = if due.status == Status::Overdue {
                "is overdue"
            } else {
                "is due soon"
            };
            outbox::write(
                data_dir,
                &OutboxMessage {
                    kind: "maintenance_reminder".to_owned(),
                    to: email.clone(),
                    subject: format!("Maintenance {state}: {what}"),
                    text: format!("{what} {state}: due {when}.\n"),
                    created_at: Utc::now(),
                },
            )
            .await?;
        }
    }
    remind_documents(pool, data_dir, today, &mut report).await?;
    tracing::info!(
        checked = report.checked,
        reminded = report.reminded,
        "maintenance and document reminders"
    );
    Ok(report)
}

async fn remind_documents(
    pool: &PgPool,
    data_dir: &std::path::Path,
    today: NaiveDate,
    report: &mut RunReport,
) -> anyhow::Result<()> {
    let documents = mvp_documents::job::expiring(pool, today).await?;
    report.checked += documents.len();
    for d in documents {
        let expired = d.expiration_date < today;
        let status = if expired { "expired" } else { "expiring" };
        let due_key = d.expiration_date.to_string();
        if !repo::log_reminder(
            pool, "document", &d.user_id, d.id.0, status, &due_key, today,
        )
        .await?
        {
            continue;
        }
        report.reminded += 1;
        let Some(email) = &d.email else {
            continue;
        };
        let kind = d.document_type.replace('_', " ");
        let (subject, text) = if expired {
            (
                format!("Expired: {}", d.title),
                format!(
                    "Your {kind} document \"{}\" expired on {}.\n",
                    d.title, d.expiration_date
                ),
            )
        } else {
            (
                format!("Expiring soon: {}", d.title),
                format!(
                    "Your {kind} document \"{}\" expires on {} ({} days from now).\n",
                    d.title,
                    d.expiration_date,
                    (d.expiration_date - today).num_days()
                ),
            )
        };
        outbox::write(
            data_dir,
            &OutboxMessage {
                kind: "document_expiry".to_owned(),
                to: email.clone(),
                subject,
                text,
                created_at: Utc::now(),
            },
        )
        .await?;
    }
    Ok(())
}
