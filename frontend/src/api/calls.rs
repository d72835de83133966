//! One function per API route the SPA uses, typed with the DTOs of mvp-types so that a contract change
//! breaks the build, not the user.

use std::collections::BTreeMap;

use mvp_types::fuel::{FuelLog, FuelLogInput, FuelStats};
use mvp_types::ids::{FuelLogId, NotificationId, RecordId, ScheduleId, VehicleId};
use mvp_types::maintenance::{
    MaintenanceRecord, MaintenanceSchedule, RecordInput, ScheduleInput, TemplateRequest,
};
use mvp_types::notification::{
    CalendarFeed, MarkedRead, Notification, NotificationSettings, NotificationSummary, TestMessage,
    UpdateNotificationSettings,
};
use mvp_types::platform::{CatalogItem, VinDecode};
use mvp_types::station::{
    CommunityStation, CommunityStationInput, PriceReportInput, SavedStation, SavedStationInput,
    Station, StationPrice,
};
use mvp_types::user::{
    AcceptTermsRequest, LoginRequest, ResendVerificationRequest, SignupRequest, SignupResponse,
    TokenResponse, UpdatePreferences, UpdateProfile, UserPreferences, UserProfile, UserStatus,
    VerifyEmailResponse,
};
use mvp_types::vehicle::{Vehicle, VehicleInput};
use mvp_types::RuntimeConfig;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{delete, enc, get, json, post, put, send, send_public, ApiError, ApiResult, Body};

pub async fn config() -> ApiResult<RuntimeConfig> {
    json(send_public("GET", "/api/config", Body::None).await?).await
}

// --- auth -------------------------------------------------------------------------------------------

pub async fn signup(body: &SignupRequest) -> ApiResult<SignupResponse> {
    json(send_public("POST", "/api/auth/signup", Body::json(body)).await?).await
}

pub async fn login(body: &LoginRequest) -> ApiResult<TokenResponse> {
    json(send_public("POST", "/api/auth/login", Body::json(body)).await?).await
}

pub async fn resend_verification(email: &str) -> ApiResult<()> {
    let body = ResendVerificationRequest {
        email: email.to_owned(),
    };
    send_public("POST", "/api/auth/resend-verification", Body::json(&body))
        .await
        .map(|_| ())
}

/// Asks for a password-reset link (the answer is the same whether or not the address has an account).
pub async fn request_password_reset(email: &str) -> ApiResult<()> {
    let body = mvp_types::user::PasswordResetRequest {
        email: email.to_owned(),
    };
    send_public("POST", "/api/auth/password-reset", Body::json(&body))
        .await
        .map(|_| ())
}

pub async fn confirm_password_reset(token: &str, password: &str) -> ApiResult<()> {
    let body = mvp_types::user::PasswordResetConfirm {
        token: token.to_owned(),
        password: password.to_owned(),
    };
    send_public(
        "POST",
        "/api/auth/password-reset/confirm",
        Body::json(&body),
    )
    .await
    .map(|_| ())
}

pub async fn change_password(current: &str, new: &str) -> ApiResult<()> {
    let body = mvp_types::user::ChangePasswordRequest {
        current_password: current.to_owned(),
        new_password: new.to_owned(),
    };
    send("POST", "/api/auth/change-password", Body::json(&body))
        .await
        .map(|_| ())
}

pub async fn verify_email(token: &str) -> ApiResult<VerifyEmailResponse> {
    let path = format!("/api/auth/verify-email?token={}", enc(token));
    json(send_public("GET", &path, Body::None).await?).await
}

pub async fn user_status() -> ApiResult<UserStatus> {
    get("/api/auth/user-status").await
}

pub async fn accept_terms(version: &str) -> ApiResult<()> {
    let body = AcceptTermsRequest {
        version: version.to_owned(),
    };
    send("POST", "/api/auth/accept-terms", Body::json(&body))
        .await
        .map(|_| ())
}

// --- preferences and onboarding ----------------------------------------------------------------------

pub async fn preferences() -> ApiResult<UserPreferences> {
    get("/api/user/preferences").await
}

pub async fn update_preferences(body: &UpdatePreferences) -> ApiResult<UserPreferences> {
    put("/api/user/preferences", body).await
}

pub async fn onboarding_preferences(body: &UpdatePreferences) -> ApiResult<serde_json::Value> {
    post("/api/onboarding/preferences", body).await
}

pub async fn onboarding_complete() -> ApiResult<serde_json::Value> {
    json(send("POST", "/api/onboarding/complete", Body::None).await?).await
}

// --- vehicles and platform ---------------------------------------------------------------------------

pub async fn vehicles() -> ApiResult<Vec<Vehicle>> {
    get("/api/vehicles").await
}

pub async fn vehicle(id: VehicleId) -> ApiResult<Vehicle> {
    get(&format!("/api/vehicles/{id}")).await
}

pub async fn create_vehicle(body: &VehicleInput) -> ApiResult<Vehicle> {
    post("/api/vehicles", body).await
}

pub async fn update_vehicle(id: VehicleId, body: &VehicleInput) -> ApiResult<Vehicle> {
    put(&format!("/api/vehicles/{id}"), body).await
}

pub async fn delete_vehicle(id: VehicleId) -> ApiResult<()> {
    delete(&format!("/api/vehicles/{id}")).await
}

pub async fn upload_vehicle_image(id: VehicleId, file: &web_sys::File) -> ApiResult<()> {
    let form = web_sys::FormData::new().map_err(|_| ApiError {
        status: 0,
        code: None,
        message: "cannot build the upload".to_owned(),
        details: Vec::new(),
    })?;
    let _ = form.append_with_blob_and_filename("image", file, &file.name());
    send(
        "PUT",
        &format!("/api/vehicles/{id}/image"),
        Body::Form(form),
    )
    .await
    .map(|_| ())
}

pub async fn delete_vehicle_image(id: VehicleId) -> ApiResult<()> {
    delete(&format!("/api/vehicles/{id}/image")).await
}

/// The vehicle's photo (or its 512 px thumbnail) as an object URL; the route needs the bearer token,
/// so no plain `<img src>`.
pub async fn vehicle_image_url(id: VehicleId, thumb: bool) -> ApiResult<String> {
    let size = if thumb { "?size=thumb" } else { "" };
    let response = send(
        "GET",
        &format!("/api/vehicles/{id}/image{size}"),
        Body::None,
    )
    .await?;
    let fail = |_| ApiError {
        status: 0,
        code: None,
        message: "cannot read the image".to_owned(),
        details: Vec::new(),
    };
    let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(fail)?)
        .await
        .map_err(fail)?
        .dyn_into()
        .map_err(fail)?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)
}

pub async fn years() -> ApiResult<Vec<i32>> {
    get("/api/platform/years").await
}

pub async fn makes(year: i32) -> ApiResult<Vec<CatalogItem>> {
    get(&format!("/api/platform/makes?year={year}")).await
}

pub async fn models(year: i32, make: &str) -> ApiResult<Vec<CatalogItem>> {
    get(&format!(
        "/api/platform/models?year={year}&make={}",
        enc(make)
    ))
    .await
}

pub async fn trims(year: i32, make: &str, model: &str) -> ApiResult<Vec<CatalogItem>> {
    get(&format!(
        "/api/platform/trims?year={year}&make={}&model={}",
        enc(make),
        enc(model)
    ))
    .await
}

pub async fn engines(
    year: i32,
    make: &str,
    model: &str,
    trim: &str,
) -> ApiResult<Vec<CatalogItem>> {
    get(&format!(
        "/api/platform/engines?year={year}&make={}&model={}&trim={}",
        enc(make),
        enc(model),
        enc(trim)
    ))
    .await
}

pub async fn decode_vin(vin: &str) -> ApiResult<VinDecode> {
    get(&format!("/api/platform/vin/{}", enc(vin))).await
}

// --- fuel --------------------------------------------------------------------------------------------

pub async fn fuel_logs(vehicle_id: VehicleId, limit: u32) -> ApiResult<Vec<FuelLog>> {
    get(&format!(
        "/api/fuel-logs?vehicleId={vehicle_id}&limit={limit}"
    ))
    .await
}

pub async fn fuel_log(id: FuelLogId) -> ApiResult<FuelLog> {
    get(&format!("/api/fuel-logs/{id}")).await
}

pub async fn create_fuel_log(body: &FuelLogInput) -> ApiResult<FuelLog> {
    post("/api/fuel-logs", body).await
}

pub async fn update_fuel_log(id: FuelLogId, body: &FuelLogInput) -> ApiResult<FuelLog> {
    put(&format!("/api/fuel-logs/{id}"), body).await
}

pub async fn delete_fuel_log(id: FuelLogId) -> ApiResult<()> {
    delete(&format!("/api/fuel-logs/{id}")).await
}

pub async fn fuel_stats(vehicle_id: VehicleId) -> ApiResult<FuelStats> {
    get(&format!("/api/vehicles/{vehicle_id}/fuel-stats")).await
}

// --- maintenance -------------------------------------------------------------------------------------

pub async fn records(vehicle_id: VehicleId) -> ApiResult<Vec<MaintenanceRecord>> {
    get(&format!("/api/maintenance/records?vehicleId={vehicle_id}")).await
}

pub async fn create_record(body: &RecordInput) -> ApiResult<MaintenanceRecord> {
    post("/api/maintenance/records", body).await
}

pub async fn update_record(id: RecordId, body: &RecordInput) -> ApiResult<MaintenanceRecord> {
    put(&format!("/api/maintenance/records/{id}"), body).await
}

pub async fn create_schedule(body: &ScheduleInput) -> ApiResult<MaintenanceSchedule> {
    post("/api/maintenance/schedules", body).await
}

pub async fn update_schedule(
    id: ScheduleId,
    body: &ScheduleInput,
) -> ApiResult<MaintenanceSchedule> {
    put(&format!("/api/maintenance/schedules/{id}"), body).await
}

pub async fn delete_record(id: RecordId) -> ApiResult<()> {
    delete(&format!("/api/maintenance/records/{id}")).await
}

pub async fn schedules(vehicle_id: VehicleId) -> ApiResult<Vec<MaintenanceSchedule>> {
    get(&format!(
        "/api/maintenance/schedules?vehicleId={vehicle_id}"
    ))
    .await
}

pub async fn delete_schedule(id: ScheduleId) -> ApiResult<()> {
    delete(&format!("/api/maintenance/schedules/{id}")).await
}

pub async fn schedule_from_template(
    key: &str,
    vehicle_id: VehicleId,
) -> ApiResult<MaintenanceSchedule> {
    post(
        &format!("/api/maintenance/schedules/templates/{}", enc(key)),
        &TemplateRequest { vehicle_id },
    )
    .await
}

pub async fn upcoming() -> ApiResult<Vec<MaintenanceSchedule>> {
    get("/api/maintenance/upcoming").await
}

pub async fn subtypes() -> ApiResult<BTreeMap<String, Vec<String>>> {
    get("/api/maintenance/subtypes").await
}

// --- profile, notifications, calendar ------------------------------------------------------------------

pub async fn profile() -> ApiResult<UserProfile> {
    get("/api/user/profile").await
}

pub async fn update_profile(body: &UpdateProfile) -> ApiResult<UserProfile> {
    put("/api/user/profile", body).await
}

pub async fn notification_summary() -> ApiResult<NotificationSummary> {
    get("/api/notifications/summary").await
}

pub async fn notifications(limit: u32) -> ApiResult<Vec<Notification>> {
    get(&format!("/api/notifications?limit={limit}")).await
}

pub async fn mark_read(id: NotificationId) -> ApiResult<()> {
    send("POST", &format!("/api/notifications/{id}/read"), Body::None)
        .await
        .map(|_| ())
}

pub async fn mark_all_read() -> ApiResult<MarkedRead> {
    json(send("POST", "/api/notifications/read-all", Body::None).await?).await
}

pub async fn notification_settings() -> ApiResult<NotificationSettings> {
    get("/api/user/notification-settings").await
}

pub async fn update_notification_settings(
    body: &UpdateNotificationSettings,
) -> ApiResult<NotificationSettings> {
    put("/api/user/notification-settings", body).await
}

pub async fn send_test_message() -> ApiResult<TestMessage> {
    json(send("POST", "/api/user/notification-settings/test", Body::None).await?).await
}

pub async fn calendar() -> ApiResult<CalendarFeed> {
    get("/api/user/calendar").await
}

pub async fn rotate_calendar() -> ApiResult<CalendarFeed> {
    json(send("POST", "/api/user/calendar/rotate", Body::None).await?).await
}

// --- stations ---------------------------------------------------------------------------------------

/// A station search; `true` beside the list when the server could not ask Google (`X-Degraded`).
pub async fn search_stations(
    at: Option<(f64, f64)>,
    radius_m: u32,
    query: &str,
) -> ApiResult<(Vec<Station>, bool)> {
    let mut path = format!("/api/stations/search?radius={radius_m}");
    if let Some((lat, lon)) = at {
        path.push_str(&format!("&latitude={lat}&longitude={lon}"));
    }
    if !query.trim().is_empty() {
        path.push_str(&format!("&query={}", enc(query.trim())));
    }
    let response = send("GET", &path, Body::None).await?;
    let degraded = response
        .headers()
        .get("x-degraded")
        .ok()
        .flatten()
        .as_deref()
        == Some("1");
    Ok((json(response).await?, degraded))
}

pub async fn saved_stations() -> ApiResult<Vec<SavedStation>> {
    get("/api/stations/saved").await
}

pub async fn save_station(body: &SavedStationInput) -> ApiResult<SavedStation> {
    post("/api/stations/saved", body).await
}

pub async fn update_saved_station(
    place_id: &str,
    body: &SavedStationInput,
) -> ApiResult<SavedStation> {
    put(&format!("/api/stations/saved/{}", enc(place_id)), body).await
}

pub async fn delete_saved_station(place_id: &str) -> ApiResult<()> {
    delete(&format!("/api/stations/saved/{}", enc(place_id))).await
}

pub async fn report_station(body: &CommunityStationInput) -> ApiResult<CommunityStation> {
    post("/api/stations/community", body).await
}

pub async fn my_station_reports() -> ApiResult<Vec<CommunityStation>> {
    get("/api/stations/community/mine").await
}

pub async fn report_price(place_id: &str, body: &PriceReportInput) -> ApiResult<StationPrice> {
    post(
        &format!("/api/stations/community/{}/prices", enc(place_id)),
        body,
    )
    .await
}
