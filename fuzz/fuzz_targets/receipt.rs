//! Receipt extraction on any text (what Tesseract may return): never panics, every span points at
//! text that is really there, amounts are never negative, and a VIN found is a valid one.
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
    let fields = extract(text);
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
    if let Some(vin) = &fields.vin {
        assert!(mvp_types::Vin::parse(&vin.value).is_ok(), "{}", vin.value);
    }
});
