//! Bodies of `/api/stations*` (API.md "Stations"): search results, saved stations, community
//! reports and pump prices. Coordinates are WGS 84 degrees; prices are exact decimals per unit of
//! fuel as the pump shows it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::CommunityStationId;

/// The fuel types a station sells and a price can be reported for.
pub const STATION_FUEL_TYPES: &[&str] = &[
    "regular", "midgrade", "premium", "diesel", "e85", "lpg", "cng", "electric", "hydrogen",
];

/// Where a station comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "server", sqlx(type_name = "text", rename_all = "lowercase"))]
#[serde(rename_all = "lowercase")]
pub enum StationSource {
    /// Google Places (`placeId` is Google's place id).
    Google,
    /// Reported by a user (`placeId` is the community station's UUID).
    Community,
}

impl StationSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Community => "community",
        }
    }

    /// The source a `placeId` names: a UUID is a community station, anything else a Google place.
    pub fn of(place_id: &str) -> Self {
        if uuid::Uuid::parse_str(place_id).is_ok() {
            Self::Community
        } else {
            Self::Google
        }
    }
}

/// The latest price reported for one fuel type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StationPrice {
    pub fuel_type: String,
    #[cfg_attr(feature = "server", schema(value_type = f64))]
    pub price: Decimal,
    pub reported_at: DateTime<Utc>,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Station {
    pub place_id: String,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Great-circle distance from the searched point; null when the search had no point.
    pub distance_meters: Option<f64>,
    pub source: StationSource,
    pub is_saved: bool,
    /// Saved and marked favourite by this user.
    #[serde(default)]
    pub is_favorite: bool,
    /// This user's nickname for a saved station.
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    /// A community station this user reported that is not approved yet (only its reporter sees it).
    #[serde(default)]
    pub pending: bool,
    /// The latest report per fuel type.
    pub prices: Vec<StationPrice>,
}

/// A station a user keeps (`GET /api/stations/saved`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SavedStation {
    pub place_id: String,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub nickname: Option<String>,
    pub notes: Option<String>,
    pub is_favorite: bool,
    pub source: StationSource,
    pub prices: Vec<StationPrice>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::input_struct! {
    /// `POST /api/stations/saved` and `PUT /api/stations/saved/{placeId}` (whose path names the
    /// station: a `placeId` in the body is ignored there).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct SavedStationInput {
        echo: [source, prices, created_at, updated_at, distance_meters, is_saved, brand, pending],
        #[serde(default)]
        pub place_id: Option<String>,
        #[serde(default)]
        pub name: Option<String>,
        #[serde(default)]
        pub address: Option<String>,
        #[serde(default)]
        pub latitude: Option<f64>,
        #[serde(default)]
        pub longitude: Option<f64>,
        #[serde(default)]
        pub nickname: Option<String>,
        #[serde(default)]
        pub notes: Option<String>,
        #[serde(default)]
        pub is_favorite: Option<bool>,
    }
}

/// Where a community report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "server", sqlx(type_name = "text", rename_all = "lowercase"))]
#[serde(rename_all = "lowercase")]
pub enum CommunityStatus {
    Pending,
    Approved,
    Rejected,
}

impl CommunityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

/// `POST /api/stations/community`: a user reports a station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommunityStationInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub fuel_types: Option<Vec<String>>,
}

/// A reported station, as its reporter sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CommunityStation {
    pub id: CommunityStationId,
    /// The id fuel logs and saved stations use for it (the `id` as text).
    pub place_id: String,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub brand: Option<String>,
    pub fuel_types: Vec<String>,
    pub status: CommunityStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// `POST /api/stations/community/{id}/prices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceReportInput {
    #[serde(default)]
    pub fuel_type: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub price: Option<Decimal>,
}

/// The station a fill-up names (`FuelLog.station`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StationRef {
    pub place_id: String,
    pub name: String,
    pub address: String,
}
