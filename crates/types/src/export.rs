//! Bodies of `/api/user/import` and `/api/user/account` (API.md "User, onboarding, terms, export").

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::VehicleId;

/// A line of the file that was not imported: its number (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportSkip {
    pub row: u64,
    pub reason: String,
}

/// A line as the importer read it (the wizard's preview), before units and vehicles are applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportPreviewRow {
    pub row: u64,
    /// `fuel` or `service`.
    pub kind: String,
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    /// The vehicle the file names (Fuelly, Fuelio); null for the one chosen.
    pub vehicle: Option<String>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub odometer: Option<Decimal>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub distance: Option<Decimal>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub quantity: Option<Decimal>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub unit_price: Option<Decimal>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub total: Option<Decimal>,
    pub full_fill: Option<bool>,
    pub missed_previous: Option<bool>,
    pub description: Option<String>,
    pub notes: Option<String>,
}

/// `POST /api/user/import` → 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub imported: u64,
    pub skipped: Vec<ImportSkip>,
    pub vehicles: Vec<VehicleId>,
    /// With `dryRun=true`: nothing was written; `imported` is what would be.
    pub dry_run: bool,
    /// The first lines as read (with `dryRun=true`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preview: Vec<ImportPreviewRow>,
    /// How the file's dates were read when the day and month could be either: `M/D/YYYY` or
    /// `D.M.YYYY`.
    pub date_order: Option<String>,
    pub decimal_comma: bool,
}

/// `DELETE /api/user/account` (local provider): the password, to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteAccountRequest {
    #[serde(default)]
    pub password: Option<String>,
}
