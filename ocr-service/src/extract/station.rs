//! The station's name: the receipt's header line that names a fuel brand, else its first line that is
//! not an address, a city and ZIP, a phone number, a date or an amount. Only the header is looked at
//! (the lines before the first date, amount or labelled field), so "TOTAL" the brand is never the
//! TOTAL line.

use super::{Found, lines};

/// Fuel brands, as their names are printed (upper case; words in order).
const BRANDS: &[&str] = &[
    "SHELL",
    "BP",
    "EXXON",
    "MOBIL",
    "EXXONMOBIL",
    "CHEVRON",
    "TEXACO",
    "SUNOCO",
    "SPEEDWAY",
    "CIRCLE K",
    "VALERO",
    "MARATHON",
    "CITGO",
    "PHILLIPS 66",
    "COSTCO",
    "ARCO",
    "CONOCO",
    "SINCLAIR",
    "GULF",
    "WAWA",
    "SHEETZ",
    "QUIKTRIP",
    "RACETRAC",
    "MURPHY USA",
    "KWIK TRIP",
    "CASEY'S",
    "7-ELEVEN",
    "PETRO-CANADA",
    "ULTRAMAR",
    "ARAL",
    "TOTAL",
    "TOTALENERGIES",
    "ESSO",
    "Q8",
    "JET",
    "AGIP",
    "ENI",
    "OMV",
    "REPSOL",
    "AVIA",
    "TAMOIL",
    "ORLEN",
];

/// Street words that make a line an address when it starts with a number.
const STREET: &[&str] = &[
    "ST", "STREET", "AVE", "AVENUE", "RD", "ROAD", "BLVD", "HWY", "HIGHWAY", "DR", "DRIVE", "LN",
    "LANE", "WAY", "PKWY", "CT", "PL", "SQ", "STR", "STRASSE", "ROUTE", "RTE",
];

/// Labels that end the header.
const FIELD_LABELS: &[&str] = &[
    "DATE", "TIME", "PUMP", "TRAN", "GALLONS", "GAL", "LITRES", "LITERS", "PRICE", "TOTAL",
    "SUBTOTAL", "UNLEADED", "REGULAR", "DIESEL", "VISA", "AUTH",
];

/// The words of a line, upper case, split at anything but letters, digits, `'`, `-` and `&`.
fn words(line: &str) -> Vec<String> {
    line.split(|c: char| !(c.is_alphanumeric() || matches!(c, '\'' | '-' | '&')))
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

fn names_brand(words: &[String]) -> bool {
    BRANDS.iter().any(|brand| {
        let parts: Vec<&str> = brand.split(' ').collect();
        words
            .windows(parts.len())
            .any(|w| w.iter().zip(&parts).all(|(a, b)| a == b))
    })
}

fn is_address(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        && words.iter().skip(1).any(|w| STREET.contains(&w.as_str()))
}

/// "SPRINGFIELD IL 62701", "AUSTIN, TX 78701-1234", "10115 BERLIN".
fn is_city(words: &[String]) -> bool {
    let zip = |w: &String| {
        let digits = w.chars().filter(char::is_ascii_digit).count();
        (digits == 5 || digits == 9) && w.chars().all(|c| c.is_ascii_digit() || c == '-')
    };
    words.last().is_some_and(zip) || (words.first().is_some_and(zip) && words.len() >= 2)
}

fn is_phone(line: &str) -> bool {
    let digits = line.chars().filter(char::is_ascii_digit).count();
    let letters = line.chars().filter(|c| c.is_alphabetic()).count();
    digits >= 7 && letters <= 4
}

fn ends_header(line: &str, words: &[String]) -> bool {
    let has_amount =
        line.contains(['.', ',', '/', ':']) && line.chars().any(|c| c.is_ascii_digit());
    has_amount || words.iter().any(|w| FIELD_LABELS.contains(&w.as_str()))
}

/// A station line without OCR debris: stray marks become spaces, runs of spaces collapse, and
/// leading/trailing pieces without a letter or digit go.
pub fn clean(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let kept: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let apostrophe_in_word = c == '\''
                && i > 0
                && chars[i - 1].is_alphabetic()
                && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
            if c.is_alphanumeric() || matches!(c, '&' | '#' | '-') || apostrophe_in_word {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut words: Vec<&str> = kept
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric) || *word == "&")
        .collect();
    // A lone digit after a number is the paper's edge read as a character ("ARCO #5880 2").
    if let [.., number, last] = words.as_slice()
        && last.len() == 1
        && last.chars().all(|c| c.is_ascii_digit())
        && number.chars().any(|c| c.is_ascii_digit())
    {
        words.pop();
    }
    words.join(" ")
}

/// The station line of `text`.
pub fn station(text: &str) -> Option<Found<String>> {
    let mut header = Vec::new();
    for (start, line) in lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let w = words(trimmed);
        // A brand on a line of its own is the name even where a label follows ("SHELL PUMP 4" no).
        if ends_header(trimmed, &w) && !header.is_empty() {
            break;
        }
        let lead = line.len() - line.trim_start().len();
        header.push((start + lead, trimmed, w));
        if header.len() >= 8 {
            break;
        }
    }
    let found = |(start, line, _): &(usize, &str, Vec<String>)| Found {
        value: clean(line),
        start: *start,
        end: start + line.len(),
    };
    if let Some(line) = header.iter().find(|(_, _, w)| names_brand(w)) {
        let mut name = found(line);
        // Receipts print names in capitals; a recogniser sometimes answers "costco" for COSTCO.
        if !name.value.chars().any(char::is_uppercase) {
            name.value = name.value.to_uppercase();
        }
        return Some(name);
    }
    header
        .iter()
        .find(|(_, line, w)| {
            let letters = line.chars().filter(|c| c.is_alphabetic()).count();
            let digits = line.chars().filter(char::is_ascii_digit).count();
            letters >= 2
                && digits * 2 < letters
                && !is_address(w)
                && !is_city(w)
                && !is_phone(line)
                && !ends_header(line, w)
        })
        .map(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Option<String> {
        station(text).map(|f| f.value)
    }

    #[test]
    fn a_brand_wins_over_other_header_lines() {
        // The photo trial: a two-letter brand lost to the city line.
        let text = "BP\n1200 W MAIN ST\nSPRINGFIELD IL 62701\nDATE 02/19/2026\n";
        assert_eq!(name(text).as_deref(), Some("BP"));
        assert_eq!(
            name("WELCOME TO\nCIRCLE K #2231\n44 OAK AVE\n").as_deref(),
            Some("CIRCLE K #2231")
        );
        // TOTAL the brand, not the TOTAL line.
        assert_eq!(
            name("TOTAL ACCESS\nRUE DE LYON 3\nTOTAL 63,18\n").as_deref(),
            Some("TOTAL ACCESS")
        );
    }

    #[test]
    fn without_a_brand_the_first_line_that_is_a_name() {
        let text = "(217) 555-0134\n1200 W MAIN ST\nJOE'S FUEL & GO\nAUSTIN, TX 78701\n";
        assert_eq!(name(text).as_deref(), Some("JOE'S FUEL & GO"));
        assert_eq!(name("SPRINGFIELD IL 62701\nDATE 02/19/2026\n"), None);
        assert_eq!(clean("VALERO:STATION. 126 ©. -:"), "VALERO STATION 126");
        assert_eq!(clean("MOBIL ‘STATION'2167 =:"), "MOBIL STATION 2167");
        assert_eq!(clean("ARCO #5880 2"), "ARCO #5880");
        assert_eq!(clean("PHILLIPS 66"), "PHILLIPS 66");
        assert_eq!(name("costco\n12 ELM ST\n").as_deref(), Some("COSTCO"));
    }
}
