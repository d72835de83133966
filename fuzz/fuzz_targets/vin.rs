//! `Vin::parse` on any text: never panics; what it accepts is 17 characters of the VIN alphabet that
//! parse again to the same VIN, and the OCR's VIN resolver only ever returns such a VIN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mvp_types::Vin;

fuzz_target!(|text: &str| {
    if let Ok(vin) = Vin::parse(text) {
        let shown = vin.to_string();
        assert_eq!(shown.len(), 17, "{shown}");
        assert!(
            shown
                .chars()
                .all(|c| c.is_ascii_alphanumeric() && !"IOQ".contains(c))
        );
        assert_eq!(Vin::parse(&shown).ok(), Some(vin));
    }
    if let Some(vin) = mvp_ocr::vin::resolve(text) {
        assert!(Vin::parse(&vin.to_string()).is_ok());
    }
});
