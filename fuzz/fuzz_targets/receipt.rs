//! Receipt extraction on any text (what Tesseract may return): never panics, every span points at
//! text that is really there, amounts are never negative, a VIN found is a valid one, a date is
//! never after tomorrow or before 1990, and volume × price disagrees with the total only where
//! `consistent` says false.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mvp_ocr::extract::{Found, extract};

fn in_text<T>(text: &str, found: &Option<Found<T>>) {
    if let Some(f) = found {
        assert!(
            f.start <= f.end && text.get(f.start..f.end).is_some(),
            "span {}..{}",
            f.start,
            f.end
        );
    }
}

fuzz_target!(|text: &str| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let fields = extract(text, today);
    in_text(text, &fields.vin);
    in_text(text, &fields.date);
    in_text(text, &fields.total_cost);
    in_text(text, &fields.fuel_units);
    in_text(text, &fields.cost_per_unit);
    in_text(text, &fields.odometer_reading);
    in_text(text, &fields.station_name);
    for amount in [
        &fields.total_cost,
        &fields.fuel_units,
        &fields.cost_per_unit,
    ]
    .into_iter()
    .flatten()
    {
        assert!(!amount.value.is_sign_negative(), "{}", amount.value);
    }
    if let Some(date) = &fields.date {
        let earliest = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
        assert!(
            date.value >= earliest && date.value <= today + chrono::Days::new(1),
            "{}",
            date.value
        );
    }
    if let (Some(g), Some(p), Some(t)) = (
        &fields.fuel_units,
        &fields.cost_per_unit,
        &fields.total_cost,
    ) && fields.consistent != Some(false)
    {
        let product = (g.value * p.value)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        assert!(
            (product - t.value).abs() <= rust_decimal::Decimal::new(1, 2),
            "{} × {} vs {}",
            g.value,
            p.value,
            t.value
        );
    }
    if let Some(vin) = &fields.vin {
        assert!(mvp_types::Vin::parse(&vin.value).is_ok(), "{}", vin.value);
    }
});
