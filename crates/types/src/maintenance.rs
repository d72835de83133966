//! Bodies of `/api/maintenance/*` (API.md "Maintenance").

use crate::ids::{DocumentId, RecordId, ScheduleId, VehicleId};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceRecord {
    pub id: RecordId,
    pub vehicle_id: VehicleId,
    pub date: NaiveDate,
    pub odometer_reading: Option<i64>,
    pub category: String,
    pub subtypes: Vec<String>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub cost: Option<Decimal>,
    pub shop_name: Option<String>,
    pub notes: Option<String>,
    pub document_ids: Vec<DocumentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::input_struct! {
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct RecordInput {
        echo: [id, created_at, updated_at],
        pub vehicle_id: Option<VehicleId>,
        pub date: Option<NaiveDate>,
        #[serde(default, deserialize_with = "crate::whole::option")]
        pub odometer_reading: Option<i64>,
        pub category: Option<String>,
        #[serde(default)]
        pub subtypes: Vec<String>,
        #[serde(default)]
        #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
        pub cost: Option<Decimal>,
        #[serde(default)]
        pub shop_name: Option<String>,
        #[serde(default)]
        pub notes: Option<String>,
        #[serde(default)]
        pub document_ids: Vec<DocumentId>,
    }
}

/// Where a schedule stands: nothing due yet, due within its reminder window, or past due. Ordered by
/// urgency (`Ok` < `DueSoon` < `Overdue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScheduleStatus {
    Ok,
    DueSoon,
    Overdue,
}

impl ScheduleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceSchedule {
    pub id: ScheduleId,
    pub vehicle_id: VehicleId,
    pub category: String,
    pub subtypes: Vec<String>,
    pub interval_months: Option<i32>,
    pub interval_distance: Option<i64>,
    pub last_service_date: Option<NaiveDate>,
    pub last_service_odometer: Option<i64>,
    pub next_due_date: Option<NaiveDate>,
    pub next_due_odometer: Option<i64>,
    pub status: ScheduleStatus,
    pub email_notifications: bool,
    pub reminder_days_before: Vec<i32>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::input_struct! {
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct ScheduleInput {
        echo: [id, created_at, updated_at, next_due_date, next_due_odometer, status],
        pub vehicle_id: Option<VehicleId>,
        pub category: Option<String>,
        #[serde(default)]
        pub subtypes: Vec<String>,
        #[serde(default, deserialize_with = "crate::whole::option")]
        pub interval_months: Option<i32>,
        #[serde(default, deserialize_with = "crate::whole::option")]
        pub interval_distance: Option<i64>,
        #[serde(default)]
        pub last_service_date: Option<NaiveDate>,
        #[serde(default, deserialize_with = "crate::whole::option")]
        pub last_service_odometer: Option<i64>,
        #[serde(default)]
        pub email_notifications: Option<bool>,
        #[serde(default, deserialize_with = "crate::whole::option_vec")]
        pub reminder_days_before: Option<Vec<i32>>,
        #[serde(default)]
        pub is_active: Option<bool>,
    }
}

/// `POST /api/maintenance/schedules/templates/{key}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateRequest {
    pub vehicle_id: VehicleId,
}
