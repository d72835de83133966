//! The fill-up form's data as typed, the client-side copy of the API's rules, and the body it sends:
//! the unit price or the total, never both (pure, so `cargo test` checks it natively).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use mvp_types::fuel::{FuelLogInput, FILL_FUEL_TYPES};
use mvp_types::ids::VehicleId;
use rust_decimal::Decimal;

use crate::format::parse_decimal;

/// The fill-up form as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FuelDraft {
    pub date_time: String,
    pub odometer: String,
    pub trip: String,
    pub fuel_type: String,
    pub grade: String,
    pub units: String,
    /// `unit` (price per gallon/litre) or `total`.
    pub price_mode: String,
    pub price: String,
    pub full_fill: bool,
    pub missed_previous: bool,
    /// A station's `placeId` (empty: none).
    pub station_id: String,
    pub location: String,
    pub notes: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The API's rules, checked here first; `to_utc` turns the local time into an instant.
pub fn fuel_input(
    d: &FuelDraft,
    vehicle_id: VehicleId,
    to_utc: impl Fn(NaiveDateTime) -> chrono::DateTime<chrono::Utc>,
) -> Result<FuelLogInput, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let mut number = |field: &str, text: &str, positive: bool| -> Option<Decimal> {
        match parse_decimal(text) {
            Ok(Some(v)) if positive && v <= Decimal::ZERO => {
                errors.insert(field.to_owned(), "Must be more than 0".to_owned());
                None
            }
            Ok(Some(v)) if v.is_sign_negative() => {
                errors.insert(field.to_owned(), "Must not be negative".to_owned());
                None
            }
            Ok(v) => v,
            Err(m) => {
                errors.insert(field.to_owned(), m.to_owned());
                None
            }
        }
    };
    let odometer = number("odometerReading", &d.odometer, false);
    let trip = number("tripDistance", &d.trip, true);
    let units = number("fuelUnits", &d.units, true);
    let price = number("price", &d.price, true);
    let date_time = NaiveDateTime::parse_from_str(d.date_time.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(d.date_time.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok();
    if date_time.is_none() {
        errors.insert("dateTime".to_owned(), "Enter the date and time".to_owned());
    }
    if odometer.is_none() && trip.is_none() && !errors.contains_key("odometerReading") {
        errors.insert(
            "odometerReading".to_owned(),
            "Enter the odometer or the trip distance".to_owned(),
        );
    }
    if units.is_none() && !errors.contains_key("fuelUnits") {
        errors.insert("fuelUnits".to_owned(), "Enter how much fuel".to_owned());
    }
    if price.is_none() && !errors.contains_key("price") {
        errors.insert("price".to_owned(), "Enter the price".to_owned());
    }
    if !FILL_FUEL_TYPES.contains(&d.fuel_type.as_str()) {
        errors.insert("fuelType".to_owned(), "Choose the fuel".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (cost_per_unit, total_cost) = if d.price_mode == "total" {
        (None, price)
    } else {
        (price, None)
    };
    Ok(FuelLogInput {
        vehicle_id: Some(vehicle_id),
        date_time: date_time.map(to_utc),
        odometer_reading: odometer,
        trip_distance: trip,
        fuel_type: Some(d.fuel_type.clone()),
        fuel_grade: opt(&d.grade),
        fuel_units: units,
        cost_per_unit,
        total_cost,
        full_fill: Some(d.full_fill),
        missed_previous: Some(d.missed_previous),
        station_id: opt(&d.station_id),
        location_name: opt(&d.location),
        notes: opt(&d.notes),
        ..FuelLogInput::default()
    })
}

/// The API names the price fields; the form has one price input.
pub fn price_field(field: &str) -> String {
    match field {
        "costPerUnit" | "totalCost" => "price".to_owned(),
        f => f.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn draft() -> FuelDraft {
        FuelDraft {
            date_time: "2026-03-01T08:30".into(),
            odometer: "12,345".into(),
            fuel_type: "gasoline".into(),
            units: "10.5".into(),
            price_mode: "unit".into(),
            price: "3.459".into(),
            full_fill: true,
            ..FuelDraft::default()
        }
    }

    fn utc(t: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
        t.and_utc()
    }

    #[test]
    fn unit_price_or_total_is_sent_never_both() {
        let id = VehicleId(uuid::Uuid::nil());
        let body = fuel_input(&draft(), id, utc).unwrap_or_default();
        assert_eq!(body.cost_per_unit, Decimal::from_str("3.459").ok());
        assert_eq!(body.total_cost, None);
        assert_eq!(body.odometer_reading, Decimal::from_str("12345").ok());
        let mut total = draft();
        total.price_mode = "total".into();
        total.price = "36.32".into();
        let body = fuel_input(&total, id, utc).unwrap_or_default();
        assert_eq!(body.cost_per_unit, None);
        assert_eq!(body.total_cost, Decimal::from_str("36.32").ok());
    }

    #[test]
    fn missing_and_wrong_values_are_named_by_field() {
        let d = FuelDraft {
            fuel_type: "gasoline".into(),
            units: "0".into(),
            price: "abc".into(),
            ..FuelDraft::default()
        };
        let errors = fuel_input(&d, VehicleId(uuid::Uuid::nil()), utc)
            .err()
            .unwrap_or_default();
        for field in ["dateTime", "odometerReading", "fuelUnits", "price"] {
            assert!(errors.contains_key(field), "{field} missing in {errors:?}");
        }
        assert_eq!(price_field("totalCost"), "price");
        assert_eq!(price_field("odometerReading"), "odometerReading");
    }
}
