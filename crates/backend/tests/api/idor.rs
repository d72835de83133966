//! The IDOR matrix, generated from the OpenAPI document the app serves: user A owns one of every
//! object; user B requests every operation of every path that carries an object id, with A's ids and
//! every method, and gets 404 — never 200, 403 or 500. Every list filter (`?vehicleId=`) and every
//! create that names a vehicle is tried with A's vehicle too. A route added later is covered as soon
//! as it is in the document: a path parameter this test cannot place fails it, naming the path.

use std::collections::BTreeMap;

use mvp_test_support::{TestApp, spawn_app};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::json;

/// Path parameters that are not a user's object, and why.
const NOT_OWNED: &[(&str, &str)] = &[
    (
        "/api/platform/vin/{vin}",
        "a VIN looked up in the shared catalog",
    ),
    (
        "/api/maintenance/schedules/templates/{key}",
        "a template key; its vehicle comes in the body (tried below)",
    ),
    (
        "/api/calendar/{file}",
        "the feed's secret token is the credential itself, not a user's id (a wrong or rotated token is 404, crates/notifications tests)",
    ),
];

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    let _ = image::DynamicImage::new_rgb8(8, 8)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

fn document_form(vehicle_id: &str) -> Form {
    Form::new()
        .text("vehicleId", vehicle_id.to_owned())
        .text("documentType", "insurance")
        .text("title", "Policy")
        .part("file", Part::bytes(pdf()).file_name("policy.pdf"))
}

/// Valid create bodies, by path, naming `vehicle` — so a refusal is about the vehicle, not the body.
fn create_body(path: &str, vehicle: &str) -> Option<Value> {
    Some(match path {
        "/api/fuel-logs" => json!({"vehicleId": vehicle, "dateTime": "2026-06-01T12:00:00Z",
            "odometerReading": 1500, "fuelType": "gasoline", "fuelUnits": 10, "costPerUnit": 3}),
        "/api/maintenance/records" => json!({"vehicleId": vehicle, "date": "2026-06-01",
            "category": "repair", "subtypes": ["Battery"]}),
        "/api/maintenance/schedules" => json!({"vehicleId": vehicle,
            "category": "routine_maintenance", "subtypes": ["Battery"], "intervalMonths": 48}),
        "/api/maintenance/schedules/templates/{key}" => json!({"vehicleId": vehicle}),
        _ => return None,
    })
}

/// Valid bodies of writes whose path has no `GET` to copy one from.
fn valid_body(template: &str) -> Option<Value> {
    Some(match template {
        "/api/stations/community/{id}/prices" => json!({"fuelType": "regular", "price": 3.459}),
        _ => return None,
    })
}

async fn send(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    multipart: Option<Form>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some(form) = multipart {
        request = request.multipart(form);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// A's objects: kind → id, and each object's JSON as A sees it.
struct Owned {
    ids: BTreeMap<&'static str, String>,
}

impl Owned {
    /// The id for a templated path, or `None` when no fixture owns it.
    fn path_for(&self, template: &str) -> Option<String> {
        let kind = [
            ("/api/vehicles/{id}", "vehicle"),
            ("/api/fuel-logs/{id}", "fuel_log"),
            ("/api/maintenance/records/{id}", "record"),
            ("/api/maintenance/schedules/{id}", "schedule"),
            ("/api/documents/{id}", "document"),
            ("/api/notifications/{id}", "notification"),
            ("/api/stations/saved/{placeId}", "saved_station"),
            ("/api/stations/community/{id}", "community_station"),
        ]
        .iter()
        .find(|(prefix, _)| template.starts_with(prefix))?
        .1;
        let id = self.ids.get(kind)?;
        (template.matches('{').count() == 1)
            .then(|| template.replace("{id}", id).replace("{placeId}", id))
    }
}

async fn create_fixtures(app: &TestApp, owner: &str) -> Owned {
    let mut ids = BTreeMap::new();
    let made = |kind: &'static str, body: Value| {
        let id = body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{kind} not created: {body}"))
            .to_owned();
        (kind, id)
    };
    let vehicle = json(
        app.post_json_as(
            owner,
            "/api/vehicles",
            &json!({"year": 2020, "make": "Honda", "model": "Civic", "odometerReading": 1000}),
        )
        .await,
    )
    .await;
    let (k, vehicle_id) = made("vehicle", vehicle);
    ids.insert(k, vehicle_id.clone());
    let image = Form::new().part("image", Part::bytes(png()).file_name("car.png"));
    let put = send(
        app,
        owner,
        Method::PUT,
        &format!("/api/vehicles/{vehicle_id}/image"),
        None,
        Some(image),
    )
    .await;
    assert_eq!(put.status(), 200, "photo");
    for (kind, path) in [
        ("fuel_log", "/api/fuel-logs"),
        ("record", "/api/maintenance/records"),
        ("schedule", "/api/maintenance/schedules"),
    ] {
        let body = create_body(path, &vehicle_id).unwrap_or_default();
        let created = json(app.post_json_as(owner, path, &body).await).await;
        let (k, id) = made(kind, created);
        ids.insert(k, id);
    }
    let document = send(
        app,
        owner,
        Method::POST,
        "/api/documents",
        None,
        Some(document_form(&vehicle_id)),
    )
    .await;
    let (k, id) = made("document", json(document).await);
    ids.insert(k, id);
    // A notification-centre entry, as the reminder job writes them.
    let profile = json(app.get_as(owner, "/api/user/profile").await).await;
    let owner_id = profile["id"].as_str().unwrap_or_default().to_owned();
    let mut conn = app
        .pool()
        .await
        .acquire()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let entry = mvp_notifications::repo::insert_notification(
        &mut conn,
        &mvp_notifications::repo::NewNotification {
            user_id: &owner_id,
            kind: "maintenance_overdue",
            title: "Overdue on Civic: Engine Oil",
            body: "Engine Oil on Civic is overdue.",
            vehicle_id: vehicle_id.parse().ok(),
            subject_id: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    ids.insert("notification", entry.to_string());
    // A saved station, and a community station A reported (pending: only A sees it).
    let saved = app
        .post_json_as(
            owner,
            "/api/stations/saved",
            &json!({"placeId": "ChIJidorSaved", "name": "Shell", "address": "1 Main St",
                    "latitude": 40.0, "longitude": -75.0, "isFavorite": true}),
        )
        .await;
    assert_eq!(saved.status(), 201, "saved station");
    ids.insert("saved_station", "ChIJidorSaved".to_owned());
    let reported = json(
        app.post_json_as(
            owner,
            "/api/stations/community",
            &json!({"name": "Corner Fuel", "address": "2 Side St", "latitude": 40.0,
                    "longitude": -75.0, "fuelTypes": ["regular"]}),
        )
        .await,
    )
    .await;
    let (k, id) = made("community_station", reported);
    ids.insert(k, id);
    Owned { ids }
}

/// What A sees of every owned path (to prove B changed nothing).
async fn snapshot(app: &TestApp, owner: &str, paths: &[String]) -> Vec<(String, u16, Vec<u8>)> {
    let mut out = Vec::new();
    for path in paths {
        let response = app.get_as(owner, path).await;
        let status = response.status().as_u16();
        out.push((
            path.clone(),
            status,
            response.bytes().await.unwrap_or_default().to_vec(),
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_users_ids_get_404_on_every_operation_in_the_openapi_document() {
    let app = spawn_app().await;
    let (alice, bob) = (app.token("auth0|alice").await, app.token("auth0|bob").await);
    let owned = create_fixtures(&app, &alice).await;
    let vehicle = owned.ids["vehicle"].clone();
    let doc = json(app.get("/api/openapi.json").await).await;
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();

    // Every operation on a path with an id of A's.
    let mut operations = Vec::new();
    for (template, item) in &paths {
        // Admin routes act on instance-wide data, not a user's: admin.rs proves that everyone but
        // an admin gets 403 on every one of them.
        if !template.contains('{')
            || template.starts_with("/api/admin/")
            || NOT_OWNED.iter().any(|(p, _)| p == template)
        {
            continue;
        }
        let path = owned.path_for(template).unwrap_or_else(|| {
            panic!("{template}: no fixture owns this path parameter; add one to idor.rs (or to NOT_OWNED with the reason)")
        });
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let multipart = op["requestBody"]["content"]
                .as_object()
                .is_some_and(|c| c.contains_key("multipart/form-data"));
            operations.push((
                method.to_uppercase(),
                template.clone(),
                path.clone(),
                multipart,
            ));
        }
    }
    let gets: Vec<String> = operations
        .iter()
        .filter(|(m, ..)| m == "GET")
        .map(|(_, _, path, _)| path.clone())
        .collect();
    let before = snapshot(&app, &alice, &gets).await;

    let mut tried = 0;
    for (method, template, path, multipart) in &operations {
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        // A body that would be accepted from the owner: their own object back, or a photo.
        let (body, form) = match (&method, multipart) {
            (&Method::PUT | &Method::POST, true) => (
                None,
                Some(
                    Form::new()
                        .part("image", Part::bytes(png()).file_name("x.png"))
                        .part("file", Part::bytes(pdf()).file_name("x.pdf")),
                ),
            ),
            (&Method::PUT | &Method::POST, false) => match valid_body(template) {
                Some(body) => (Some(body), None),
                None => (Some(json(app.get_as(&alice, path).await).await), None),
            },
            _ => (None, None),
        };
        let response = send(&app, &bob, method.clone(), path, body, form).await;
        let status = response.status().as_u16();
        let text =
            String::from_utf8_lossy(&response.bytes().await.unwrap_or_default()).into_owned();
        assert_eq!(
            status, 404,
            "{method} {template} as another user: {status} {text}"
        );
        tried += 1;
    }

    // Every list filtered by a vehicle, and every create naming a vehicle, with A's vehicle.
    let mut cross = 0;
    for (template, item) in &paths {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let by_vehicle = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == "vehicleId" && p["in"] == "query")
            });
            if method == "get" && by_vehicle && !template.contains('{') {
                let response = app
                    .get_as(&bob, &format!("{template}?vehicleId={vehicle}"))
                    .await;
                assert_eq!(
                    response.status(),
                    404,
                    "GET {template}?vehicleId= of another user"
                );
                cross += 1;
            }
            if method != "post" {
                continue;
            }
            let response = if template == "/api/documents" {
                Some(
                    send(
                        &app,
                        &bob,
                        Method::POST,
                        template,
                        None,
                        Some(document_form(&vehicle)),
                    )
                    .await,
                )
            } else if let Some(body) = create_body(template, &vehicle) {
                let path = template.replace("{key}", "coolant");
                Some(app.post_json_as(&bob, &path, &body).await)
            } else {
                let schema = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next())
                    .map(|name| doc["components"]["schemas"][name].clone())
                    .unwrap_or(Value::Null);
                assert!(
                    schema["properties"].get("vehicleId").is_none(),
                    "POST {template} names a vehicle: add a valid body to create_body in idor.rs"
                );
                None
            };
            if let Some(response) = response {
                assert_eq!(
                    response.status(),
                    404,
                    "POST {template} with another user's vehicle"
                );
                cross += 1;
            }
        }
    }

    let after = snapshot(&app, &alice, &gets).await;
    assert_eq!(
        before, after,
        "another user's requests changed the owner's objects"
    );
    assert!(
        tried >= 17 && cross >= 8,
        "{tried} operations, {cross} cross-references"
    );
    println!(
        "IDOR matrix: {tried} operations on {} owned paths and {cross} vehicle references, all 404",
        gets.len()
    );
}
