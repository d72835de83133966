//! Bodies of `/api/fuel-logs` and `/api/vehicles/{id}/fuel-stats`. Quantities are in the user's unit
//! system; money and fuel are exact decimals.

use crate::ids::{FuelLogId, VehicleId};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Fuel types of a fill-up.
pub const FILL_FUEL_TYPES: &[&str] = &[
    "gasoline", "diesel", "e85", "electric", "lpg", "cng", "hydrogen",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FuelLog {
    pub id: FuelLogId,
    pub vehicle_id: VehicleId,
    pub date_time: DateTime<Utc>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub odometer_reading: Option<Decimal>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub trip_distance: Option<Decimal>,
    pub fuel_type: String,
    pub fuel_grade: Option<String>,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub fuel_units: Decimal,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub cost_per_unit: Decimal,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub total_cost: Decimal,
    pub full_fill: bool,
    pub missed_previous: bool,
    pub station_id: Option<String>,
    /// The station `stationId` names, when this user can see it (a saved, community or Google
    /// station); null for none or a reference kept from before stations existed.
    #[serde(default)]
    pub station: Option<crate::station::StationRef>,
    pub location_name: Option<String>,
    pub notes: Option<String>,
    /// Economy of the interval this full fill closes, in `efficiencyUnit`.
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub efficiency: Option<Decimal>,
    pub efficiency_unit: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::input_struct! {
    /// `POST /api/fuel-logs` and `PUT /api/fuel-logs/{id}`. Read-only fields are accepted and ignored.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct FuelLogInput {
        echo: [id, created_at, updated_at, efficiency, efficiency_unit, station],
        pub vehicle_id: Option<VehicleId>,
        pub date_time: Option<DateTime<Utc>>,
        #[serde(default)]
        #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
        pub odometer_reading: Option<Decimal>,
        #[serde(default)]
        #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
        pub trip_distance: Option<Decimal>,
        #[serde(default)]
        pub fuel_type: Option<String>,
        #[serde(default)]
        pub fuel_grade: Option<String>,
        #[serde(default)]
        #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
        pub fuel_units: Option<Decimal>,
        #[serde(default)]
        #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
        pub cost_per_unit: Option<Decimal>,
        #[serde(default)]
        #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
        pub total_cost: Option<Decimal>,
        #[serde(default)]
        pub full_fill: Option<bool>,
        #[serde(default)]
        pub missed_previous: Option<bool>,
        #[serde(default)]
        pub station_id: Option<String>,
        #[serde(default)]
        pub location_name: Option<String>,
        #[serde(default)]
        pub notes: Option<String>,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MonthlyFuel {
    /// `YYYY-MM`.
    pub month: String,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub total_cost: Decimal,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub fuel_units: Decimal,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub distance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FuelStats {
    pub log_count: i64,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub total_cost: Decimal,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub total_fuel_units: Decimal,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub total_distance: Decimal,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub average_efficiency: Option<Decimal>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub last_efficiency: Option<Decimal>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub cost_per_distance: Option<Decimal>,
    pub efficiency_unit: String,
    pub distance_unit: String,
    pub volume_unit: String,
    pub currency: String,
    pub monthly: Vec<MonthlyFuel>,
}
