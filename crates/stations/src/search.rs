//! A station search: Google Places (through the cache) merged with the community stations this user
//! may see and their saved ones, deduplicated by `placeId`, with the latest prices, nearest first.
//!
//! The cache key is the search with its point rounded to three decimals (~110 m), the radius and
//! the normalised query, so nearby searches share one Google call. An entry is fresh for
//! `stations.cache_ttl_secs` and kept for `stations.stale_ttl_secs`: when Google is down, over quota
//! or slow, a kept answer is served; without one, community and saved stations are. Either way the
//! search is `degraded` (the `X-Degraded: 1` header) and `/api/health` shows `places: degraded`
//! until Google answers again. Identical searches that miss the cache at the same moment share one
//! Google call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use mvp_core::{AppResult, AppState};
use mvp_types::health::{ComponentHealth, HealthStatus};
use mvp_types::ids::UserId;
use mvp_types::station::{Station, StationSource};
use serde::{Deserialize, Serialize};

use crate::domain::{Point, Search};
use crate::google::{Circle, Place, Places};
use crate::repo::{self, CommunityHit, SavedRow};

/// The health component this capsule reports.
pub const COMPONENT: &str = "places";

/// A search's stations and whether Google could be asked.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub stations: Vec<Station>,
    pub degraded: bool,
}

/// What the cache keeps of one Google answer.
#[derive(Debug, Serialize, Deserialize)]
struct Cached {
    /// Unix seconds.
    fetched_at: i64,
    places: Vec<Place>,
}

/// Where the Google part of a search came from.
#[derive(Debug)]
enum Google {
    /// No key configured: community and saved stations only (not an outage).
    Off,
    /// A fresh cached answer.
    Cached(Vec<Place>),
    /// Google's answer just now.
    Fetched(Vec<Place>),
    /// Google failed; a kept answer, if any.
    Failed(Option<Vec<Place>>),
}

fn rounded(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// The cache key of a search.
pub fn cache_key(search: &Search) -> String {
    let point = search.center.map_or_else(
        || "-".to_owned(),
        |c| format!("{:.3},{:.3}", rounded(c.latitude), rounded(c.longitude)),
    );
    let query = search.query.as_deref().unwrap_or("").to_lowercase();
    format!("stations:g1:{point}:{}:{query}", search.radius)
}

/// The Places client, when a key is configured.
pub fn client(state: &AppState) -> Option<Places> {
    let config = &state.config.stations;
    config.google_key().map(|key| {
        Places::new(
            state.http.clone(),
            &config.google_base_url,
            key.clone(),
            config.google_timeout(),
            config.google_max_results,
        )
    })
}

/// What one Google call gave: the places, or the kind of failure.
type Answer = Result<Vec<Place>, &'static str>;
/// One Google call in flight, which every search that misses the same key at the same time awaits.
type Flight = Arc<tokio::sync::OnceCell<Answer>>;

fn flights() -> &'static Mutex<HashMap<String, Flight>> {
    static FLIGHTS: OnceLock<Mutex<HashMap<String, Flight>>> = OnceLock::new();
    FLIGHTS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The flight for `key`, and whether this search started it.
fn board(key: &str) -> (Flight, bool) {
    let mut map = flights()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match map.get(key) {
        Some(flight) => (flight.clone(), false),
        None => {
            let flight = Flight::default();
            map.insert(key.to_owned(), flight.clone());
            (flight, true)
        }
    }
}

/// Removes the flight its starter began, when the starter is done (or dropped mid-way), so the next
/// search after it asks Google afresh rather than reusing this answer.
struct Landing {
    key: String,
    flight: Flight,
}

impl Drop for Landing {
    fn drop(&mut self) {
        let mut map = flights()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map
            .get(&self.key)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
        {
            map.remove(&self.key);
        }
    }
}

/// The cached answer for `key` when it is younger than the fresh time, and whatever is kept.
async fn lookup(state: &AppState, key: &str, now: i64) -> (Option<Vec<Place>>, Option<Cached>) {
    let fresh_for = i64::try_from(state.config.stations.cache_ttl_secs).unwrap_or(i64::MAX);
    let kept: Option<Cached> = state.cache.get_json(key).await;
    match kept {
        Some(k) if now - k.fetched_at < fresh_for => (Some(k.places), None),
        other => (None, other),
    }
}

/// Asks Google, keeps a good answer in the cache, and reports the outcome to health and the log.
async fn ask(state: &AppState, places: &Places, search: &Search, key: &str, now: i64) -> Answer {
    let circle = search.center.map(|c| Circle {
        latitude: rounded(c.latitude),
        longitude: rounded(c.longitude),
        radius: f64::from(search.radius),
    });
    let answer = match (&search.query, circle) {
        (Some(query), circle) => places.text(query, circle).await,
        (None, Some(circle)) => places.nearby(circle).await,
        (None, None) => Ok(Vec::new()),
    };
    match answer {
        Ok(found) => {
            let entry = Cached {
                fetched_at: now,
                places: found,
            };
            state
                .cache
                .set_json(key, &entry, state.config.stations.stale_ttl())
                .await;
            state.components.set(
                COMPONENT,
                ComponentHealth {
                    status: HealthStatus::Ok,
                    latency_ms: None,
                    message: None,
                },
            );
            Ok(entry.places)
        }
        Err(err) => {
            let before = state.components.set(
                COMPONENT,
                ComponentHealth {
                    status: HealthStatus::Degraded,
                    latency_ms: None,
                    message: Some(format!("Google Places: {}", err.kind())),
                },
            );
            if before == Some(HealthStatus::Degraded) {
                tracing::info!(kind = err.kind(), error = %err, "Google Places still failing");
            } else {
                tracing::warn!(kind = err.kind(), error = %err, "Google Places failed; serving kept or community results");
            }
            Err(err.kind())
        }
    }
}

async fn google(state: &AppState, search: &Search) -> Google {
    let Some(places) = client(state) else {
        return Google::Off;
    };
    let key = cache_key(search);
    let now = chrono::Utc::now().timestamp();
    let (fresh, kept) = lookup(state, &key, now).await;
    if let Some(fresh) = fresh {
        return Google::Cached(fresh);
    }
    // Identical searches that miss at the same time share one call (in this process; the cache's
    // prefix keeps apart two apps that share a process, as tests do).
    let flight_key = format!("{}{key}", state.config.redis.key_prefix);
    let (flight, started) = board(&flight_key);
    let _landing = started.then(|| Landing {
        key: flight_key.clone(),
        flight: flight.clone(),
    });
    let mut asked = false;
    let answer = flight
        .get_or_init(|| {
            asked = true;
            ask(state, &places, search, &key, now)
        })
        .await
        .clone();
    match answer {
        Ok(found) if asked => Google::Fetched(found),
        Ok(found) => Google::Cached(found),
        Err(_) => Google::Failed(kept.map(|k| k.places)),
    }
}

fn matches(query: Option<&str>, texts: &[Option<&str>]) -> bool {
    let Some(query) = query else {
        return true;
    };
    let query = query.to_lowercase();
    texts
        .iter()
        .flatten()
        .any(|t| t.to_lowercase().contains(&query))
}

/// Merges the three sources: Google first, then community stations not already listed, then the
/// user's saved stations (marking those listed, adding those within the search that are not), each
/// `placeId` once, nearest first (no distance last, then by name).
pub fn merge(
    search: &Search,
    google: Vec<Place>,
    community: Vec<CommunityHit>,
    saved: Vec<SavedRow>,
) -> Vec<Station> {
    let radius = f64::from(search.radius);
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, Station> = HashMap::new();
    let mut add = |station: Station| {
        if !by_id.contains_key(&station.place_id) {
            order.push(station.place_id.clone());
            by_id.insert(station.place_id.clone(), station);
        }
    };
    for p in google {
        let distance = search.within(Point {
            latitude: p.latitude,
            longitude: p.longitude,
        });
        if distance.is_some_and(|d| d > radius) {
            continue;
        }
        add(Station {
            place_id: p.place_id,
            name: p.name,
            address: p.address,
            latitude: p.latitude,
            longitude: p.longitude,
            distance_meters: distance,
            source: StationSource::Google,
            is_saved: false,
            is_favorite: false,
            nickname: None,
            brand: None,
            pending: false,
            prices: Vec::new(),
        });
    }
    for c in community {
        add(Station {
            place_id: c.id.to_string(),
            name: c.name,
            address: c.address,
            latitude: c.latitude,
            longitude: c.longitude,
            distance_meters: c.distance,
            source: StationSource::Community,
            is_saved: false,
            is_favorite: false,
            nickname: None,
            brand: c.brand,
            pending: c.pending,
            prices: Vec::new(),
        });
    }
    for s in saved {
        if let Some(listed) = by_id.get_mut(&s.place_id) {
            listed.is_saved = true;
            listed.is_favorite = s.is_favorite;
            listed.nickname = s.nickname;
            continue;
        }
        let distance = search.within(Point {
            latitude: s.latitude,
            longitude: s.longitude,
        });
        let texts = [
            Some(s.name.as_str()),
            Some(s.address.as_str()),
            s.nickname.as_deref(),
        ];
        if distance.is_some_and(|d| d > radius) || !matches(search.query.as_deref(), &texts) {
            continue;
        }
        order.push(s.place_id.clone());
        by_id.insert(
            s.place_id.clone(),
            Station {
                place_id: s.place_id,
                name: s.name,
                address: s.address,
                latitude: s.latitude,
                longitude: s.longitude,
                distance_meters: distance,
                source: s.source,
                is_saved: true,
                is_favorite: s.is_favorite,
                nickname: s.nickname,
                brand: None,
                pending: false,
                prices: Vec::new(),
            },
        );
    }
    let mut stations: Vec<Station> = order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect();
    stations.sort_by(|a, b| {
        let key = |s: &Station| s.distance_meters.unwrap_or(f64::INFINITY);
        key(a)
            .total_cmp(&key(b))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.place_id.cmp(&b.place_id))
    });
    stations
}

/// Runs a search for `user`.
#[tracing::instrument(skip_all, fields(radius = search.radius, query = search.query.is_some()))]
pub async fn run(state: &AppState, user: &UserId, search: &Search) -> AppResult<Outcome> {
    let google = google(state, search).await;
    let mut conn = state.db.acquire().await?;
    let (places, degraded) = match google {
        Google::Off => (Vec::new(), false),
        Google::Cached(p) => (p, false),
        Google::Fetched(p) => {
            repo::remember_places(&mut conn, &p).await?;
            (p, false)
        }
        Google::Failed(kept) => (kept.unwrap_or_default(), true),
    };
    let community = match (search.center, search.query.as_deref()) {
        (Some(center), text) => {
            repo::community_near(&mut conn, user, center, f64::from(search.radius), text).await?
        }
        (None, Some(text)) => repo::community_matching(&mut conn, user, text).await?,
        (None, None) => Vec::new(),
    };
    let saved = repo::saved(&mut conn, user).await?;
    let mut stations = merge(search, places, community, saved);
    let ids: Vec<String> = stations.iter().map(|s| s.place_id.clone()).collect();
    let mut prices = repo::latest_prices(&mut conn, &ids).await?;
    for station in &mut stations {
        station.prices = prices.remove(&station.place_id).unwrap_or_default();
    }
    Ok(Outcome { stations, degraded })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use mvp_types::ids::CommunityStationId;

    fn search() -> Search {
        Search {
            center: Some(Point {
                latitude: 40.0,
                longitude: -75.0,
            }),
            radius: 5_000,
            query: None,
        }
    }

    fn place(id: &str, north_m: f64) -> Place {
        Place {
            place_id: id.to_owned(),
            name: format!("Station {id}"),
            address: String::new(),
            latitude: 40.0 + (north_m / crate::geo::EARTH_RADIUS_M).to_degrees(),
            longitude: -75.0,
        }
    }

    fn saved(p: &Place, favorite: bool) -> SavedRow {
        SavedRow {
            place_id: p.place_id.clone(),
            source: StationSource::Google,
            name: p.name.clone(),
            address: p.address.clone(),
            latitude: p.latitude,
            longitude: p.longitude,
            nickname: Some("mine".into()),
            notes: None,
            is_favorite: favorite,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn sources_merge_once_each_nearest_first() {
        let community = CommunityHit {
            id: CommunityStationId::new(),
            name: "Corner Fuel".into(),
            address: "1 Main St".into(),
            latitude: 40.0 + (1_500.0 / crate::geo::EARTH_RADIUS_M).to_degrees(),
            longitude: -75.0,
            brand: None,
            pending: false,
            distance: Some(1_500.0),
        };
        let far_saved = place("far", 9_000.0);
        let near_saved = place("own", 500.0);
        let merged = merge(
            &search(),
            vec![
                place("a", 3_000.0),
                place("b", 1_000.0),
                place("a", 3_000.0),
                place("out", 6_000.0),
            ],
            vec![community.clone()],
            vec![
                saved(&place("b", 1_000.0), true),
                saved(&far_saved, false),
                saved(&near_saved, false),
            ],
        );
        let ids: Vec<&str> = merged.iter().map(|s| s.place_id.as_str()).collect();
        let community_id = community.id.to_string();
        assert_eq!(ids, ["own", "b", community_id.as_str(), "a"]);
        assert!(merged[0].is_saved && merged[1].is_saved && merged[1].is_favorite);
        assert!(!merged[2].is_saved && !merged[3].is_saved);
        assert_eq!(merged[1].nickname.as_deref(), Some("mine"));
        let d: Vec<f64> = merged.iter().filter_map(|s| s.distance_meters).collect();
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    }

    #[test]
    fn nearby_searches_share_a_cache_key() {
        let mut a = search();
        let mut b = search();
        b.center = Some(Point {
            latitude: 40.0002,
            longitude: -75.0003,
        });
        assert_eq!(cache_key(&a), cache_key(&b));
        a.query = Some("Shell".into());
        assert_ne!(cache_key(&a), cache_key(&b));
        b.query = Some("shell".into());
        assert_eq!(cache_key(&a), cache_key(&b));
        b.radius = 10_000;
        assert_ne!(cache_key(&a), cache_key(&b));
    }
}
