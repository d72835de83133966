//! Bodies of `/api/notifications*`, `/api/user/notification-settings`, `/api/user/calendar` and
//! `/api/admin/email-templates*` (API.md "Notifications").

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{DocumentId, NotificationId, ScheduleId, VehicleId};
use crate::maintenance::ScheduleStatus;

/// A due or overdue schedule, for the bell and the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DueMaintenance {
    pub vehicle_id: VehicleId,
    pub schedule_id: ScheduleId,
    /// What is due (the schedule's subtypes) on which vehicle.
    pub title: String,
    pub vehicle_name: String,
    pub status: ScheduleStatus,
    pub due_date: Option<NaiveDate>,
    pub due_odometer: Option<i64>,
}

/// Whether a document's expiry is near or past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpiryStatus {
    Expiring,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExpiringDocument {
    pub vehicle_id: VehicleId,
    pub document_id: DocumentId,
    pub title: String,
    pub vehicle_name: String,
    pub expiration_date: NaiveDate,
    pub status: ExpiryStatus,
}

/// `GET /api/notifications/summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NotificationSummary {
    pub maintenance: Vec<DueMaintenance>,
    pub documents: Vec<ExpiringDocument>,
    /// Unread entries of the notification centre.
    pub unread: i64,
}

/// An entry of the notification centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: NotificationId,
    /// maintenance_due_soon, maintenance_overdue, document_expiring, document_expired, test_message.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub vehicle_id: Option<VehicleId>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// `POST /api/notifications/read-all`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MarkedRead {
    pub marked: i64,
}

/// `GET /api/user/notification-settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    /// E-mail reminders on or off.
    pub email: bool,
    /// An ntfy topic URL (`https://ntfy.sh/my-topic`).
    pub ntfy_url: Option<String>,
    /// A URL that receives each reminder as a signed JSON POST.
    pub webhook_url: Option<String>,
    /// The HMAC-SHA256 key of the webhook's `X-MVP-Signature` header (made when a webhook is set).
    pub webhook_secret: Option<String>,
    /// How many days before a date a reminder counts as due soon (documents; schedules without
    /// their own reminder days).
    pub due_soon_days: i32,
    /// Where e-mail goes: the profile's notification address, else the sign-in one.
    pub email_address: Option<String>,
}

crate::input_struct! {
    /// `PUT /api/user/notification-settings`: the representation `GET` returns.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct UpdateNotificationSettings {
        echo: [webhook_secret, email_address],
        pub email: Option<bool>,
        /// "" clears it; absent or null keeps it.
        pub ntfy_url: Option<String>,
        /// "" clears it; absent or null keeps it.
        pub webhook_url: Option<String>,
        #[serde(default, deserialize_with = "crate::whole::option")]
        pub due_soon_days: Option<i64>,
        /// true: make a new webhook key.
        pub rotate_webhook_secret: Option<bool>,
    }
}

/// `POST /api/user/notification-settings/test`: what was queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TestMessage {
    /// The channels a test message was sent to (email, ntfy, webhook).
    pub channels: Vec<String>,
}

/// `GET /api/user/calendar`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CalendarFeed {
    /// The secret feed address; anyone with it can read the feed until it is rotated.
    pub url: String,
}

/// An e-mail template (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmailTemplate {
    pub key: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// The variables this template may use.
    pub variables: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

crate::input_struct! {
    /// `PUT /api/admin/email-templates/{key}` (and the body of a preview of unsaved changes).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct UpdateEmailTemplate {
        echo: [key, variables, updated_at],
        pub subject: Option<String>,
        pub text_body: Option<String>,
        pub html_body: Option<String>,
    }
}

/// `POST /api/admin/email-templates/{key}/preview`: the template rendered with sample data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmailPreview {
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}
