//! Image bytes as a user uploads them: `mvp_imaging::decode` never panics, and never returns an image
//! over its bounds (small here, so the fuzzer reaches the limits; libFuzzer's -rss_limit_mb catches a
//! decoder that allocates past them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mvp_imaging::{Bounds, decode};

const BOUNDS: Bounds = Bounds {
    max_side: 2048,
    max_pixels: 1_000_000,
    max_decoded_bytes: 8 * 1024 * 1024,
};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(decoded) = decode(bytes, None, BOUNDS) {
        let (w, h) = (decoded.image.width(), decoded.image.height());
        assert!(w <= BOUNDS.max_side && h <= BOUNDS.max_side);
        assert!(u64::from(w) * u64::from(h) <= BOUNDS.max_pixels);
        assert!(decoded.image.as_bytes().len() as u64 <= BOUNDS.max_decoded_bytes);
    }
});
