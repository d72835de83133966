//! Bodies of `/api/platform/*`: catalog entries and VIN decoding.

use serde::{Deserialize, Serialize};

/// One entry of a cascade level (make, model, trim, engine or transmission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CatalogItem {
    pub id: i32,
    pub name: String,
}

/// `GET /api/platform/vin/{vin}`. Fields the data does not know are null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VinDecode {
    pub vin: String,
    pub valid: bool,
    pub year: Option<i32>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub trim: Option<String>,
    pub engine: Option<String>,
    pub body_class: Option<String>,
    pub fuel_type: Option<String>,
    pub manufacturer: Option<String>,
    pub plant_country: Option<String>,
}
