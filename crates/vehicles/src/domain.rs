//! Vehicle rules (parse, don't validate): a `VehicleInput` becomes a `VehicleFields` only when every
//! rule holds; each broken rule names its field. A VIN that decodes fills an empty year, make or
//! model (and trim, engine, fuel type).

use chrono::{Datelike, NaiveDate, Utc};
use mvp_core::validate::{optional_text, single_line_text};
use mvp_types::Invalid;
use mvp_types::limits::{
    FIRST_YEAR, LICENSE_PLATE_MAX, MONEY_DP, NAME_MAX, NOTES_MAX, ODOMETER_MAX,
    PURCHASE_PRICE_BELOW, TEXT_MAX,
};
use mvp_types::platform::VinDecode;
use mvp_types::vehicle::{FUEL_TYPES, VehicleInput};
use mvp_types::{FieldError, Vin};
use rust_decimal::Decimal;

/// Everything stored for a vehicle, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VehicleFields {
    pub vin: Option<Vin>,
    pub year: i32,
    pub make: String,
    pub model: String,
    pub trim_level: Option<String>,
    pub engine: Option<String>,
    pub transmission: Option<String>,
    pub drive_type: Option<String>,
    pub fuel_type: Option<String>,
    pub nickname: Option<String>,
    pub color: Option<String>,
    pub license_plate: Option<String>,
    pub odometer_reading: i64,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_price: Option<Decimal>,
    pub notes: Option<String>,
}

/// Parses just the VIN (so the caller can decode it before the rest is checked).
pub fn parse_vin(input: &VehicleInput) -> Result<Option<Vin>, Invalid> {
    match input
        .vin
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(raw) => Vin::parse(raw)
            .map(Some)
            .map_err(|e| Invalid::field("vin", e.to_string())),
    }
}

impl VehicleFields {
    /// `vin` is the already-parsed VIN; `decoded` what it decoded to, if anything.
    pub fn parse(
        input: VehicleInput,
        vin: Option<Vin>,
        decoded: Option<&VinDecode>,
    ) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        let next_year = Utc::now().year() + 1;
        let year = input.year.or(decoded.and_then(|d| d.year));
        let year = match year {
            None => {
                details.push(FieldError::new("year", "year is required"));
                0
            }
            Some(y) if !(FIRST_YEAR..=next_year).contains(&y) => {
                details.push(FieldError::new(
                    "year",
                    format!("must be between {FIRST_YEAR} and {next_year}"),
                ));
                y
            }
            Some(y) => y,
        };
        // One-line names: trimmed, at most NAME_MAX characters, no control characters; a VIN's
        // decoded value fills an empty one.
        let mut name =
            |field: &str, value: Option<String>, fallback: Option<String>| match single_line_text(
                &mut details,
                field,
                value,
                NAME_MAX,
            )
            .or(fallback)
            {
                None => {
                    details.push(FieldError::new(field, format!("{field} is required")));
                    String::new()
                }
                Some(v) => v,
            };
        let make = name("make", input.make, decoded.and_then(|d| d.make.clone()));
        let model = name("model", input.model, decoded.and_then(|d| d.model.clone()));

        let trim_level = optional_text(&mut details, "trimLevel", input.trim_level, TEXT_MAX)
            .or_else(|| decoded.and_then(|d| d.trim.clone()));
        let engine = optional_text(&mut details, "engine", input.engine, TEXT_MAX)
            .or_else(|| decoded.and_then(|d| d.engine.clone()));
        let transmission =
            optional_text(&mut details, "transmission", input.transmission, TEXT_MAX);
        let drive_type = optional_text(&mut details, "driveType", input.drive_type, TEXT_MAX);
        let nickname = optional_text(&mut details, "nickname", input.nickname, NAME_MAX);
        let color = optional_text(&mut details, "color", input.color, NAME_MAX);
        let license_plate = optional_text(
            &mut details,
            "licensePlate",
            input.license_plate,
            LICENSE_PLATE_MAX,
        );
        let notes = optional_text(&mut details, "notes", input.notes, NOTES_MAX);

        let fuel_type = match input
            .fuel_type
            .map(|f| f.trim().to_lowercase())
            .filter(|f| !f.is_empty())
        {
            Some(fuel) if FUEL_TYPES.contains(&fuel.as_str()) => Some(fuel),
            Some(fuel) => {
                details.push(FieldError::new(
                    "fuelType",
                    format!("{fuel:?} is not one of {}", FUEL_TYPES.join(", ")),
                ));
                None
            }
            None => decoded.and_then(|d| d.fuel_type.clone()),
        };

        let odometer_reading = input.odometer_reading.unwrap_or(0);
        if odometer_reading < 0 {
            details.push(FieldError::new("odometerReading", "must not be negative"));
        } else if odometer_reading > ODOMETER_MAX {
            details.push(FieldError::new(
                "odometerReading",
                format!("at most {ODOMETER_MAX}"),
            ));
        }
        if input
            .purchase_date
            .is_some_and(|d| d > Utc::now().date_naive())
        {
            details.push(FieldError::new("purchaseDate", "must not be in the future"));
        }
        if let Some(price) = input.purchase_price {
            if price.is_sign_negative() {
                details.push(FieldError::new("purchasePrice", "must not be negative"));
            } else if price.scale() > MONEY_DP && price != price.round_dp(MONEY_DP) {
                details.push(FieldError::new(
                    "purchasePrice",
                    format!("at most {MONEY_DP} decimal places"),
                ));
            } else if price >= Decimal::from(PURCHASE_PRICE_BELOW) {
                details.push(FieldError::new("purchasePrice", "is too large"));
            }
        }
        if details.is_empty() {
            Ok(Self {
                vin,
                year,
                make,
                model,
                trim_level,
                engine,
                transmission,
                drive_type,
                fuel_type,
                nickname,
                color,
                license_plate,
                odometer_reading,
                purchase_date: input.purchase_date,
                purchase_price: input.purchase_price,
                notes,
            })
        } else {
            Err(Invalid(details))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> VehicleInput {
        VehicleInput {
            year: Some(2019),
            make: Some(" Honda ".into()),
            model: Some("Civic".into()),
            odometer_reading: Some(42_000),
            ..VehicleInput::default()
        }
    }

    fn fields(result: Result<VehicleFields, Invalid>) -> Vec<String> {
        match result {
            Err(Invalid(details)) => details.into_iter().map(|d| d.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plain_vehicle_parses_trimmed() {
        let v = VehicleFields::parse(input(), None, None).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (v.make.as_str(), v.model.as_str(), v.year),
            ("Honda", "Civic", 2019)
        );
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut i = input();
        i.year = Some(1899);
        i.make = Some("   ".into());
        i.model = Some("x".repeat(51));
        i.odometer_reading = Some(-1);
        i.fuel_type = Some("steam".into());
        i.purchase_price = Some(Decimal::new(-1, 0));
        assert_eq!(
            fields(VehicleFields::parse(i, None, None)),
            [
                "year",
                "make",
                "model",
                "fuelType",
                "odometerReading",
                "purchasePrice"
            ]
        );
    }

    #[test]
    fn make_and_model_are_one_line_without_control_characters() {
        let mut i = input();
        i.make = Some("Hon\nda".into());
        i.model = Some("Civ\u{1b}[31mic".into());
        assert_eq!(
            fields(VehicleFields::parse(i, None, None)),
            ["make", "model"]
        );
    }

    #[test]
    fn a_decoded_vin_fills_what_is_missing_only() {
        let decoded = VinDecode {
            vin: "1HGCM82633A004352".into(),
            valid: true,
            year: Some(2003),
            make: Some("Honda".into()),
            model: Some("Accord".into()),
            trim: Some("EX".into()),
            engine: Some("3.0L V6".into()),
            body_class: None,
            fuel_type: Some("gasoline".into()),
            manufacturer: None,
            plant_country: None,
        };
        let mut i = VehicleInput {
            nickname: Some("Daily".into()),
            ..VehicleInput::default()
        };
        i.model = Some("Accord Coupe".into());
        let v = VehicleFields::parse(i, None, Some(&decoded)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(v.year, 2003);
        assert_eq!(v.make, "Honda");
        assert_eq!(v.model, "Accord Coupe");
        assert_eq!(v.engine.as_deref(), Some("3.0L V6"));
    }

    #[test]
    fn prices_keep_their_digits_and_refuse_fractions_of_cents() {
        let mut i = input();
        i.purchase_price = Some(Decimal::new(1299950, 2));
        let v = VehicleFields::parse(i.clone(), None, None).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            v.purchase_price.map(|p| p.to_string()).as_deref(),
            Some("12999.50")
        );
        i.purchase_price = Some(Decimal::new(12999505, 3));
        assert_eq!(
            fields(VehicleFields::parse(i, None, None)),
            ["purchasePrice"]
        );
    }
}
