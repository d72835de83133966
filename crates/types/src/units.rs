//! Units and exact conversions. Distances and volumes are kept as entered and converted with exact
//! decimal factors (1 US gallon = 3.785411784 L, 1 mile = 1.609344 km, both exact by definition).
//! Multiplying by a factor is exact; dividing may not terminate, so results shown in the other system
//! are rounded to `DISPLAY_DP` places — the stored value is never the rounded one.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::user::UnitSystem;

/// Litres in one US gallon.
pub const LITRES_PER_GALLON: Decimal = Decimal::from_parts(3_785_411_784, 0, 0, false, 9);
/// Kilometres in one international mile.
pub const KM_PER_MILE: Decimal = Decimal::from_parts(1_609_344, 0, 0, false, 6);
/// Places kept when a value is shown in the system it was not entered in.
pub const DISPLAY_DP: u32 = 6;

/// Whether a volume is fuel by volume (converted) or electricity (kWh, never converted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeKind {
    Liquid,
    Energy,
}

/// Rounded half-even (banker's rounding) to `dp` places and written with exactly `dp` places, so
/// money and totals read alike (`30.00`, `32.000`): the one rounding every capsule uses.
pub fn half_even(value: Decimal, dp: u32) -> Decimal {
    let mut value = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
    value.rescale(dp);
    value
}

fn shown(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(DISPLAY_DP, RoundingStrategy::MidpointNearestEven)
        .normalize()
}

/// A distance entered in `from`, in kilometres (exact).
pub fn distance_to_km(value: Decimal, from: UnitSystem) -> Decimal {
    match from {
        UnitSystem::Metric => value,
        UnitSystem::Imperial => value * KM_PER_MILE,
    }
}

/// A distance in kilometres, in `to`'s unit (exact for metric; rounded for miles).
pub fn distance_from_km(km: Decimal, to: UnitSystem) -> Decimal {
    match to {
        UnitSystem::Metric => km,
        UnitSystem::Imperial => shown(km / KM_PER_MILE),
    }
}

/// A length in kilometres as a whole number of `to`'s unit (half-even): exact when the length was
/// entered in `to` as a whole number, since the factor is exact both ways.
pub fn whole_distance(km: Decimal, to: UnitSystem) -> i64 {
    let value = match to {
        UnitSystem::Metric => km,
        UnitSystem::Imperial => km / KM_PER_MILE,
    };
    value
        .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven)
        .try_into()
        .unwrap_or(i64::MAX)
}

/// A whole-number distance — an odometer reading, a service interval — as it was entered, the unit
/// system it was entered in, and its exact length in kilometres (what comparisons use). Shown in
/// the system it was entered in it is the number typed; in the other, the length converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub entered: i64,
    pub units: UnitSystem,
    pub km: Decimal,
}

impl Reading {
    /// `value` typed in `units`.
    pub fn entered(value: i64, units: UnitSystem) -> Self {
        Self {
            entered: value,
            units,
            km: distance_to_km(Decimal::from(value), units),
        }
    }

    /// The reading in `to`'s unit as a whole number.
    pub fn shown(&self, to: UnitSystem) -> i64 {
        if self.units == to {
            self.entered
        } else {
            whole_distance(self.km, to)
        }
    }

    /// `value` sent back in `units` where `old` was stored: when it is what `old` shows in `units`
    /// (a form saved without touching the field), the same length — its kilometres kept exactly —,
    /// else a new entry. So a reading entered in miles and re-saved by a metric user does not drift.
    pub fn resent(old: Option<Self>, value: i64, units: UnitSystem) -> Self {
        match old {
            Some(old) if old.shown(units) == value => Self {
                entered: value,
                units,
                km: old.km,
            },
            _ => Self::entered(value, units),
        }
    }

    /// A length known in kilometres (the highest of several readings, say), shown as `units`.
    pub fn of_km(km: Decimal, units: UnitSystem) -> Self {
        Self {
            entered: whole_distance(km, units),
            units,
            km,
        }
    }
}

/// A volume entered in `from`, in litres (or kWh, unchanged).
pub fn volume_to_canonical(value: Decimal, from: UnitSystem, kind: VolumeKind) -> Decimal {
    match (from, kind) {
        (UnitSystem::Imperial, VolumeKind::Liquid) => value * LITRES_PER_GALLON,
        _ => value,
    }
}

/// A canonical volume (litres or kWh), in `to`'s unit.
pub fn volume_from_canonical(value: Decimal, to: UnitSystem, kind: VolumeKind) -> Decimal {
    match (to, kind) {
        (UnitSystem::Imperial, VolumeKind::Liquid) => shown(value / LITRES_PER_GALLON),
        _ => value,
    }
}

/// A price per entered volume unit, in `to`'s unit (per gallon ↔ per litre).
pub fn price_per_unit(
    value: Decimal,
    from: UnitSystem,
    to: UnitSystem,
    kind: VolumeKind,
) -> Decimal {
    match (from, to, kind) {
        (UnitSystem::Imperial, UnitSystem::Metric, VolumeKind::Liquid) => {
            shown(value / LITRES_PER_GALLON)
        }
        (UnitSystem::Metric, UnitSystem::Imperial, VolumeKind::Liquid) => value * LITRES_PER_GALLON,
        _ => value,
    }
}

/// How fuel economy is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EfficiencyUnit {
    Mpg,
    LPer100km,
    KmPerL,
    MiPerKwh,
    KwhPer100km,
    KmPerKwh,
}

impl EfficiencyUnit {
    /// The unit to show: the user's choice (`mpg`, `l_per_100km`, `km_per_l`) or the unit system's
    /// usual one; for electricity the matching per-kWh unit.
    pub fn for_user(system: UnitSystem, kind: VolumeKind, preferred: Option<&str>) -> Self {
        let liquid = match (preferred, system) {
            (Some("mpg"), _) => Self::Mpg,
            (Some("l_per_100km"), _) => Self::LPer100km,
            (Some("km_per_l"), _) => Self::KmPerL,
            (_, UnitSystem::Imperial) => Self::Mpg,
            (_, UnitSystem::Metric) => Self::LPer100km,
        };
        match (kind, liquid) {
            (VolumeKind::Liquid, unit) => unit,
            (VolumeKind::Energy, Self::Mpg) => Self::MiPerKwh,
            (VolumeKind::Energy, Self::KmPerL) => Self::KmPerKwh,
            (VolumeKind::Energy, _) => Self::KwhPer100km,
        }
    }

    /// The preference values a user may choose.
    pub const CHOICES: &'static [&'static str] = &["mpg", "l_per_100km", "km_per_l"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mpg => "mpg",
            Self::LPer100km => "l_per_100km",
            Self::KmPerL => "km_per_l",
            Self::MiPerKwh => "mi_per_kwh",
            Self::KwhPer100km => "kwh_per_100km",
            Self::KmPerKwh => "km_per_kwh",
        }
    }

    /// Economy from a distance in km and a canonical volume (litres or kWh), rounded to 2 places.
    pub fn compute(self, km: Decimal, volume: Decimal) -> Option<Decimal> {
        if km <= Decimal::ZERO || volume <= Decimal::ZERO {
            return None;
        }
        let hundred = Decimal::ONE_HUNDRED;
        let value = match self {
            Self::Mpg => (km / KM_PER_MILE) / (volume / LITRES_PER_GALLON),
            Self::MiPerKwh => (km / KM_PER_MILE) / volume,
            Self::LPer100km | Self::KwhPer100km => volume / km * hundred,
            Self::KmPerL | Self::KmPerKwh => km / volume,
        };
        Some(half_even(value, 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn the_factors_are_the_legal_definitions() {
        assert_eq!(LITRES_PER_GALLON.to_string(), "3.785411784");
        assert_eq!(KM_PER_MILE.to_string(), "1.609344");
    }

    #[test]
    fn imperial_to_metric_is_exact_and_back_again() {
        let gallons = d("12.345");
        let litres = volume_to_canonical(gallons, UnitSystem::Imperial, VolumeKind::Liquid);
        assert_eq!(litres, d("46.730908473480"));
        assert_eq!(
            volume_from_canonical(litres, UnitSystem::Imperial, VolumeKind::Liquid),
            gallons
        );
        let miles = d("321.7");
        assert_eq!(
            distance_from_km(
                distance_to_km(miles, UnitSystem::Imperial),
                UnitSystem::Imperial
            ),
            miles
        );
    }

    #[test]
    fn readings_keep_what_was_typed_and_convert_the_length() {
        // The figures: 10,000 mi is 16,093 km; 16,500 km is 10,253 mi.
        let miles = Reading::entered(10_000, UnitSystem::Imperial);
        assert_eq!(miles.km, d("16093.440000"));
        assert_eq!(miles.shown(UnitSystem::Metric), 16_093);
        assert_eq!(miles.shown(UnitSystem::Imperial), 10_000);
        let km = Reading::entered(16_500, UnitSystem::Metric);
        assert_eq!(km.shown(UnitSystem::Imperial), 10_253);
        assert_eq!(km.shown(UnitSystem::Metric), 16_500);
        // Re-saved unchanged by a metric user: the length is the same, not 16,093 km.
        let again = Reading::resent(Some(miles), 16_093, UnitSystem::Metric);
        assert_eq!(again.km, miles.km);
        assert_eq!(again.shown(UnitSystem::Imperial), 10_000);
        // Changed: a new entry.
        let changed = Reading::resent(Some(miles), 16_100, UnitSystem::Metric);
        assert_eq!(changed, Reading::entered(16_100, UnitSystem::Metric));
        // A whole number of miles round-trips exactly through kilometres.
        for m in [0_i64, 1, 499, 10_000, 123_457, 99_999_999] {
            let r = Reading::entered(m, UnitSystem::Imperial);
            assert_eq!(whole_distance(r.km, UnitSystem::Imperial), m);
        }
    }

    #[test]
    fn electricity_is_never_converted() {
        let kwh = d("54.2");
        assert_eq!(
            volume_to_canonical(kwh, UnitSystem::Imperial, VolumeKind::Energy),
            kwh
        );
    }

    #[test]
    fn economy_in_each_unit() {
        // 300 miles on 10 gallons = 30 mpg = 7.84 l/100km = 12.75 km/l.
        let km = distance_to_km(d("300"), UnitSystem::Imperial);
        let litres = volume_to_canonical(d("10"), UnitSystem::Imperial, VolumeKind::Liquid);
        assert_eq!(EfficiencyUnit::Mpg.compute(km, litres), Some(d("30.00")));
        assert_eq!(
            EfficiencyUnit::LPer100km.compute(km, litres),
            Some(d("7.84"))
        );
        assert_eq!(EfficiencyUnit::KmPerL.compute(km, litres), Some(d("12.75")));
        assert_eq!(EfficiencyUnit::Mpg.compute(Decimal::ZERO, litres), None);
    }
}
