//! Fuel economy, one pass over a vehicle's logs in order: each log's segment is its trip distance or
//! its odometer minus the previous known odometer; fuel and distance accumulate from one full fill to
//! the next (partial fills in between add their fuel and distance); the interval a full fill closes is
//! valid only if a full fill opened it and no log in it has `missedPrevious`. Electricity and liquid
//! fuel form separate chains over the same distance (a plug-in hybrid's mpg counts every mile). All
//! values are canonical (km, litres or kWh).

use rust_decimal::Decimal;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub id: Uuid,
    pub odometer_km: Option<Decimal>,
    pub trip_km: Option<Decimal>,
    pub volume: Decimal,
    pub full_fill: bool,
    pub missed_previous: bool,
    pub electric: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Computed {
    pub segment_km: Option<Decimal>,
    pub interval_km: Option<Decimal>,
    pub interval_volume: Option<Decimal>,
}

#[derive(Debug, Clone, Default)]
struct ChainState {
    open: bool,
    km: Option<Decimal>,
    volume: Decimal,
}

/// Computes every point's values; `points` must be in time order (ties by odometer).
pub fn compute(points: &[Point]) -> Vec<Computed> {
    let mut last_odometer: Option<Decimal> = None;
    let mut liquid = ChainState::default();
    let mut electric = ChainState::default();
    points
        .iter()
        .map(|p| {
            let segment = match (p.trip_km, p.odometer_km, last_odometer) {
                (Some(trip), _, _) => Some(trip),
                (None, Some(odo), Some(prev)) => Some(odo - prev),
                _ => None,
            };
            last_odometer = match (p.odometer_km, p.trip_km, last_odometer) {
                (Some(odo), _, _) => Some(odo),
                (None, Some(trip), Some(prev)) => Some(prev + trip),
                (None, _, _) => None,
            };
            // Distance is distance: both chains see every segment; each counts only its own energy.
            for chain in [&mut liquid, &mut electric] {
                chain.km = match (chain.km, segment) {
                    (Some(km), Some(seg)) => Some(km + seg),
                    _ => None,
                };
            }
            let chain = if p.electric {
                &mut electric
            } else {
                &mut liquid
            };
            if p.missed_previous {
                chain.open = false;
            }
            chain.volume += p.volume;
            let mut out = Computed {
                segment_km: segment,
                ..Computed::default()
            };
            if p.full_fill {
                if let Some(km) = chain.km.filter(|km| chain.open && *km > Decimal::ZERO) {
                    out.interval_km = Some(km);
                    out.interval_volume = Some(chain.volume);
                }
                *chain = ChainState {
                    open: true,
                    km: Some(Decimal::ZERO),
                    volume: Decimal::ZERO,
                };
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn fill(odo: &str, volume: &str) -> Point {
        Point {
            id: Uuid::nil(),
            odometer_km: Some(d(odo)),
            trip_km: None,
            volume: d(volume),
            full_fill: true,
            missed_previous: false,
            electric: false,
        }
    }

    fn intervals(points: &[Point]) -> Vec<Option<(Decimal, Decimal)>> {
        compute(points)
            .into_iter()
            .map(|c| c.interval_km.zip(c.interval_volume))
            .collect()
    }

    #[test]
    fn the_first_log_ever_has_no_economy() {
        assert_eq!(intervals(&[fill("1000", "40")]), vec![None]);
    }

    #[test]
    fn only_full_fills() {
        let logs = [fill("1000", "40"), fill("1500", "35"), fill("2100", "42")];
        assert_eq!(
            intervals(&logs),
            vec![None, Some((d("500"), d("35"))), Some((d("600"), d("42")))]
        );
    }

    #[test]
    fn a_partial_fill_adds_its_fuel_to_the_next_interval() {
        let mut partial = fill("1300", "15");
        partial.full_fill = false;
        let logs = [fill("1000", "40"), partial, fill("1600", "25")];
        assert_eq!(
            intervals(&logs),
            vec![None, None, Some((d("600"), d("40")))]
        );
        assert_eq!(compute(&logs)[1].segment_km, Some(d("300")));
    }

    #[test]
    fn a_missed_fill_up_breaks_the_chain_once() {
        let mut missed = fill("2500", "30");
        missed.missed_previous = true;
        let logs = [
            fill("1000", "40"),
            fill("1500", "35"),
            missed,
            fill("3000", "36"),
        ];
        assert_eq!(
            intervals(&logs),
            vec![
                None,
                Some((d("500"), d("35"))),
                None,
                Some((d("500"), d("36")))
            ]
        );
    }

    #[test]
    fn trip_distance_logs_count_their_trip() {
        let mut a = fill("0", "40");
        a.odometer_km = None;
        a.trip_km = Some(d("0"));
        let mut b = a.clone();
        b.trip_km = Some(d("412.5"));
        b.volume = d("37.5");
        assert_eq!(
            intervals(&[a, b]),
            vec![None, Some((d("412.5"), d("37.5")))]
        );
    }

    #[test]
    fn electric_and_liquid_chains_are_separate() {
        let mut charge = fill("1200", "20");
        charge.electric = true;
        let logs = [fill("1000", "40"), charge, fill("1500", "30")];
        let out = intervals(&logs);
        assert_eq!(out[1], None, "first charge opens the electric chain");
        assert_eq!(
            out[2],
            Some((d("500"), d("30"))),
            "liquid chain unaffected by the charge's fuel"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use mvp_types::units::{
        EfficiencyUnit, VolumeKind, distance_from_km, distance_to_km, volume_from_canonical,
        volume_to_canonical,
    };
    use mvp_types::user::UnitSystem;
    use proptest::prelude::*;

    fn decimal(max: i64, dp: u32) -> impl Strategy<Value = Decimal> {
        (1..max).prop_map(move |n| Decimal::new(n, dp))
    }

    proptest! {
        /// Every value typed in imperial units survives imperial → metric → imperial exactly.
        #[test]
        fn imperial_metric_imperial_is_exact(
            gallons in proptest::collection::vec(decimal(100_000, 3), 1..30),
            miles in proptest::collection::vec(decimal(10_000_000, 1), 1..30),
        ) {
            for g in gallons {
                let litres = volume_to_canonical(g, UnitSystem::Imperial, VolumeKind::Liquid);
                prop_assert_eq!(volume_from_canonical(litres, UnitSystem::Imperial, VolumeKind::Liquid), g);
            }
            for m in miles {
                let km = distance_to_km(m, UnitSystem::Imperial);
                prop_assert_eq!(distance_from_km(km, UnitSystem::Imperial), m);
            }
        }

        /// For a run of full fills, the chain's average economy equals the odometer span divided by the
        /// fuel bought after the first fill, computed independently.
        #[test]
        fn the_average_is_total_distance_over_total_fuel(
            steps in proptest::collection::vec((decimal(80_000, 1), decimal(80_000, 3)), 2..40),
        ) {
            let mut odometer = Decimal::new(1000, 0);
            let mut points = Vec::new();
            for (i, (distance, fuel)) in steps.iter().enumerate() {
                if i > 0 {
                    odometer += *distance;
                }
                points.push(Point {
                    id: Uuid::nil(),
                    odometer_km: Some(distance_to_km(odometer, UnitSystem::Imperial)),
                    trip_km: None,
                    volume: volume_to_canonical(*fuel, UnitSystem::Imperial, VolumeKind::Liquid),
                    full_fill: true,
                    missed_previous: false,
                    electric: false,
                });
            }
            let computed = compute(&points);
            let km: Decimal = computed.iter().filter_map(|c| c.interval_km).sum();
            let volume: Decimal = computed.iter().filter_map(|c| c.interval_volume).sum();
            let average = EfficiencyUnit::Mpg.compute(km, volume);

            let miles = odometer - Decimal::new(1000, 0);
            let gallons: Decimal = steps.iter().skip(1).map(|(_, f)| *f).sum();
            let expected = (miles / gallons).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
            prop_assert_eq!(average, Some(expected));
        }
    }
}
