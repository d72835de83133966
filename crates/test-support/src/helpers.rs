//! Typed helpers for the objects most tests need: a vehicle, a document, a maintenance schedule.
//! Each asserts the creation worked and returns the typed id.

use mvp_types::ids::{DocumentId, ScheduleId, VehicleId};
use serde_json::{Value, json};

use crate::app::{TestApp, json};

fn typed<T: std::str::FromStr>(body: &Value, what: &str) -> T {
    body["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{what} without an id: {body}"))
}

impl TestApp {
    /// A 2019 Subaru Outback at `odometer` (or the vehicle `body` describes, when not null).
    pub async fn create_vehicle(&self, token: &str, odometer: i64, body: Value) -> VehicleId {
        let body = if body.is_null() {
            json!({"year": 2019, "make": "Subaru", "model": "Outback", "odometerReading": odometer})
        } else {
            body
        };
        let response = self.post_json_as(token, "/api/vehicles", &body).await;
        assert_eq!(response.status(), 201, "create vehicle");
        typed(&json(response).await, "vehicle")
    }

    /// Gives `vehicle` a small PNG photo (and so a thumbnail).
    pub async fn set_vehicle_photo(&self, token: &str, vehicle: VehicleId) {
        let form = reqwest::multipart::Form::new().part(
            "image",
            reqwest::multipart::Part::bytes(crate::bomb::png_rgba16(16, 16)).file_name("car.png"),
        );
        let response = self
            .send_multipart(
                reqwest::Method::PUT,
                token,
                &format!("/api/vehicles/{vehicle}/image"),
                form,
            )
            .await;
        assert_eq!(response.status(), 200, "vehicle photo");
    }

    /// A small PDF receipt for `vehicle`, expiring on `expires` when given.
    pub async fn create_document(
        &self,
        token: &str,
        vehicle: VehicleId,
        expires: Option<&str>,
    ) -> DocumentId {
        let mut form = reqwest::multipart::Form::new()
            .text("vehicleId", vehicle.to_string())
            .text("documentType", "insurance")
            .text("title", "Insurance card")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"%PDF-1.4\n%\xe2\xe3 card".to_vec())
                    .file_name("card.pdf"),
            );
        if let Some(date) = expires {
            form = form.text("expirationDate", date.to_owned());
        }
        let response = self
            .send_multipart(reqwest::Method::POST, token, "/api/documents", form)
            .await;
        assert_eq!(response.status(), 201, "create document");
        typed(&json(response).await, "document")
    }

    /// A maintenance schedule; `fields` are merged over `vehicleId` and a routine category.
    pub async fn create_schedule(
        &self,
        token: &str,
        vehicle: VehicleId,
        fields: Value,
    ) -> ScheduleId {
        let mut body = json!({"vehicleId": vehicle, "category": "routine_maintenance"});
        if let (Some(target), Some(extra)) = (body.as_object_mut(), fields.as_object()) {
            for (k, v) in extra {
                target.insert(k.clone(), v.clone());
            }
        }
        let response = self
            .post_json_as(token, "/api/maintenance/schedules", &body)
            .await;
        assert_eq!(response.status(), 201, "create schedule");
        typed(&json(response).await, "schedule")
    }
}
