//! The stations capsule against the real app, Postgres and Redis, with a fake Google Places API.

mod community;
mod saved;
mod search;

use mvp_test_support::fakes::FakePlaces;
use mvp_test_support::fakes::places::{API_KEY, FakePlace};
use mvp_test_support::{TestApp, TestAppBuilder};

/// Philadelphia City Hall: the point every search starts from.
pub const HERE: (f64, f64) = (39.9526, -75.1652);

/// A point `north` and `east` metres from [`HERE`].
pub fn near(north: f64, east: f64) -> (f64, f64) {
    let r = 6_371_008.8_f64;
    (
        HERE.0 + (north / r).to_degrees(),
        HERE.1 + (east / (r * HERE.0.to_radians().cos())).to_degrees(),
    )
}

/// Three Google stations: 800 m north, 2 km east, 12 km south (outside a 5 km search).
pub fn google_places() -> Vec<FakePlace> {
    let a = near(800.0, 0.0);
    let b = near(0.0, 2_000.0);
    let far = near(-12_000.0, 0.0);
    vec![
        FakePlace::new(
            "ChIJshell800",
            "Shell",
            "1400 Broad St, Philadelphia, PA",
            a.0,
            a.1,
        ),
        FakePlace::new(
            "ChIJsunoco2k",
            "Sunoco",
            "22 Market St, Philadelphia, PA",
            b.0,
            b.1,
        ),
        FakePlace::new(
            "ChIJwawafar",
            "Wawa",
            "9 Far Rd, Philadelphia, PA",
            far.0,
            far.1,
        ),
    ]
}

/// An app whose searches go to `fake` with the right key; `extra` settings on top.
pub async fn app_with(fake: &FakePlaces, extra: &[(&str, &str)]) -> TestApp {
    let mut builder = TestAppBuilder::new()
        .var("MVP_STATIONS__GOOGLE_BASE_URL", fake.base_url())
        .var("MVP_STATIONS__GOOGLE_API_KEY", API_KEY);
    for (k, v) in extra {
        builder = builder.var(k, *v);
    }
    builder.spawn().await
}

/// `GET /api/stations/search` around `at` within `radius` metres.
pub fn search_path(at: (f64, f64), radius: u32, query: Option<&str>) -> String {
    let mut path = format!(
        "/api/stations/search?latitude={}&longitude={}&radius={radius}",
        at.0, at.1
    );
    if let Some(q) = query {
        path.push_str("&query=");
        path.push_str(&q.replace(' ', "%20"));
    }
    path
}

/// Approves a community station the way the admin route will (the admin capsule is not built yet).
pub async fn approve(app: &TestApp, place_id: &str) {
    let id: uuid::Uuid = place_id
        .parse()
        .unwrap_or_else(|e| panic!("{place_id}: {e}"));
    sqlx::query(
        "update community_stations set status = 'approved', reviewed_at = now() where id = $1",
    )
    .bind(id)
    .execute(&app.pool().await)
    .await
    .unwrap_or_else(|e| panic!("approve: {e}"));
}
