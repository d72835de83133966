//! Fill-up rules (parse, don't validate). Numbers are in the user's unit system when typed and keep
//! their digits. `totalCost` defaults to `fuelUnits × costPerUnit` rounded half-even to cents; a
//! missing `costPerUnit` is `totalCost ÷ fuelUnits` (4 places); when all three are sent they must
//! agree within one cent.

use chrono::{DateTime, Duration, Timelike as _, Utc};
use mvp_core::validate::optional_text as text;
use mvp_types::FieldError;
use mvp_types::Invalid;
use mvp_types::fuel::{FILL_FUEL_TYPES, FuelLogInput};
use mvp_types::ids::VehicleId;
use mvp_types::limits::{
    COST_PER_UNIT_BELOW, COST_PER_UNIT_DP, DISTANCE_DP, FUEL_GRADE_MAX, FUEL_NOTES_MAX,
    FUEL_ODOMETER_BELOW, FUEL_TOTAL_BELOW, FUEL_UNITS_BELOW, FUEL_UNITS_DP, MONEY_DP,
    STATION_ID_MAX, TEXT_MAX, TRIP_DISTANCE_BELOW,
};
use mvp_types::units::{
    VolumeKind, distance_from_km, distance_to_km, half_even, volume_to_canonical,
};
use mvp_types::user::UnitSystem;
use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFuelLog {
    pub vehicle_id: VehicleId,
    pub date_time: DateTime<Utc>,
    pub units: UnitSystem,
    pub odometer: Option<Decimal>,
    pub trip: Option<Decimal>,
    pub fuel_units: Decimal,
    pub cost_per_unit: Decimal,
    pub total_cost: Decimal,
    pub fuel_type: String,
    pub fuel_grade: Option<String>,
    pub full_fill: bool,
    pub missed_previous: bool,
    pub station_id: Option<String>,
    pub location_name: Option<String>,
    pub notes: Option<String>,
}

impl NewFuelLog {
    pub fn kind(&self) -> VolumeKind {
        kind_of(&self.fuel_type)
    }
    pub fn odometer_km(&self) -> Option<Decimal> {
        self.odometer.map(|o| distance_to_km(o, self.units))
    }
    pub fn trip_km(&self) -> Option<Decimal> {
        self.trip.map(|t| distance_to_km(t, self.units))
    }
    pub fn volume(&self) -> Decimal {
        volume_to_canonical(self.fuel_units, self.units, self.kind())
    }
}

pub fn kind_of(fuel_type: &str) -> VolumeKind {
    if fuel_type == "electric" {
        VolumeKind::Energy
    } else {
        VolumeKind::Liquid
    }
}

impl NewFuelLog {
    /// A fill-up's odometer must be above every earlier fill-up's reading (`before`, the highest at
    /// or before its time) and below every later one's (`after`, the lowest after it), in km.
    pub fn check_odometer(
        &self,
        before: Option<Decimal>,
        after: Option<Decimal>,
    ) -> Result<(), Invalid> {
        let Some(km) = self.odometer_km() else {
            return Ok(());
        };
        let shown = |km: Decimal| distance_from_km(km, self.units);
        if let Some(before) = before.filter(|b| km <= *b) {
            return Err(Invalid::field(
                "odometerReading",
                format!(
                    "must be higher than the reading of an earlier fill-up ({})",
                    shown(before)
                ),
            ));
        }
        if let Some(after) = after.filter(|a| km >= *a) {
            return Err(Invalid::field(
                "odometerReading",
                format!(
                    "must be lower than the reading of a later fill-up ({})",
                    shown(after)
                ),
            ));
        }
        Ok(())
    }
}

fn places(value: Decimal) -> u32 {
    value.normalize().scale()
}

fn number(
    details: &mut Vec<FieldError>,
    field: &str,
    value: Option<Decimal>,
    max_places: u32,
    positive: bool,
    max: Decimal,
) -> Option<Decimal> {
    let value = value?;
    if value.is_sign_negative() && !value.is_zero() {
        details.push(FieldError::new(field, "must not be negative"));
    } else if positive && value.is_zero() {
        details.push(FieldError::new(field, "must be more than zero"));
    } else if places(value) > max_places {
        details.push(FieldError::new(
            field,
            format!("at most {max_places} decimal places"),
        ));
    } else if value >= max {
        details.push(FieldError::new(field, format!("must be less than {max}")));
    } else {
        return Some(value);
    }
    None
}

impl NewFuelLog {
    pub fn parse(input: FuelLogInput, units: UnitSystem) -> Result<Self, Invalid> {
        let mut details = Vec::new();
        let vehicle_id = input.vehicle_id;
        if vehicle_id.is_none() {
            details.push(FieldError::new("vehicleId", "vehicleId is required"));
        }
        // Cut to the microseconds Postgres keeps, so what is compared here is what is stored.
        let date_time = input.date_time.map(|t| {
            t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
                .unwrap_or(t)
        });
        match date_time {
            None => details.push(FieldError::new("dateTime", "dateTime is required")),
            Some(t) if t > Utc::now() + Duration::days(1) => {
                details.push(FieldError::new("dateTime", "must not be in the future"));
            }
            Some(_) => {}
        }
        let odometer = number(
            &mut details,
            "odometerReading",
            input.odometer_reading,
            DISTANCE_DP,
            false,
            Decimal::from(FUEL_ODOMETER_BELOW),
        );
        let trip = number(
            &mut details,
            "tripDistance",
            input.trip_distance,
            DISTANCE_DP,
            true,
            Decimal::from(TRIP_DISTANCE_BELOW),
        );
        if input.odometer_reading.is_none() && input.trip_distance.is_none() {
            details.push(FieldError::new(
                "odometerReading",
                "send odometerReading or tripDistance",
            ));
        }
        let fuel_units = number(
            &mut details,
            "fuelUnits",
            input.fuel_units,
            FUEL_UNITS_DP,
            true,
            Decimal::from(FUEL_UNITS_BELOW),
        );
        if input.fuel_units.is_none() {
            details.push(FieldError::new("fuelUnits", "fuelUnits is required"));
        }
        let cost_per_unit = number(
            &mut details,
            "costPerUnit",
            input.cost_per_unit,
            COST_PER_UNIT_DP,
            false,
            Decimal::from(COST_PER_UNIT_BELOW),
        );
        let total_cost = number(
            &mut details,
            "totalCost",
            input.total_cost,
            MONEY_DP,
            false,
            Decimal::from(FUEL_TOTAL_BELOW),
        );
        if input.cost_per_unit.is_none() && input.total_cost.is_none() {
            details.push(FieldError::new(
                "costPerUnit",
                "send costPerUnit or totalCost",
            ));
        }
        let fuel_type = match input
            .fuel_type
            .map(|f| f.trim().to_lowercase())
            .filter(|f| !f.is_empty())
        {
            Some(f) if FILL_FUEL_TYPES.contains(&f.as_str()) => Some(f),
            Some(f) => {
                details.push(FieldError::new(
                    "fuelType",
                    format!("{f:?} is not one of {}", FILL_FUEL_TYPES.join(", ")),
                ));
                None
            }
            None => {
                details.push(FieldError::new("fuelType", "fuelType is required"));
                None
            }
        };
        let fuel_grade = text(&mut details, "fuelGrade", input.fuel_grade, FUEL_GRADE_MAX);
        let station_id = text(&mut details, "stationId", input.station_id, STATION_ID_MAX);
        let location_name = text(&mut details, "locationName", input.location_name, TEXT_MAX);
        let notes = text(&mut details, "notes", input.notes, FUEL_NOTES_MAX);

        // Unit price and total: either may be given; both must agree.
        let (cost_per_unit, total_cost) = match (fuel_units, cost_per_unit, total_cost) {
            (Some(units), Some(cpu), None) => (Some(cpu), Some(half_even(units * cpu, MONEY_DP))),
            (Some(units), None, Some(total)) => (
                Some(
                    (total / units)
                        .round_dp_with_strategy(
                            COST_PER_UNIT_DP,
                            RoundingStrategy::MidpointNearestEven,
                        )
                        .normalize(),
                ),
                Some(total),
            ),
            (Some(units), Some(cpu), Some(total)) => {
                if (units * cpu - total).abs() > Decimal::new(1, 2) {
                    let message = format!(
                        "fuelUnits × costPerUnit is {}, which differs from totalCost {} by more than one cent",
                        half_even(units * cpu, MONEY_DP),
                        total
                    );
                    details.push(FieldError::new("totalCost", message.clone()));
                    details.push(FieldError::new("costPerUnit", message));
                }
                (Some(cpu), Some(total))
            }
            (_, cpu, total) => (cpu, total),
        };

        match (
            vehicle_id,
            date_time,
            fuel_units,
            cost_per_unit,
            total_cost,
            fuel_type,
        ) {
            (
                Some(vehicle_id),
                Some(date_time),
                Some(fuel_units),
                Some(cost_per_unit),
                Some(total_cost),
                Some(fuel_type),
            ) if details.is_empty() => Ok(Self {
                vehicle_id,
                date_time,
                units,
                odometer,
                trip,
                fuel_units,
                cost_per_unit,
                total_cost,
                fuel_type,
                fuel_grade,
                full_fill: input.full_fill.unwrap_or(true),
                missed_previous: input.missed_previous.unwrap_or(false),
                station_id,
                location_name,
                notes,
            }),
            _ => Err(Invalid(details)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn input() -> FuelLogInput {
        FuelLogInput {
            vehicle_id: Some(VehicleId(uuid::Uuid::nil())),
            date_time: Some(Utc::now()),
            odometer_reading: Some(d("12345.6")),
            fuel_units: Some(d("10.123")),
            cost_per_unit: Some(d("3.459")),
            fuel_type: Some("gasoline".into()),
            ..FuelLogInput::default()
        }
    }

    fn fields(r: Result<NewFuelLog, Invalid>) -> Vec<String> {
        match r {
            Err(Invalid(details)) => details.into_iter().map(|d| d.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_total_defaults_to_units_times_price_rounded_half_even() {
        // 10.123 × 3.459 = 35.015457 → 35.02
        let log =
            NewFuelLog::parse(input(), UnitSystem::Imperial).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(log.total_cost.to_string(), "35.02");
        // 2.5 × 0.25 = 0.625 → half-even 0.62
        let mut i = input();
        i.fuel_units = Some(d("2.5"));
        i.cost_per_unit = Some(d("0.25"));
        let log = NewFuelLog::parse(i, UnitSystem::Imperial).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(log.total_cost.to_string(), "0.62");
    }

    #[test]
    fn a_total_alone_gives_the_unit_price() {
        let mut i = input();
        i.cost_per_unit = None;
        i.total_cost = Some(d("35.02"));
        let log = NewFuelLog::parse(i, UnitSystem::Imperial).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(log.cost_per_unit.to_string(), "3.4594");
        assert_eq!(log.total_cost.to_string(), "35.02");
    }

    #[test]
    fn three_numbers_that_disagree_name_both_fields() {
        let mut i = input();
        i.total_cost = Some(d("36.00"));
        assert_eq!(
            fields(NewFuelLog::parse(i.clone(), UnitSystem::Imperial)),
            ["totalCost", "costPerUnit"]
        );
        i.total_cost = Some(d("35.01"));
        assert!(
            NewFuelLog::parse(i, UnitSystem::Imperial).is_ok(),
            "within a cent"
        );
    }

    #[test]
    fn bad_numbers_name_their_field() {
        let mut i = input();
        i.fuel_units = Some(d("10.1234"));
        assert_eq!(
            fields(NewFuelLog::parse(i, UnitSystem::Imperial)),
            ["fuelUnits"]
        );
        let mut i = input();
        i.fuel_units = Some(d("-1"));
        assert_eq!(
            fields(NewFuelLog::parse(i, UnitSystem::Imperial)),
            ["fuelUnits"]
        );
        let mut i = input();
        i.odometer_reading = None;
        assert_eq!(
            fields(NewFuelLog::parse(i, UnitSystem::Imperial)),
            ["odometerReading"]
        );
        let mut i = input();
        i.fuel_type = Some("coal".into());
        assert_eq!(
            fields(NewFuelLog::parse(i, UnitSystem::Imperial)),
            ["fuelType"]
        );
    }

    #[test]
    fn the_odometer_must_fall_between_the_neighbouring_fill_ups() {
        // 12,345.6 mi is 19,868.04… km.
        let log =
            NewFuelLog::parse(input(), UnitSystem::Imperial).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(log.check_odometer(None, None).is_ok());
        assert!(
            log.check_odometer(Some(d("19000")), Some(d("20000")))
                .is_ok()
        );
        for (before, after) in [(Some(d("19900")), None), (None, Some(d("19800")))] {
            match log.check_odometer(before, after) {
                Err(Invalid(details)) => {
                    assert_eq!(details[0].field, "odometerReading");
                    // The message shows the neighbour in the user's unit (miles here).
                    assert!(details[0].message.contains("123"), "{}", details[0].message);
                }
                other => panic!("{other:?}"),
            }
        }
        let trip_only = NewFuelLog::parse(
            FuelLogInput {
                odometer_reading: None,
                trip_distance: Some(d("300")),
                ..input()
            },
            UnitSystem::Imperial,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            trip_only
                .check_odometer(Some(d("99999")), Some(d("1")))
                .is_ok()
        );
    }
}
