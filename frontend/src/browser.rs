//! The few browser facts the app needs beyond fetch: the time zone database (through `Intl`, so the
//! wasm carries no tz data), the list of zones, and small DOM helpers.

use chrono::{DateTime, NaiveDateTime, Utc};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The browser's own IANA zone, e.g. `Europe/Berlin` (UTC when unknown).
pub fn browser_time_zone() -> String {
    let options =
        js_sys::Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
    Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// Every zone the browser knows (`Intl.supportedValuesOf`), or a short list on old browsers.
pub fn time_zones() -> Vec<String> {
    let intl = js_sys::global()
        .dyn_into::<Object>()
        .ok()
        .and_then(|g| Reflect::get(&g, &JsValue::from_str("Intl")).ok());
    let list = intl.and_then(|intl| {
        let f = Reflect::get(&intl, &JsValue::from_str("supportedValuesOf")).ok()?;
        let f: js_sys::Function = f.dyn_into().ok()?;
        let v = f.call1(&intl, &JsValue::from_str("timeZone")).ok()?;
        let arr: Array = v.dyn_into().ok()?;
        Some(arr.iter().filter_map(|v| v.as_string()).collect::<Vec<_>>())
    });
    let mut zones = list.unwrap_or_else(|| {
        [
            "UTC",
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Los_Angeles",
            "Europe/London",
            "Europe/Berlin",
            "Asia/Tokyo",
            "Australia/Sydney",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    });
    if !zones.iter().any(|z| z == "UTC") {
        zones.insert(0, "UTC".to_owned());
    }
    zones
}

/// The zones as a picker's `(value, label)` choices (`America/New_York` shown as `America/New York`).
pub fn time_zone_choices() -> Vec<(String, String)> {
    time_zones()
        .into_iter()
        .map(|z| (z.clone(), z.replace('_', " ")))
        .collect()
}

/// Minutes that `zone` is ahead of UTC at the instant `utc_ms` (negative west of Greenwich).
pub fn zone_offset_minutes(zone: &str, utc_ms: f64) -> i32 {
    let options = Object::new();
    let set = |k: &str, v: &str| {
        let _ = Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    };
    set("timeZone", zone);
    set("hourCycle", "h23");
    for k in ["year", "month", "day", "hour", "minute", "second"] {
        set(k, "numeric");
    }
    let locales = Array::of1(&JsValue::from_str("en-US"));
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let parts = format.format_to_parts(&js_sys::Date::new(&JsValue::from_f64(utc_ms)));
    let mut fields = [0i32; 6];
    for part in parts.iter() {
        let kind = Reflect::get(&part, &JsValue::from_str("type"))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let value: i32 = Reflect::get(&part, &JsValue::from_str("value"))
            .ok()
            .and_then(|v| v.as_string())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let index = match kind.as_str() {
            "year" => 0,
            "month" => 1,
            "day" => 2,
            "hour" => 3,
            "minute" => 4,
            "second" => 5,
            _ => continue,
        };
        fields[index] = value;
    }
    // Intl may print hour 24 for midnight on old engines; h23 asks for 0, and this guards anyway.
    let wall_ms = chrono::NaiveDate::from_ymd_opt(fields[0], fields[1] as u32, fields[2] as u32)
        .and_then(|d| d.and_hms_opt((fields[3] % 24) as u32, fields[4] as u32, fields[5] as u32))
        .map(|t| t.and_utc().timestamp_millis() as f64)
        .unwrap_or(utc_ms);
    let truncated = (utc_ms / 1000.0).floor() * 1000.0;
    ((wall_ms - truncated) / 60_000.0).round() as i32
}

/// A UTC instant as wall-clock time in `zone`.
pub fn to_local(t: DateTime<Utc>, zone: &str) -> NaiveDateTime {
    let offset = zone_offset_minutes(zone, t.timestamp_millis() as f64);
    crate::format::utc_to_local(t.naive_utc(), offset)
}

/// A wall-clock time in `zone` as a UTC instant (the offset is taken at the guessed instant, then
/// once more, which settles DST edges).
pub fn from_local(local: NaiveDateTime, zone: &str) -> DateTime<Utc> {
    let guess = local.and_utc().timestamp_millis() as f64;
    let first = zone_offset_minutes(zone, guess);
    let utc = crate::format::local_to_utc(local, first);
    let second = zone_offset_minutes(zone, utc.and_utc().timestamp_millis() as f64);
    crate::format::local_to_utc(local, second).and_utc()
}

pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Today's date in `zone`.
pub fn today(zone: &str) -> chrono::NaiveDate {
    to_local(now(), zone).date()
}

/// Sets `data-theme` on `<html>` so the CSS switches palettes.
pub fn set_dark(dark: bool) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
    }
}

/// The current path and query, to come back to after signing in.
pub fn current_path() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "/".to_owned())
}

/// A query parameter of the current address, decoded by the browser's own `URLSearchParams`.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// `path` resolved against this page's origin: the path, query and fragment when it stays on this
/// origin, else `None`. (Natively, for unit tests, `path` as it is.)
pub fn same_origin_path(path: &str) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        let origin = web_sys::window()?.location().origin().ok()?;
        let url = web_sys::Url::new_with_base(path, &origin).ok()?;
        (url.origin() == origin)
            .then(|| format!("{}{}{}", url.pathname(), url.search(), url.hash()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(path.to_owned())
    }
}

/// The device's position (`navigator.geolocation`), as `(latitude, longitude)`; the browser asks the
/// user first. An error says why in words a person can act on.
pub async fn current_position() -> Result<(f64, f64), String> {
    let geolocation = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("geolocation")).ok())
        .filter(|g| !g.is_undefined() && !g.is_null())
        .ok_or_else(|| "this browser cannot tell its location".to_owned())?;
    let get: js_sys::Function =
        Reflect::get(&geolocation, &JsValue::from_str("getCurrentPosition"))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| "this browser cannot tell its location".to_owned())?;
    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &JsValue::from_str("timeout"),
        &JsValue::from_f64(10_000.0),
    );
    let _ = Reflect::set(
        &options,
        &JsValue::from_str("maximumAge"),
        &JsValue::from_f64(60_000.0),
    );
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = get.call3(&geolocation, &resolve, &reject, &options);
    });
    let position = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| {
            let code = Reflect::get(&e, &JsValue::from_str("code"))
                .ok()
                .and_then(|c| c.as_f64())
                .unwrap_or_default();
            if code == 1.0 {
                "location access was not allowed".to_owned()
            } else {
                "the location could not be found".to_owned()
            }
        })?;
    let coords = Reflect::get(&position, &JsValue::from_str("coords"))
        .map_err(|_| "the location could not be read".to_owned())?;
    let read = |k: &str| {
        Reflect::get(&coords, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_f64())
    };
    read("latitude")
        .zip(read("longitude"))
        .ok_or_else(|| "the location could not be read".to_owned())
}

/// Saves `url` (an object URL) as `file_name` through a temporary link.
pub fn save_as(url: &str, file_name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(link) = document.create_element("a") else {
        return;
    };
    let _ = link.set_attribute("href", url);
    let _ = link.set_attribute("download", file_name);
    if let Some(body) = document.body() {
        let _ = body.append_child(&link);
        if let Some(link) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&link) {
            link.click();
        }
        let _ = body.remove_child(&link);
    }
}

/// Saves an object URL as `file_name`, then revokes the URL — not at once: the browser reads it
/// after the click returns.
pub fn download_object_url(url: String, file_name: &str) {
    save_as(&url, file_name);
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
}

/// Waits `duration` without blocking the page (a timer promise).
pub async fn sleep(duration: std::time::Duration) {
    let ms = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(timer).await;
}
