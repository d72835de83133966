//! mvp-maintenance: service records, interval schedules (months and/or distance, whichever first)
//! with `ok` / `due_soon` / `overdue` status, starter templates, and the daily reminder job.

pub mod api;
pub mod domain;
pub mod job;
pub mod parse;
pub mod repo;
pub mod status;

use mvp_core::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_records, api::create_record))
        .routes(routes!(
            api::get_record,
            api::update_record,
            api::delete_record
        ))
        .routes(routes!(api::list_schedules, api::create_schedule))
        .routes(routes!(
            api::get_schedule,
            api::update_schedule,
            api::delete_schedule
        ))
        .routes(routes!(api::create_from_template))
        .routes(routes!(api::upcoming))
        .routes(routes!(api::subtypes))
}
