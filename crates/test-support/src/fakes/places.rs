//! A fake Google Places API (New): `POST /v1/places:searchNearby` and `POST /v1/places:searchText`
//! with Google's JSON bodies. It checks what Google checks — the `X-Goog-Api-Key` header (403
//! `PERMISSION_DENIED` when missing, 400 `INVALID_ARGUMENT` when wrong), the `X-Goog-FieldMask`
//! header (400 when missing; a test fails when a field the client reads is not asked for), the
//! circle and the result count — and answers from the places a test gives it: within the circle,
//! nearest first, for a nearby search; every place whose name or address holds each word of the
//! query for a text search. It counts calls and can answer scripted statuses (403/429/500 …), a
//! body that is not the protocol's, or hang.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

pub const API_KEY: &str = "AIzaSyFAKE-places-test-key-0123456789";
/// The fields the client must ask for, as Google names them.
pub const REQUIRED_FIELDS: &[&str] = &[
    "places.id",
    "places.displayName",
    "places.formattedAddress",
    "places.location",
];

/// A place the fake knows.
#[derive(Debug, Clone)]
pub struct FakePlace {
    pub id: String,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
}

impl FakePlace {
    pub fn new(id: &str, name: &str, address: &str, latitude: f64, longitude: f64) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            address: address.to_owned(),
            latitude,
            longitude,
        }
    }
}

/// What the next answers are, before the fake answers normally again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripted {
    Status(u16),
    /// 200 with a body that is not the protocol's.
    Garbage,
    /// No answer for this long.
    Hang(Duration),
}

#[derive(Default)]
struct Shared {
    places: Mutex<Vec<FakePlace>>,
    script: Mutex<VecDeque<Scripted>>,
    calls: Mutex<Vec<(String, Value)>>,
}

pub struct FakePlaces {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
}

impl std::fmt::Debug for FakePlaces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakePlaces")
            .field("addr", &self.addr)
            .finish()
    }
}

impl FakePlaces {
    pub async fn start(places: Vec<FakePlace>) -> Self {
        let shared = Arc::new(Shared::default());
        if let Ok(mut p) = shared.places.lock() {
            *p = places;
        }
        let app = Router::new()
            .route("/v1/{method}", post(search))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("fake places bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("fake places addr: {e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { shared, addr }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next answers, in order.
    pub fn script(&self, answers: &[Scripted]) {
        if let Ok(mut script) = self.shared.script.lock() {
            script.extend(answers);
        }
    }

    /// Requests received (with a valid key and mask or not): `(method, body)`.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.shared
            .calls
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }
}

fn google_error(status: StatusCode, google_status: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {
            "code": status.as_u16(), "message": message, "status": google_status,
        }})),
    )
        .into_response()
}

fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let a = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * a.sqrt().min(1.0).asin()
}

fn circle(value: &Value) -> Option<(f64, f64, f64)> {
    let c = &value["circle"];
    Some((
        c["center"]["latitude"].as_f64()?,
        c["center"]["longitude"].as_f64()?,
        c["radius"].as_f64()?,
    ))
}

fn wire(p: &FakePlace) -> Value {
    json!({
        "id": p.id,
        "displayName": {"text": p.name, "languageCode": "en"},
        "formattedAddress": p.address,
        "location": {"latitude": p.latitude, "longitude": p.longitude},
    })
}

async fn search(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Ok(mut calls) = shared.calls.lock() {
        calls.push((method.clone(), body.clone()));
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match header("x-goog-api-key") {
        None => {
            return google_error(
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "The request is missing a valid API key.",
            );
        }
        Some(key) if key != API_KEY => {
            return google_error(
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
            );
        }
        Some(_) => {}
    }
    let Some(mask) = header("x-goog-fieldmask") else {
        return google_error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "FieldMask is a required parameter. See https://cloud.google.com/apis/docs/system-parameters",
        );
    };
    let asked: Vec<&str> = mask.split(',').map(str::trim).collect();
    if let Some(missing) = REQUIRED_FIELDS.iter().find(|f| !asked.contains(f)) {
        // The real API would leave the field out; a client that reads it would then fail quietly.
        return google_error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            &format!("fake: the field mask does not ask for {missing}"),
        );
    }
    let scripted = shared.script.lock().ok().and_then(|mut s| s.pop_front());
    match scripted {
        Some(Scripted::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let google_status = match code {
                429 => "RESOURCE_EXHAUSTED",
                403 => "PERMISSION_DENIED",
                400 => "INVALID_ARGUMENT",
                503 => "UNAVAILABLE",
                _ => "INTERNAL",
            };
            return google_error(status, google_status, "scripted failure");
        }
        Some(Scripted::Garbage) => {
            return (StatusCode::OK, "<html>upstream proxy error</html>").into_response();
        }
        Some(Scripted::Hang(wait)) => tokio::time::sleep(wait).await,
        None => {}
    }
    let places = shared.places.lock().map(|p| p.clone()).unwrap_or_default();
    match method.as_str() {
        "places:searchNearby" => {
            let Some((lat, lon, radius)) = circle(&body["locationRestriction"]) else {
                return google_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ARGUMENT",
                    "locationRestriction.circle is required",
                );
            };
            let max = body["maxResultCount"].as_u64().unwrap_or(20);
            if !(radius > 0.0 && radius <= 50_000.0 && (1..=20).contains(&max)) {
                return google_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ARGUMENT",
                    "radius must be in (0, 50000] and maxResultCount in [1, 20]",
                );
            }
            if body["includedTypes"] != json!(["gas_station"]) {
                return google_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ARGUMENT",
                    "fake: includedTypes must be [gas_station]",
                );
            }
            let found = places
                .iter()
                .map(|p| (distance_m(lat, lon, p.latitude, p.longitude), p))
                .filter(|(d, _)| *d <= radius)
                .collect();
            answer(found, max)
        }
        "places:searchText" => {
            let Some(query) = body["textQuery"].as_str().filter(|q| !q.trim().is_empty()) else {
                return google_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ARGUMENT",
                    "textQuery is required",
                );
            };
            let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
            let found = places
                .iter()
                .filter(|p| {
                    let text = format!("{} {}", p.name, p.address).to_lowercase();
                    words.iter().all(|w| text.contains(w.as_str()))
                })
                .map(|p| {
                    let d = circle(&body["locationBias"]).map_or(0.0, |(lat, lon, _)| {
                        distance_m(lat, lon, p.latitude, p.longitude)
                    });
                    (d, p)
                })
                .collect();
            answer(found, body["pageSize"].as_u64().unwrap_or(20).clamp(1, 20))
        }
        _ => google_error(StatusCode::NOT_FOUND, "NOT_FOUND", "unknown method"),
    }
}

/// The `max` nearest of `found` (distance, place), as Google lists them: `places` is left out when
/// nothing matched.
fn answer(mut found: Vec<(f64, &FakePlace)>, max: u64) -> Response {
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    let list: Vec<Value> = found
        .iter()
        .take(usize::try_from(max).unwrap_or(20))
        .map(|(_, p)| wire(p))
        .collect();
    if list.is_empty() {
        Json(json!({})).into_response()
    } else {
        Json(json!({ "places": list })).into_response()
    }
}
