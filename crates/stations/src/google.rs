//! The Google Places API (New) client: `POST {base}/v1/places:searchNearby` (gas stations within a
//! circle) and `POST {base}/v1/places:searchText` (a query, biased to a circle), with the key in
//! `X-Goog-Api-Key` and the fields we read in `X-Goog-FieldMask`. Any answer that is not the
//! protocol's — a status other than 200, a body that does not parse, a place without an id, a name
//! or a valid location — is an error the caller treats as an outage.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The fields a search reads; Google bills by the fields asked for.
pub const FIELD_MASK: &str = "places.id,places.displayName,places.formattedAddress,places.location";

/// A place as Google lists it (and as the cache keeps it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub place_id: String,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// Why Google could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum PlacesError {
    #[error("the Places API answered {status} {reason}")]
    Status { status: u16, reason: String },
    #[error("the Places API did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the Places API could not be reached: {0}")]
    Transport(String),
    #[error("the Places API answered something that is not its protocol: {0}")]
    Malformed(String),
}

impl PlacesError {
    /// A short word for logs and health: `quota`, `key`, `timeout`, `down`, `malformed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Status { status: 429, .. } => "quota",
            Self::Status {
                status: 401 | 403, ..
            } => "key",
            Self::Status { .. } | Self::Transport(_) => "down",
            Self::Timeout(_) => "timeout",
            Self::Malformed(_) => "malformed",
        }
    }
}

/// A circle on the map, radius in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub latitude: f64,
    pub longitude: f64,
    pub radius: f64,
}

impl Circle {
    fn json(&self) -> serde_json::Value {
        json!({"circle": {
            "center": {"latitude": self.latitude, "longitude": self.longitude},
            "radius": self.radius,
        }})
    }
}

#[derive(Clone)]
pub struct Places {
    http: reqwest::Client,
    base_url: String,
    key: SecretString,
    timeout: Duration,
    max_results: u32,
}

impl std::fmt::Debug for Places {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Places")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Places {
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        key: SecretString,
        timeout: Duration,
        max_results: u32,
    ) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
            timeout,
            max_results,
        }
    }

    /// Gas stations within `circle`.
    #[tracing::instrument(skip_all, level = "debug")]
    pub async fn nearby(&self, circle: Circle) -> Result<Vec<Place>, PlacesError> {
        let body = json!({
            "includedTypes": ["gas_station"],
            "maxResultCount": self.max_results,
            "rankPreference": "DISTANCE",
            "locationRestriction": circle.json(),
        });
        self.post("places:searchNearby", &body).await
    }

    /// Gas stations matching `query`, near `bias` when given.
    #[tracing::instrument(skip_all, level = "debug")]
    pub async fn text(&self, query: &str, bias: Option<Circle>) -> Result<Vec<Place>, PlacesError> {
        let mut body = json!({
            "textQuery": query,
            "includedType": "gas_station",
            "pageSize": self.max_results,
        });
        if let Some(circle) = bias {
            body["locationBias"] = circle.json();
        }
        self.post("places:searchText", &body).await
    }

    async fn post(
        &self,
        method: &str,
        body: &serde_json::Value,
    ) -> Result<Vec<Place>, PlacesError> {
        let url = format!("{}/v1/{method}", self.base_url);
        let send = self
            .http
            .post(&url)
            .header("X-Goog-Api-Key", self.key.expose_secret())
            .header("X-Goog-FieldMask", FIELD_MASK)
            .json(body)
            .timeout(self.timeout)
            .send();
        let response = send.await.map_err(|e| self.transport(e))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        if status != 200 {
            return Err(PlacesError::Status {
                status,
                reason: error_status(&bytes),
            });
        }
        parse(&bytes)
    }

    fn transport(&self, err: reqwest::Error) -> PlacesError {
        if err.is_timeout() {
            PlacesError::Timeout(self.timeout)
        } else {
            PlacesError::Transport(format!("{:#}", anyhow::Error::from(err.without_url())))
        }
    }
}

/// Google's `error.status` (`RESOURCE_EXHAUSTED`, `PERMISSION_DENIED` …), or empty.
fn error_status(bytes: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v["error"]["status"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    #[serde(default)]
    places: Vec<WirePlace>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePlace {
    id: Option<String>,
    display_name: Option<LocalizedText>,
    formatted_address: Option<String>,
    location: Option<LatLng>,
}

#[derive(Deserialize)]
struct LocalizedText {
    text: Option<String>,
}

#[derive(Deserialize)]
struct LatLng {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// A searchNearby/searchText answer: `{"places": [...]}`, or `{}` when nothing matched.
pub fn parse(bytes: &[u8]) -> Result<Vec<Place>, PlacesError> {
    let response: Response =
        serde_json::from_slice(bytes).map_err(|e| PlacesError::Malformed(e.to_string()))?;
    response
        .places
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let bad =
                |what: &str| PlacesError::Malformed(format!("places[{i}] has no valid {what}"));
            let place_id =
                p.id.filter(|id| !id.is_empty() && id.len() <= mvp_types::limits::STATION_ID_MAX)
                    .ok_or_else(|| bad("id"))?;
            let name = p
                .display_name
                .and_then(|d| d.text)
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| bad("displayName"))?;
            let location = p.location.ok_or_else(|| bad("location"))?;
            let (Some(latitude), Some(longitude)) = (location.latitude, location.longitude) else {
                return Err(bad("location"));
            };
            if !((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)) {
                return Err(bad("location"));
            }
            Ok(Place {
                place_id,
                name: one_line(&name, mvp_types::limits::STATION_NAME_MAX),
                address: one_line(
                    p.formatted_address.as_deref().unwrap_or_default(),
                    mvp_types::limits::STATION_ADDRESS_MAX,
                ),
                latitude,
                longitude,
            })
        })
        .collect()
}

/// Text from outside made one line and bounded, as our own inputs are.
fn one_line(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_protocol_answer_parses_and_anything_else_is_malformed() {
        let ok = br#"{"places":[{"id":"ChIJ1","displayName":{"text":"Shell","languageCode":"en"},
            "formattedAddress":"1 Main St","location":{"latitude":52.5,"longitude":13.4}}]}"#;
        let places = parse(ok).unwrap_or_default();
        assert_eq!(places.len(), 1);
        assert_eq!(places[0].name, "Shell");
        assert!(parse(b"{}").is_ok_and(|p| p.is_empty()));
        for bad in [
            &b"<html>"[..],
            br#"{"places":[{"displayName":{"text":"x"},"location":{"latitude":1,"longitude":1}}]}"#,
            br#"{"places":[{"id":"a","displayName":{"text":"x"},"location":{"latitude":91,"longitude":1}}]}"#,
            br#"{"places":[{"id":"a","location":{"latitude":1,"longitude":1}}]}"#,
            br#"{"places":"no"}"#,
        ] {
            assert!(
                matches!(parse(bad), Err(PlacesError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn names_from_outside_become_one_bounded_line() {
        assert_eq!(one_line(" Shell\r\nMain ", 100), "Shell  Main");
        assert_eq!(one_line(&"x".repeat(300), 200).len(), 200);
    }
}
