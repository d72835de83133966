//! `GET /api/stations/search` parameters: a point (latitude and longitude together), a radius and a
//! text, each checked and named when wrong.

use mvp_types::FieldError;
use mvp_types::limits as l;

use mvp_types::Invalid;

use super::{Point, coordinate};

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
        Invalid::or(
            details,
            Self {
                center,
                radius,
                query,
            },
        )
    }

    /// Whether `point` is a result of this search by place (every point is, without a center).
    pub fn within(&self, point: Point) -> Option<f64> {
        self.center.map(|c| c.distance_to(point))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::fields;

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
}
