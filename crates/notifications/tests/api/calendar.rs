//! The calendar feed: a secret URL, a valid RFC 5545 calendar (parsed by Python's icalendar) with an
//! all-day event per due date and expiry on the right dates, whatever the user's zone; a wrong or
//! rotated token is a 404.

use std::process::Command;

use chrono::{Days, Months, Utc};
use mvp_test_support::app::json;
use mvp_test_support::spawn_app;
use serde_json::{Value, json};

/// The events of `ics` as Python's icalendar reads them: `[{uid, start, end, summary}]`, sorted.
fn parse(ics: &str) -> Value {
    let dir = mvp_test_support::temp_dir("mvp-ics");
    let path = dir.join("feed.ics");
    std::fs::write(&path, ics).unwrap_or_else(|e| panic!("{e}"));
    let script = r#"
import json, sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], "rb").read())
events = []
for e in cal.walk("VEVENT"):
    events.append({"uid": str(e["UID"]), "start": e.decoded("DTSTART").isoformat(),
                   "end": e.decoded("DTEND").isoformat(), "summary": str(e["SUMMARY"]),
                   "allDay": type(e.decoded("DTSTART")).__name__ == "date"})
print(json.dumps({"version": str(cal["VERSION"]), "events": sorted(events, key=lambda e: e["uid"])}))
"#;
    let out = Command::new(mvp_test_support::mail::python())
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("python: {e}"));
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn the_feed_is_valid_icalendar_with_events_on_the_right_dates() {
    let app = spawn_app().await;
    let token = app.token("auth0|cal").await;
    // A zone far from UTC: the dates must not move.
    let prefs = app
        .put_json_as(
            &token,
            "/api/user/preferences",
            &json!({"unitSystem": "metric", "currencyCode": "NZD", "timeZone": "Pacific/Auckland", "darkMode": false}),
        )
        .await;
    assert_eq!(prefs.status(), 200);
    let car = app.create_vehicle(&token, 5_000, Value::Null).await;
    let today = Utc::now().date_naive();
    let last = today - Days::new(40);
    let schedule = app
        .create_schedule(
            &token,
            car,
            json!({"subtypes": ["Tire Rotation"], "intervalMonths": 6, "lastServiceDate": last.to_string()}),
        )
        .await;
    let due = last + Months::new(6);
    let expires = today + Days::new(200);
    let document = app
        .create_document(&token, car, Some(&expires.to_string()))
        .await;

    let feed = json(app.get_as(&token, "/api/user/calendar").await).await;
    let url = feed["url"].as_str().unwrap_or_default().to_owned();
    assert!(url.ends_with(".ics"), "{url}");
    let path = url
        .split_once("/api/")
        .map(|(_, p)| format!("/api/{p}"))
        .unwrap_or_default();
    let again = json(app.get_as(&token, "/api/user/calendar").await).await;
    assert_eq!(again["url"], url.as_str(), "stable until rotated");

    let response = app.get(&path).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/calendar")
    );
    let ics = response.text().await.unwrap_or_default();
    let parsed = parse(&ics);
    assert_eq!(parsed["version"], "2.0");
    assert_eq!(
        parsed["events"],
        json!([
            {"uid": format!("document-{document}-{expires}@motovaultpro"), "start": expires.to_string(),
             "end": (expires + Days::new(1)).to_string(), "summary": "Insurance card expires: 2019 Subaru Outback",
             "allDay": true},
            {"uid": format!("schedule-{schedule}-{due}@motovaultpro"), "start": due.to_string(),
             "end": (due + Days::new(1)).to_string(), "summary": "Tire Rotation due: 2019 Subaru Outback",
             "allDay": true},
        ])
    );

    // Another user's calendar does not list these; a wrong token is a 404.
    let other = app.token("auth0|cal-other").await;
    let theirs = json(app.get_as(&other, "/api/user/calendar").await).await;
    let their_path = theirs["url"]
        .as_str()
        .unwrap_or_default()
        .split_once("/api/")
        .map(|(_, p)| format!("/api/{p}"))
        .unwrap_or_default();
    assert_ne!(their_path, path);
    let their_ics = app.get(&their_path).await.text().await.unwrap_or_default();
    assert_eq!(parse(&their_ics)["events"], json!([]));
    assert_eq!(app.get("/api/calendar/not-a-token.ics").await.status(), 404);
    assert_eq!(app.get("/api/calendar/.ics").await.status(), 404);

    let rotated = app
        .post_json_as(&token, "/api/user/calendar/rotate", &json!({}))
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated = json(rotated).await;
    assert_ne!(rotated["url"], url.as_str());
    assert_eq!(
        app.get(&path).await.status(),
        404,
        "the old address stops working"
    );
}
