//! Fields in recognised receipt or plate text, each with the byte span it came from, so the SPA can
//! show the user where a prefilled value was read. Nothing here is stored: the user confirms the form.

mod date;
mod money;
mod station;

use std::str::FromStr;
use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;
use rust_decimal::Decimal;
use serde::Serialize;

/// A value and where it stands in the text (`text[start..end]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found<T> {
    pub value: T,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extracted {
    pub vin: Option<Found<String>>,
    pub date: Option<Found<NaiveDate>>,
    pub total_cost: Option<Found<Decimal>>,
    pub fuel_units: Option<Found<Decimal>>,
    pub cost_per_unit: Option<Found<Decimal>>,
    pub odometer_reading: Option<Found<i64>>,
    pub station_name: Option<Found<String>>,
    /// Volume × price = total within a cent (`None`: not all three read); see `money.rs`.
    #[serde(skip)]
    pub consistent: Option<bool>,
    /// The field the money check put right, if any.
    #[serde(skip)]
    pub corrected: Option<&'static str>,
}

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

macro_rules! pattern {
    ($name:ident, $text:expr) => {
        fn $name() -> Option<&'static Regex> {
            static CELL: OnceLock<Option<Regex>> = OnceLock::new();
            re(&CELL, $text)
        }
    };
}

// A decimal point as photos of thermal print come back: `.` or `,`, doubled ("4..379") or followed by
// a space ("3. 359") when the dot is faint; `decimal` reads them all as one point.
pattern!(money, r"\$?\s?(\d{1,6}(?:[.,] ?){1,2}\d{2})\b");
pattern!(
    volume_after,
    r"(?i)\b(\d{1,4}(?:[.,] ?){1,2}\d{1,3})\s*(?:gal(?:lon)?s?|ltrs?|lit(?:re|er)s?|l)\b"
);
pattern!(
    volume_before,
    r"(?i)\b(?:gal(?:lon)?s?|volume|qty|litres|liters)\b\s*:?\s*(\d{1,4}(?:[.,:] ?){1,2}\d{1,3})\b"
);
// Between the label and the amount: spaces, a colon, or the dashes and bars a photo adds. Four bare
// digits after the label are a price whose point faded ("$2956": 2.956, see `price`).
pattern!(
    price_labelled,
    r"(?i)(?:price\s*/\s*(?:gal|l|ltr)|price|ppg|per\s+gal(?:lon)?|@)[\s:=|_\-—–]*\$?\s?(\d{1,3}(?:[.,:] ?){1,2}\d{2,4}|\d{4})\b"
);
pattern!(
    price_per,
    r"(?i)\$?(\d{1,3}[.,]\d{2,4})\s*/\s*(?:gal|g|l|ltr)\b"
);
pattern!(
    odometer,
    r"(?i)\b(?:odometer|odo|mileage)\b\s*:?\s*(\d{1,7})\b"
);
pattern!(vin_run, r"[A-Za-z0-9]{17,}");

/// A number as printed: a decimal comma (European receipts) or a colon misread for the point (in a
/// labelled field) counts as the point.
fn decimal(text: &str) -> Option<Decimal> {
    let mut number = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let c = if matches!(c, ',' | ':') { '.' } else { c };
        if !(c == '.' && number.ends_with('.')) {
            number.push(c);
        }
    }
    Decimal::from_str(&number).ok()
}

/// A unit price as printed: as [`decimal`], and four bare digits as d.ddd (a pump's price per
/// gallon or litre has three decimals; the point is what a faded print loses).
fn unit_price(text: &str) -> Option<Decimal> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        return decimal(&format!("{}.{}", &text[..1], &text[1..]));
    }
    decimal(text)
}

/// Lines with their byte offsets.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']))
    })
}

fn first_capture(res: &[Option<&'static Regex>], text: &str) -> Option<(String, usize, usize)> {
    res.iter()
        .flatten()
        .filter_map(|re| re.captures(text).and_then(|c| c.get(1)))
        .min_by_key(|m| m.start())
        .map(|m| (m.as_str().to_owned(), m.start(), m.end()))
}

fn vin(text: &str) -> Option<Found<String>> {
    let run = vin_run()?;
    for m in run.find_iter(text) {
        let s = m.as_str();
        for offset in 0..=s.len().saturating_sub(17) {
            if let Some(vin) = crate::vin::resolve(&s[offset..offset + 17]) {
                let start = m.start() + offset;
                return Some(Found {
                    value: vin.into(),
                    start,
                    end: start + 17,
                });
            }
        }
    }
    vin_across_spaces(text)
}

/// A VIN the recogniser split with a space or two ("ANAWW3DR82Y2 FVM70"): whole words of one line
/// that add up to 17 letters and digits, with the span covering the spaces. Only whole words, so a
/// label in front ("VIN …") never lends its letters to a reading.
fn vin_across_spaces(text: &str) -> Option<Found<String>> {
    for (line_start, line) in lines(text) {
        let mut words: Vec<(usize, &str)> = Vec::new();
        let mut offset = 0;
        for piece in line.split(' ') {
            if !piece.is_empty() {
                words.push((line_start + offset, piece));
            }
            offset += piece.len() + 1;
        }
        for first in 0..words.len() {
            let mut joined = String::new();
            for (last, (_, word)) in words.iter().enumerate().skip(first) {
                if !word.chars().all(|c| c.is_ascii_alphanumeric()) {
                    break;
                }
                joined.push_str(word);
                if joined.len() > 17 {
                    break;
                }
                // Real VINs carry several digits (check digit, serial); words of a sentence do not.
                let digits = joined.chars().filter(char::is_ascii_digit).count();
                if joined.len() == 17
                    && last > first
                    && digits >= 5
                    && let Some(vin) = crate::vin::resolve(&joined)
                {
                    let (start, end) = (words[first].0, words[last].0 + word.len());
                    return Some(Found {
                        value: vin.into(),
                        start,
                        end,
                    });
                }
            }
        }
    }
    None
}

/// `text` with the letters a recogniser puts for digits (O, o, Q → 0; l, I, | → 1; S, s → 5;
/// B → 8; Z, z → 2) read as digits, inside words that hold more digits than letters — byte for byte,
/// so an offset into it is an offset into `text`. Amounts, dates and odometers are read from it.
fn numeric(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(char::is_whitespace) {
        let digits = word.chars().filter(char::is_ascii_digit).count();
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if digits >= 2 && letters < digits {
            out.extend(word.chars().map(|c| match c {
                'O' | 'o' | 'Q' => '0',
                'l' | 'I' | '|' => '1',
                'S' | 's' => '5',
                'B' => '8',
                'Z' | 'z' => '2',
                other => other,
            }));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Every field the text offers; `today` is the user's date (no receipt is dated after tomorrow).
pub fn extract(text: &str, today: NaiveDate) -> Extracted {
    let numbers = numeric(text);
    let amounts = money::amounts(&numbers);
    Extracted {
        vin: vin(text),
        date: date::date(&numbers, today),
        total_cost: amounts.total_cost,
        fuel_units: amounts.fuel_units,
        cost_per_unit: amounts.cost_per_unit,
        odometer_reading: first_capture(&[odometer()], &numbers)
            .and_then(|(s, start, end)| s.parse().ok().map(|value| Found { value, start, end })),
        station_name: station::station(text),
        consistent: amounts.consistent,
        corrected: amounts.corrected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECEIPT: &str = "SHELL STATION #1234\n123 MAIN ST\nSPRINGFIELD IL\n\n\
        DATE 03/14/2026  08:42\nPUMP 05  REGULAR\nGALLONS 10.123\nPRICE/GAL $3.459\n\
        SUBTOTAL $35.02\nTOTAL $35.02\nODOMETER 48213\n";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn a_fuel_receipt_gives_every_field_with_its_span() {
        let found = extract(RECEIPT, today());
        let span = |f: &Option<Found<Decimal>>| f.as_ref().map(|f| &RECEIPT[f.start..f.end]);
        assert_eq!(
            found.date.as_ref().map(|f| f.value),
            NaiveDate::from_ymd_opt(2026, 3, 14)
        );
        assert_eq!(
            found.fuel_units.as_ref().map(|f| f.value),
            Some(d("10.123"))
        );
        assert_eq!(span(&found.fuel_units), Some("10.123"));
        assert_eq!(
            found.cost_per_unit.as_ref().map(|f| f.value),
            Some(d("3.459"))
        );
        assert_eq!(found.total_cost.as_ref().map(|f| f.value), Some(d("35.02")));
        assert!(
            found
                .total_cost
                .as_ref()
                .is_some_and(|f| f.start > RECEIPT.find("TOTAL $").unwrap_or(0))
        );
        assert_eq!(
            found.odometer_reading.as_ref().map(|f| f.value),
            Some(48213)
        );
        assert_eq!(
            found.station_name.as_ref().map(|f| f.value.as_str()),
            Some("SHELL STATION #1234")
        );
        assert_eq!(found.vin, None);
    }

    #[test]
    fn other_layouts() {
        let text = "Costco Gas\n2026-02-01\n12.500 GAL @ 3.199\nTOTAL SALE 39.99\n";
        let found = extract(text, today());
        assert_eq!(
            found.date.map(|f| f.value),
            NaiveDate::from_ymd_opt(2026, 2, 1)
        );
        assert_eq!(found.fuel_units.map(|f| f.value), Some(d("12.500")));
        assert_eq!(found.cost_per_unit.map(|f| f.value), Some(d("3.199")));
        assert_eq!(found.total_cost.map(|f| f.value), Some(d("39.99")));
        let litres = extract(
            "ARAL\n14.03.2026\n42,15 EUR\n35.12 L\n1.799 /L\nTOTAL 63,18\n",
            today(),
        );
        assert_eq!(
            litres.date.map(|f| f.value),
            NaiveDate::from_ymd_opt(2026, 3, 14)
        );
        assert_eq!(litres.fuel_units.map(|f| f.value), Some(d("35.12")));
        assert_eq!(litres.total_cost.map(|f| f.value), Some(d("63.18")));
    }

    #[test]
    fn misread_separators_and_debris_seen_in_the_accuracy_run() {
        // Lines as Tesseract returned them for damaged receipts in examples/accuracy.rs.
        let text = "VALERO:STATION. 126 ©. -:\nDATE 01/16/2026\nGALLONS 16:940 ;\nPRICE/GAL $4,262\nTOTAL $35.02\n";
        let found = extract(text, today());
        assert_eq!(
            found.station_name.map(|f| f.value).as_deref(),
            Some("VALERO STATION 126")
        );
        assert_eq!(found.fuel_units.map(|f| f.value), Some(d("16.940")));
        assert_eq!(found.cost_per_unit.map(|f| f.value), Some(d("4.262")));
        assert_eq!(
            station::clean("MOBIL ‘STATION'2167 =:"),
            "MOBIL STATION 2167"
        );
        assert_eq!(station::clean("McDonald's Fuel #12"), "McDonald's Fuel #12");
        // A colon is a time outside a labelled field, never a price.
        assert_eq!(extract("12:45 PUMP 3\n", today()).cost_per_unit, None);
    }

    #[test]
    fn a_vin_split_by_a_space_is_joined() {
        let text = "VIN ANAWW3DR82Y2 FVM70\n";
        let found = extract(text, today())
            .vin
            .map(|f| (f.value, f.start, f.end));
        assert_eq!(found, Some(("ANAWW3DR82Y2FVM70".to_owned(), 4, 22)));
        // Words of a sentence do not make a VIN.
        assert_eq!(
            extract("THANK YOU FOR SHOPPING WITH US TODAY\n", today()).vin,
            None
        );
    }

    #[test]
    fn a_vin_plate_with_ocr_noise() {
        let text = "MFD BY HONDA OF AMERICA\nVIN IHGCM82633AOO4352\nGVWR 4000 LB";
        let found = extract(text, today());
        let vin = found.vin.unwrap_or(Found {
            value: String::new(),
            start: 0,
            end: 0,
        });
        assert_eq!(vin.value, "1HGCM82633A004352");
        assert_eq!(&text[vin.start..vin.end], "IHGCM82633AOO4352");
    }

    #[test]
    fn letters_read_for_digits_count_as_digits_in_numbers_only() {
        let text = "SHELL\nDATE 2O26-O2-19\nGALLONS l7.2S5\nPRICE/GAL $3.529\nTOTAL $6O.89\n";
        let found = extract(text, today());
        assert_eq!(
            found.date.map(|f| f.value),
            NaiveDate::from_ymd_opt(2026, 2, 19)
        );
        assert_eq!(found.fuel_units.map(|f| f.value), Some(d("17.255")));
        let total = found.total_cost.unwrap_or(Found {
            value: d("0"),
            start: 0,
            end: 0,
        });
        assert_eq!(total.value, d("60.89"));
        // The span is the text as printed.
        assert_eq!(&text[total.start..total.end], "6O.89");
        assert_eq!(found.consistent, Some(true));
        // Words are left alone.
        assert_eq!(numeric("SOS BOZO 1O"), "SOS BOZO 1O");
    }

    #[test]
    fn nothing_found_is_all_none() {
        assert_eq!(extract("   \n\n", today()), Extracted::default());
    }
}
