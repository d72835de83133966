//! The vehicle form's data as typed, the client-side copy of the API's rules, and the body it sends
//! (pure, so `cargo test` checks it natively).

use std::collections::BTreeMap;

use mvp_types::vehicle::VehicleInput;
use mvp_types::Vin;

use crate::format::parse_decimal;

/// What the vehicle form holds, as typed.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct VehicleDraft {
    pub vin: String,
    pub year: String,
    pub make: String,
    pub model: String,
    pub trim: String,
    pub engine: String,
    pub fuel_type: String,
    pub nickname: String,
    pub color: String,
    pub plate: String,
    pub odometer: String,
    pub purchase_date: String,
    pub purchase_price: String,
    pub notes: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Client-side rules (the API's, so most mistakes never leave the browser) and the body to send.
pub fn vehicle_input(d: &VehicleDraft) -> Result<VehicleInput, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let mut err = |k: &str, m: &str| {
        errors.insert(k.to_owned(), m.to_owned());
    };
    let vin = match opt(&d.vin) {
        Some(v) => match Vin::parse(&v) {
            Ok(vin) => Some(vin.as_str().to_owned()),
            Err(e) => {
                err("vin", &e.to_string());
                None
            }
        },
        None => None,
    };
    let year = d.year.trim().parse::<i32>().ok();
    if year.is_none() {
        err("year", "Choose the model year");
    }
    if opt(&d.make).is_none() {
        err("make", "Choose the make");
    }
    if opt(&d.model).is_none() {
        err("model", "Choose the model");
    }
    let odometer = match d.odometer.trim().replace(',', "") {
        s if s.is_empty() => Some(0),
        s => match s.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                err("odometerReading", "Enter a whole number, 0 or more");
                None
            }
        },
    };
    let purchase_date = match opt(&d.purchase_date) {
        Some(s) => match chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                err("purchaseDate", "Enter a date");
                None
            }
        },
        None => None,
    };
    let purchase_price = match parse_decimal(&d.purchase_price) {
        Ok(Some(p)) if p.is_sign_negative() => {
            err("purchasePrice", "Must not be negative");
            None
        }
        Ok(p) => p,
        Err(m) => {
            err("purchasePrice", m);
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(VehicleInput {
        vin,
        year,
        make: opt(&d.make),
        model: opt(&d.model),
        trim_level: opt(&d.trim),
        engine: opt(&d.engine),
        fuel_type: opt(&d.fuel_type),
        nickname: opt(&d.nickname),
        color: opt(&d.color),
        license_plate: opt(&d.plate),
        odometer_reading: odometer,
        purchase_date,
        purchase_price,
        notes: opt(&d.notes),
        ..VehicleInput::default()
    })
}

pub fn capitalise(s: &str) -> String {
    match s {
        "e85" => "E85".to_owned(),
        "lpg" | "cng" => s.to_uppercase(),
        _ => {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> VehicleDraft {
        VehicleDraft {
            year: "2024".into(),
            make: "Honda".into(),
            model: "Civic".into(),
            odometer: "12,000".into(),
            ..VehicleDraft::default()
        }
    }

    #[test]
    fn a_complete_draft_becomes_the_api_body() {
        let body = vehicle_input(&draft()).unwrap_or_default();
        assert_eq!(body.year, Some(2024));
        assert_eq!(body.make.as_deref(), Some("Honda"));
        assert_eq!(body.odometer_reading, Some(12000));
        assert_eq!(body.vin, None);
    }

    #[test]
    fn the_api_rules_are_checked_before_sending() {
        let mut d = draft();
        d.year.clear();
        d.vin = "1HGCM82633A004353".into(); // wrong check digit
        d.odometer = "-5".into();
        let errors = vehicle_input(&d).err().unwrap_or_default();
        assert!(errors.contains_key("year"));
        assert!(errors.contains_key("vin"));
        assert!(errors.contains_key("odometerReading"));
        let mut ok = draft();
        ok.vin = "1hgcm82633a004352".into();
        assert_eq!(
            vehicle_input(&ok).ok().and_then(|b| b.vin).as_deref(),
            Some("1HGCM82633A004352")
        );
    }
}
