//! mvp-platform: the shared vehicle catalog and VIN decoding.
//!
//! * Catalog: makes, models, trims, engines and transmissions by model year, loaded offline from the
//!   curated `data/catalog.csv` (see README) by `catalog::ensure_loaded` — at start, by
//!   `mvp-backend platform import`, and into the test template. Reads are cache-aside (Redis or
//!   in-process) with year-based keys; an import invalidates them.
//! * VIN: structure and check digit (`mvp_types::Vin`), model year from position 10, WMI →
//!   manufacturer/country (`data/wmi.csv`), and model/trim/engine/plant from the embedded NHTSA vPIC
//!   patterns of the `vin-decode` crate, enriched from the catalog.

pub mod api;
pub mod catalog;
pub mod manage;
pub mod repo;
pub mod vin;

use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use repo::option_count;
pub use vin::{DecodedVin, decode_vin};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::years))
        .routes(routes!(api::makes))
        .routes(routes!(api::models))
        .routes(routes!(api::trims))
        .routes(routes!(api::engines))
        .routes(routes!(api::transmissions))
        .routes(routes!(api::vin))
}
