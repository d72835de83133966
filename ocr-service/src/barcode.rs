//! Barcodes in a photo (rxing, a port of ZXing): VIN labels and registration cards carry the VIN as
//! Code 39, Code 128, Data Matrix or QR. A decoded VIN is exact where OCR guesses, so a 17-character
//! reading that passes the check digit wins over the recognised text.

use std::collections::HashSet;

use image::GrayImage;
use mvp_types::Vin;
use rxing::{BarcodeFormat, DecodeHints};
use serde::Serialize;

use crate::photo;

/// The longest side barcodes are searched at.
const MAX_SIDE: u32 = 2000;

/// One decoded barcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Barcode {
    /// `code39`, `code128`, `datamatrix` or `qr`.
    pub format: &'static str,
    pub text: String,
}

fn format_name(format: &BarcodeFormat) -> &'static str {
    match format {
        BarcodeFormat::CODE_39 => "code39",
        BarcodeFormat::CODE_128 => "code128",
        BarcodeFormat::DATA_MATRIX => "datamatrix",
        BarcodeFormat::QR_CODE => "qr",
        _ => "other",
    }
}

/// Every barcode of the four kinds the image holds (none when it holds none; decoding errors are
/// "nothing found", never a failure of the request).
pub fn decode(grey: &GrayImage) -> Vec<Barcode> {
    // A phone's 12 Mpx frame is searched at 2,000 px: bars stay several pixels wide, and the search
    // (which tries hard: rows, rotations) stays well under a second.
    let grey = photo::bounded(grey.clone(), MAX_SIDE);
    let found = decode_as_is(&grey);
    if !found.is_empty() {
        return found;
    }
    // Tilted bars blur into one another along a row: level the image by its lines and look again,
    // then once more with light evened out by a local threshold.
    let level = photo::rotated(&grey, photo::skew_degrees(&grey, 8.0));
    let found = decode_as_is(&level);
    if !found.is_empty() {
        return found;
    }
    decode_as_is(&photo::sauvola(&level, 0.2))
}

fn decode_as_is(grey: &GrayImage) -> Vec<Barcode> {
    let (width, height) = grey.dimensions();
    if width == 0 || height == 0 {
        return Vec::new();
    }
    let mut hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([
            BarcodeFormat::CODE_39,
            BarcodeFormat::CODE_128,
            BarcodeFormat::DATA_MATRIX,
            BarcodeFormat::QR_CODE,
        ])),
        TryHarder: Some(true),
        ..DecodeHints::default()
    };
    let found = rxing::helpers::detect_multiple_in_luma_with_hints(
        grey.as_raw().clone(),
        width,
        height,
        &mut hints,
    )
    .unwrap_or_default();
    let mut out: Vec<Barcode> = Vec::new();
    for result in found {
        let barcode = Barcode {
            format: format_name(result.getBarcodeFormat()),
            text: result.getText().to_owned(),
        };
        if !out.contains(&barcode) {
            out.push(barcode);
        }
    }
    out
}

/// The first VIN a barcode spells: 17 letters and digits in a row that pass the check digit, taken
/// from anywhere in the text (a Code 39 label may add a leading "I" for imported vehicles, a QR code
/// on a registration card holds other fields around it).
pub fn vin_in(barcodes: &[Barcode]) -> Option<Vin> {
    barcodes.iter().find_map(|barcode| {
        barcode
            .text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|run| run.len() >= 17)
            .find_map(|run| {
                (0..=run.len() - 17).find_map(|offset| Vin::parse(&run[offset..offset + 17]).ok())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Barcode {
        Barcode {
            format: "code39",
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_vin_is_found_in_what_a_barcode_says() {
        let vin = |codes: &[Barcode]| vin_in(codes).map(String::from);
        assert_eq!(
            vin(&[code("1HGCM82633A004352")]).as_deref(),
            Some("1HGCM82633A004352")
        );
        // The import prefix of a door-jamb label.
        assert_eq!(
            vin(&[code("I1HGCM82633A004352")]).as_deref(),
            Some("1HGCM82633A004352")
        );
        // Inside a registration card's QR payload.
        assert_eq!(
            vin(&[code("REG:AB123CD;VIN:1HGCM82633A004352;EXP:2027-01-31")]).as_deref(),
            Some("1HGCM82633A004352")
        );
        // A wrong check digit is not a VIN; a part number is not one either.
        assert_eq!(vin(&[code("1HGCM82633A004353")]), None);
        assert_eq!(vin(&[code("PN-55512-ABC")]), None);
    }
}
