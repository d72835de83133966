//! Rules of the stations capsule: the search parameters, a saved station, a community report and a
//! price report parsed from their inputs (each broken rule a [`FieldError`] naming the field, turned
//! into a 400 at the edge), and the geometry: great-circle distance and the bounding boxes a search
//! filters on before it measures.

use mvp_core::validate::single_line_text;
use mvp_types::FieldError;
use mvp_types::limits as l;
use mvp_types::station::{
    CommunityStationInput, PriceReportInput, STATION_FUEL_TYPES, SavedStationInput, StationSource,
};
use rust_decimal::Decimal;

/// The mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Two reports of the same name closer than this are the same station (409).
pub const SAME_STATION_M: f64 = 30.0;

/// Broken rules, each naming its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

impl From<Invalid> for mvp_core::AppError {
    fn from(invalid: Invalid) -> Self {
        Self::validation_many(invalid.0)
    }
}

fn done<T>(value: T, details: Vec<FieldError>) -> Result<T, Invalid> {
    if details.is_empty() {
        Ok(value)
    } else {
        Err(Invalid(details))
    }
}

/// A point on the map, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

impl Point {
    /// Haversine distance in metres.
    pub fn distance_to(self, other: Point) -> f64 {
        let (p1, p2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dp = p2 - p1;
        let dl = (other.longitude - self.longitude).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    /// The boxes `(lon_min, lat_min, lon_max, lat_max)` that hold every point within `radius`
    /// metres: one box, or two where the circle crosses the antimeridian (the second then repeats
    /// the first when not needed). A circle that reaches a pole takes every longitude.
    pub fn bounding_boxes(self, radius: f64) -> [[f64; 4]; 2] {
        let dlat = (radius / EARTH_RADIUS_M).to_degrees();
        let lat_min = (self.latitude - dlat).max(-90.0);
        let lat_max = (self.latitude + dlat).min(90.0);
        let widest = self.latitude.abs() + dlat;
        if widest >= 90.0 {
            let all = [-180.0, lat_min, 180.0, lat_max];
            return [all, all];
        }
        // The widest longitude span is at the latitude farthest from the equator.
        let dlon = (radius / (EARTH_RADIUS_M * widest.to_radians().cos()))
            .to_degrees()
            .min(180.0);
        let (west, east) = (self.longitude - dlon, self.longitude + dlon);
        if west < -180.0 {
            [
                [-180.0, lat_min, east, lat_max],
                [west + 360.0, lat_min, 180.0, lat_max],
            ]
        } else if east > 180.0 {
            [
                [west, lat_min, 180.0, lat_max],
                [-180.0, lat_min, east - 360.0, lat_max],
            ]
        } else {
            let one = [west, lat_min, east, lat_max];
            [one, one]
        }
    }
}

fn coordinate(
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

fn parse_number(details: &mut Vec<FieldError>, field: &str, raw: Option<&str>) -> Option<f64> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            details.push(FieldError::new(field, format!("{raw:?} is not a number")));
            None
        }
    }
}

/// `GET /api/stations/search` parameters, as sent.
#[derive(Debug, Clone, Default)]
pub struct SearchParams<'a> {
    pub latitude: Option<&'a str>,
    pub longitude: Option<&'a str>,
    pub radius: Option<&'a str>,
    pub query: Option<&'a str>,
}

/// A search: around a point, for a text, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub center: Option<Point>,
    /// Metres.
    pub radius: u32,
    /// Trimmed, inner whitespace collapsed.
    pub query: Option<String>,
}

impl Search {
    pub fn parse(params: &SearchParams<'_>) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        let latitude = parse_number(&mut details, "latitude", params.latitude);
        let longitude = parse_number(&mut details, "longitude", params.longitude);
        let center = match (params.latitude.is_some(), params.longitude.is_some()) {
            (false, false) => None,
            _ if !details.is_empty() => None,
            _ => {
                let lat = coordinate(&mut details, "latitude", latitude, 90.0);
                let lon = coordinate(&mut details, "longitude", longitude, 180.0);
                lat.zip(lon).map(|(latitude, longitude)| Point {
                    latitude,
                    longitude,
                })
            }
        };
        let radius = match params.radius.map(str::trim).filter(|r| !r.is_empty()) {
            None => l::STATION_RADIUS_DEFAULT,
            Some(raw) => match raw.parse::<f64>() {
                Ok(r) if r > 0.0 && r <= f64::from(l::STATION_RADIUS_MAX) => r.ceil() as u32,
                Ok(_) => {
                    details.push(FieldError::new(
                        "radius",
                        format!(
                            "must be above 0 and at most {} metres",
                            l::STATION_RADIUS_MAX
                        ),
                    ));
                    0
                }
                Err(_) => {
                    details.push(FieldError::new(
                        "radius",
                        format!("{raw:?} is not a number"),
                    ));
                    0
                }
            },
        };
        if params
            .query
            .is_some_and(|q| q.chars().any(char::is_control))
        {
            details.push(FieldError::new(
                "query",
                "must be one line, without control characters",
            ));
        }
        let query = params
            .query
            .map(|q| {
                q.split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|q| !q.is_empty());
        if query
            .as_ref()
            .is_some_and(|q| q.chars().count() > l::STATION_QUERY_MAX)
        {
            details.push(FieldError::new(
                "query",
                format!("at most {} characters", l::STATION_QUERY_MAX),
            ));
        }
        if center.is_none() && query.is_none() && details.is_empty() {
            details.push(FieldError::new(
                "latitude",
                "latitude and longitude, or a query, are required",
            ));
        }
        done(
            Self {
                center,
                radius,
                query,
            },
            details,
        )
    }

    /// Whether `point` is a result of this search by place (every point is, without a center).
    pub fn within(&self, point: Point) -> Option<f64> {
        self.center.map(|c| c.distance_to(point))
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
        done(
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
            details,
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
        done(
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
            details,
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
mod tests {
    use super::*;

    fn fields(result: Result<impl std::fmt::Debug, Invalid>) -> Vec<String> {
        match result {
            Ok(v) => panic!("expected errors, got {v:?}"),
            Err(Invalid(d)) => d.into_iter().map(|d| d.field).collect(),
        }
    }

    #[test]
    fn distances_match_known_ones() {
        // Berlin Hauptbahnhof → Brandenburger Tor: about 1.17 km.
        let a = Point {
            latitude: 52.5251,
            longitude: 13.3694,
        };
        let b = Point {
            latitude: 52.5163,
            longitude: 13.3777,
        };
        let d = a.distance_to(b);
        assert!((1_100.0..1_200.0).contains(&d), "{d}");
        assert!(a.distance_to(a).abs() < 1e-9);
        // A quarter of the equator.
        let q = Point {
            latitude: 0.0,
            longitude: 0.0,
        }
        .distance_to(Point {
            latitude: 0.0,
            longitude: 90.0,
        });
        assert!((q - EARTH_RADIUS_M * std::f64::consts::FRAC_PI_2).abs() < 1e-6);
    }

    #[test]
    fn a_bounding_box_holds_the_whole_circle() {
        for (lat, lon) in [(52.5, 13.4), (-33.9, 151.2), (64.1, -21.9), (0.0, 179.99)] {
            let c = Point {
                latitude: lat,
                longitude: lon,
            };
            let boxes = c.bounding_boxes(5_000.0);
            for step in 0..360 {
                let bearing = f64::from(step).to_radians();
                // A point 4,999 m away on this bearing (flat approximation is fine at 5 km).
                let dlat = (4_999.0 * bearing.cos() / EARTH_RADIUS_M).to_degrees();
                let dlon = (4_999.0 * bearing.sin()
                    / (EARTH_RADIUS_M * (lat + dlat).to_radians().cos()))
                .to_degrees();
                let mut p_lon = lon + dlon;
                if p_lon > 180.0 {
                    p_lon -= 360.0;
                }
                let (p_lat, p_lon) = (lat + dlat, p_lon);
                let inside = boxes
                    .iter()
                    .any(|b| (b[0]..=b[2]).contains(&p_lon) && (b[1]..=b[3]).contains(&p_lat));
                assert!(inside, "({p_lat}, {p_lon}) escapes {boxes:?}");
            }
        }
        let pole = Point {
            latitude: 89.99,
            longitude: 0.0,
        }
        .bounding_boxes(5_000.0);
        assert_eq!((pole[0][0], pole[0][2]), (-180.0, 180.0));
    }

    #[test]
    fn search_parameters_name_the_bad_field() {
        let p = |lat, lon, radius, query| SearchParams {
            latitude: lat,
            longitude: lon,
            radius,
            query,
        };
        assert_eq!(
            fields(Search::parse(&p(Some("91"), Some("0"), None, None))),
            ["latitude"]
        );
        assert_eq!(
            fields(Search::parse(&p(Some("1"), Some("-180.5"), None, None))),
            ["longitude"]
        );
        assert_eq!(
            fields(Search::parse(&p(Some("1"), Some("1"), Some("0"), None))),
            ["radius"]
        );
        assert_eq!(
            fields(Search::parse(&p(Some("1"), Some("1"), Some("50001"), None))),
            ["radius"]
        );
        let long = "x".repeat(201);
        assert_eq!(
            fields(Search::parse(&p(None, None, None, Some(&long)))),
            ["query"]
        );
        assert_eq!(
            fields(Search::parse(&p(Some("1"), None, None, None))),
            ["longitude"]
        );
        assert_eq!(
            fields(Search::parse(&p(Some("NaN"), Some("1"), None, None))),
            ["latitude"]
        );
        assert_eq!(
            fields(Search::parse(&p(None, None, None, None))),
            ["latitude"]
        );
        let ok = Search::parse(&p(
            Some("52.5"),
            Some("13.4"),
            None,
            Some("  Shell   Main "),
        ))
        .ok();
        assert_eq!(
            ok.as_ref().map(|s| s.radius),
            Some(l::STATION_RADIUS_DEFAULT)
        );
        assert_eq!(ok.and_then(|s| s.query), Some("Shell Main".to_owned()));
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
