//! The vehicle as API.md describes it, and the body `POST`/`PUT` take.

use crate::ids::VehicleId;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Fuel types a vehicle (and a fill-up) can have.
pub const FUEL_TYPES: &[&str] = &[
    "gasoline", "diesel", "e85", "electric", "hybrid", "lpg", "cng", "hydrogen",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Vehicle {
    pub id: VehicleId,
    pub vin: Option<String>,
    pub year: i32,
    pub make: String,
    pub model: String,
    pub trim_level: Option<String>,
    pub engine: Option<String>,
    pub transmission: Option<String>,
    pub drive_type: Option<String>,
    pub fuel_type: Option<String>,
    pub nickname: Option<String>,
    pub color: Option<String>,
    pub license_plate: Option<String>,
    pub odometer_reading: i64,
    pub purchase_date: Option<NaiveDate>,
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub purchase_price: Option<Decimal>,
    pub notes: Option<String>,
    pub has_image: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::input_struct! {
    /// `POST /api/vehicles` and `PUT /api/vehicles/{id}`: the representation `GET` returns (read-only
    /// fields are accepted and ignored), plus `odometerCorrection` to allow lowering the odometer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct VehicleInput {
        echo: [id, created_at, updated_at, has_image],
        #[serde(default)]
        pub vin: Option<String>,
        #[serde(default, deserialize_with = "crate::whole::option")]
        pub year: Option<i32>,
        #[serde(default)]
        pub make: Option<String>,
        #[serde(default)]
        pub model: Option<String>,
        #[serde(default)]
        pub trim_level: Option<String>,
        #[serde(default)]
        pub engine: Option<String>,
        #[serde(default)]
        pub transmission: Option<String>,
        #[serde(default)]
        pub drive_type: Option<String>,
        #[serde(default)]
        pub fuel_type: Option<String>,
        #[serde(default)]
        pub nickname: Option<String>,
        #[serde(default)]
        pub color: Option<String>,
        #[serde(default)]
        pub license_plate: Option<String>,
        #[serde(default, deserialize_with = "crate::whole::option")]
        pub odometer_reading: Option<i64>,
        #[serde(default)]
        pub purchase_date: Option<NaiveDate>,
        #[serde(default)]
        #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
        pub purchase_price: Option<Decimal>,
        #[serde(default)]
        pub notes: Option<String>,
        /// Allows an update to lower the odometer (fixing a typo).
        #[serde(default)]
        pub odometer_correction: bool,
    }
}
