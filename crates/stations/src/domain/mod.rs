//! Rules of the stations capsule: the search parameters, a saved station, a community report and a
//! price report parsed from their inputs, each broken rule a [`FieldError`] naming the field
//! ([`Invalid`], a 400 at the edge: api.rs). The geometry is in geo.rs.

use mvp_core::validate::single_line_text;
use mvp_types::limits as l;
use mvp_types::station::{
    CommunityStationInput, PriceReportInput, STATION_FUEL_TYPES, SavedStationInput, StationSource,
};
use mvp_types::{FieldError, Invalid};
use rust_decimal::Decimal;

pub use crate::geo::Point;
pub use search::{Search, SearchParams};

mod search;

/// Two reports of the same name closer than this are the same station (409).
pub const SAME_STATION_M: f64 = 30.0;

pub(crate) fn coordinate(
    details: &mut Vec<FieldError>,
    field: &str,
    value: Option<f64>,
    bound: f64,
) -> Option<f64> {
    match value {
        None => {
            details.push(FieldError::new(field, "is required"));
            None
        }
        Some(v) if !v.is_finite() || v.abs() > bound => {
            details.push(FieldError::new(
                field,
                format!("must be from -{bound} to {bound}"),
            ));
            None
        }
        Some(v) => Some(v),
    }
}

/// A saved station, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSaved {
    pub place_id: String,
    pub source: StationSource,
    pub name: String,
    pub address: String,
    pub point: Point,
    pub nickname: Option<String>,
    pub notes: Option<String>,
    pub is_favorite: bool,
}

/// A `placeId`: one line, 1–200 characters.
pub fn place_id(details: &mut Vec<FieldError>, value: Option<String>) -> Option<String> {
    let id = single_line_text(details, "placeId", value, l::STATION_ID_MAX);
    if id.is_none() {
        details.push(FieldError::new("placeId", "is required"));
    }
    id
}

impl NewSaved {
    /// `path_id` is the station of a `PUT` (the body must still carry a `placeId`; the path's wins).
    pub fn parse(input: SavedStationInput, path_id: Option<&str>) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        // The body carries the `placeId` (the representation GET returns); on a PUT the path's wins.
        let place_id = place_id(&mut details, input.place_id).map(|id| match path_id {
            Some(path) => path.to_owned(),
            None => id,
        });
        let name = single_line_text(&mut details, "name", input.name, l::STATION_NAME_MAX);
        if name.is_none() {
            details.push(FieldError::new("name", "is required"));
        }
        let address = single_line_text(
            &mut details,
            "address",
            input.address,
            l::STATION_ADDRESS_MAX,
        );
        let latitude = coordinate(&mut details, "latitude", input.latitude, 90.0);
        let longitude = coordinate(&mut details, "longitude", input.longitude, 180.0);
        let nickname = single_line_text(&mut details, "nickname", input.nickname, l::NAME_MAX);
        let notes = mvp_core::validate::optional_text(
            &mut details,
            "notes",
            input.notes,
            l::FUEL_NOTES_MAX,
        );
        let (Some(place_id), Some(name), Some(latitude), Some(longitude)) =
            (place_id, name, latitude, longitude)
        else {
            return Err(Invalid(details));
        };
        Invalid::or(
            details,
            Self {
                source: StationSource::of(&place_id),
                place_id,
                name,
                address: address.unwrap_or_default(),
                point: Point {
                    latitude,
                    longitude,
                },
                nickname,
                notes,
                is_favorite: input.is_favorite.unwrap_or(false),
            },
        )
    }
}

/// A community report, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCommunity {
    pub name: String,
    pub address: String,
    pub point: Point,
    pub brand: Option<String>,
    pub fuel_types: Vec<String>,
}

fn fuel_type_ok(value: &str) -> bool {
    STATION_FUEL_TYPES.contains(&value)
}

impl NewCommunity {
    pub fn parse(input: CommunityStationInput) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        let name = single_line_text(&mut details, "name", input.name, l::STATION_NAME_MAX);
        let address = single_line_text(
            &mut details,
            "address",
            input.address,
            l::STATION_ADDRESS_MAX,
        );
        for (field, value) in [("name", &name), ("address", &address)] {
            if value.is_none() {
                details.push(FieldError::new(field, "is required"));
            }
        }
        let latitude = coordinate(&mut details, "latitude", input.latitude, 90.0);
        let longitude = coordinate(&mut details, "longitude", input.longitude, 180.0);
        let brand = single_line_text(&mut details, "brand", input.brand, l::STATION_NAME_MAX);
        let mut fuel_types: Vec<String> = Vec::new();
        let sent = input.fuel_types.unwrap_or_default();
        if sent.len() > l::STATION_FUEL_TYPES_MAX {
            details.push(FieldError::new(
                "fuelTypes",
                format!("at most {} fuel types", l::STATION_FUEL_TYPES_MAX),
            ));
        }
        for fuel in sent {
            let fuel = fuel.trim().to_ascii_lowercase();
            if !fuel_type_ok(&fuel) {
                details.push(FieldError::new(
                    "fuelTypes",
                    format!("{fuel:?} is not one of {}", STATION_FUEL_TYPES.join(", ")),
                ));
            } else if !fuel_types.contains(&fuel) {
                fuel_types.push(fuel);
            }
        }
        let (Some(name), Some(address), Some(latitude), Some(longitude)) =
            (name, address, latitude, longitude)
        else {
            return Err(Invalid(details));
        };
        Invalid::or(
            details,
            Self {
                name,
                address,
                point: Point {
                    latitude,
                    longitude,
                },
                brand,
                fuel_types,
            },
        )
    }
}

/// A price report, checked against the configured ceiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPrice {
    pub fuel_type: String,
    pub price: Decimal,
}

impl NewPrice {
    pub fn parse(input: PriceReportInput, ceiling: u32) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        let fuel_type = input.fuel_type.map(|f| f.trim().to_ascii_lowercase());
        match &fuel_type {
            None => details.push(FieldError::new("fuelType", "is required")),
            Some(f) if !fuel_type_ok(f) => details.push(FieldError::new(
                "fuelType",
                format!("must be one of {}", STATION_FUEL_TYPES.join(", ")),
            )),
            Some(_) => {}
        }
        match input.price {
            None => details.push(FieldError::new("price", "is required")),
            Some(p) if p <= Decimal::ZERO || p >= Decimal::from(ceiling) => {
                details.push(FieldError::new(
                    "price",
                    format!("must be above 0 and below {ceiling}"),
                ));
            }
            Some(p) if p.normalize().scale() > l::STATION_PRICE_DP => {
                details.push(FieldError::new(
                    "price",
                    format!("at most {} decimal places", l::STATION_PRICE_DP),
                ));
            }
            Some(_) => {}
        }
        match (fuel_type, input.price) {
            (Some(fuel_type), Some(price)) if details.is_empty() => Ok(Self {
                fuel_type,
                price: price.normalize(),
            }),
            _ => Err(Invalid(details)),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn fields(result: Result<impl std::fmt::Debug, Invalid>) -> Vec<String> {
        match result {
            Ok(v) => panic!("expected errors, got {v:?}"),
            Err(Invalid(d)) => d.into_iter().map(|d| d.field).collect(),
        }
    }

    #[test]
    fn prices_are_bounded_and_exact() {
        let price = |f: &str, p: &str| PriceReportInput {
            fuel_type: Some(f.to_owned()),
            price: p.parse().ok(),
        };
        assert_eq!(
            fields(NewPrice::parse(price("regular", "0"), 100)),
            ["price"]
        );
        assert_eq!(
            fields(NewPrice::parse(price("regular", "100"), 100)),
            ["price"]
        );
        assert_eq!(
            fields(NewPrice::parse(price("regular", "1.2345"), 100)),
            ["price"]
        );
        assert_eq!(
            fields(NewPrice::parse(price("kerosene", "1.5"), 100)),
            ["fuelType"]
        );
        let ok = NewPrice::parse(price(" Diesel ", "1.790"), 100).ok();
        assert_eq!(
            ok.map(|p| (p.fuel_type, p.price.to_string())),
            Some(("diesel".into(), "1.79".into()))
        );
    }

    #[test]
    fn a_community_report_needs_a_place_and_known_fuels() {
        let input = CommunityStationInput {
            name: Some("Corner Fuel".into()),
            address: Some("1 Main St".into()),
            latitude: Some(40.0),
            longitude: Some(-75.0),
            brand: None,
            fuel_types: Some(vec!["regular".into(), "Regular".into(), "diesel".into()]),
        };
        let ok = NewCommunity::parse(input.clone()).ok();
        assert_eq!(
            ok.map(|c| c.fuel_types),
            Some(vec!["regular".into(), "diesel".into()])
        );
        let bad = CommunityStationInput {
            name: None,
            latitude: Some(100.0),
            fuel_types: Some(vec!["jet".into()]),
            ..input
        };
        assert_eq!(
            fields(NewCommunity::parse(bad)),
            ["name", "latitude", "fuelTypes"]
        );
    }
}
