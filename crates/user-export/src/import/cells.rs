//! Reading one cell: numbers as those apps write them (decimal comma or point, thousands
//! separators, a currency sign), yes/no flags, and text.

use std::str::FromStr as _;

use rust_decimal::Decimal;

/// How a file writes decimals, decided from all its numbers ([`Separators::detect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Separators {
    pub decimal_comma: bool,
}

/// What one number says about the decimal separator: `Some(true)` a comma, `Some(false)` a point.
fn evidence(cell: &str) -> Option<bool> {
    let cell = strip(cell);
    let comma = cell.rfind(',');
    let point = cell.rfind('.');
    match (comma, point) {
        (Some(c), Some(p)) => Some(c > p),
        (Some(c), None) => {
            let after = cell.len() - c - 1;
            (cell.matches(',').count() == 1 && after != 3).then_some(true)
        }
        (None, Some(p)) => {
            let after = cell.len() - p - 1;
            (cell.matches('.').count() == 1 && after != 3).then_some(false)
        }
        (None, None) => None,
    }
}

impl Separators {
    /// The majority of the file's telling numbers; a file separated by semicolons with no telling
    /// number is taken to write decimal commas (as spreadsheets in those locales do).
    pub fn detect<'a>(numbers: impl Iterator<Item = &'a str>, semicolons: bool) -> Self {
        let (mut commas, mut points) = (0usize, 0usize);
        for cell in numbers {
            match evidence(cell) {
                Some(true) => commas += 1,
                Some(false) => points += 1,
                None => {}
            }
        }
        Self {
            decimal_comma: commas > points || (commas == points && semicolons),
        }
    }
}

/// The cell without spaces, currency signs and apostrophes (a Swiss thousands separator).
fn strip(cell: &str) -> String {
    cell.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '$' | '€' | '£' | '¥' | '\'' | '₹' | '₽'))
        .collect()
}

/// A number, `None` for an empty cell; a text that is not a number is an error naming it.
pub fn number(cell: &str, separators: Separators) -> Result<Option<Decimal>, String> {
    let raw = cell.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let mut text = strip(raw);
    let comma = text.rfind(',');
    let point = text.rfind('.');
    text = match (comma, point) {
        (Some(c), Some(p)) if c > p => text.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => text.replace(',', ""),
        (Some(c), None) => {
            let thousands = !separators.decimal_comma
                && (text.matches(',').count() > 1 || text.len() - c - 1 == 3);
            if thousands {
                text.replace(',', "")
            } else {
                text.replace(',', ".")
            }
        }
        (None, Some(p)) => {
            let thousands = text.matches('.').count() > 1
                || (separators.decimal_comma && text.len() - p - 1 == 3);
            if thousands {
                text.replace('.', "")
            } else {
                text
            }
        }
        (None, None) => text,
    };
    let valid = !text.is_empty()
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && matches!(c, '-' | '+')));
    if !valid || text.matches('.').count() > 1 {
        return Err(format!("{raw:?} is not a number"));
    }
    // The digits as written: "10.000" stays 10.000, as a fill-up typed in the app keeps them.
    Decimal::from_str(text.trim_start_matches('+'))
        .map(Some)
        .map_err(|_| format!("{raw:?} is not a number"))
}

/// A yes/no cell: `true`, `1`, `yes`, `y`, `x` (any case) are yes; empty is `default`.
pub fn flag(cell: &str, default: bool) -> Result<bool, String> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "true" | "1" | "yes" | "y" | "x" | "t" => Ok(true),
        "false" | "0" | "no" | "n" | "f" => Ok(false),
        other => Err(format!("{other:?} is not yes or no")),
    }
}

/// A text cell, `None` when blank.
pub fn text(cell: &str) -> Option<String> {
    let cell = cell.trim();
    (!cell.is_empty()).then(|| cell.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(cell: &str, comma: bool) -> String {
        match number(
            cell,
            Separators {
                decimal_comma: comma,
            },
        ) {
            Ok(Some(d)) => d.to_string(),
            Ok(None) => "none".into(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn points_commas_thousands_and_currency() {
        assert_eq!(n("45.678", false), "45.678");
        assert_eq!(n("45,67", false), "45.67");
        assert_eq!(n("1,234.50", false), "1234.50");
        assert_eq!(n("1.234,50", false), "1234.50");
        assert_eq!(n("12,345", false), "12345");
        assert_eq!(n("12,345", true), "12.345");
        assert_eq!(n("12.345", true), "12345");
        assert_eq!(n("1.234.567", false), "1234567");
        assert_eq!(n("$ 45.00", false), "45.00");
        assert_eq!(n("45,00 €", true), "45.00");
        assert_eq!(n("-3.5", false), "-3.5");
        assert_eq!(n("  ", false), "none");
        assert!(n("abc", false).starts_with("error"));
        assert!(n("12a", false).starts_with("error"));
        assert!(n("1.2.3,4.5", false).starts_with("error"));
    }

    #[test]
    fn the_file_decides_what_a_lone_comma_means() {
        let comma = Separators::detect(["45,67", "12,345", "3,1"].into_iter(), false);
        assert!(comma.decimal_comma);
        let point = Separators::detect(["45.67", "12,345", "3.1"].into_iter(), false);
        assert!(!point.decimal_comma);
        assert!(Separators::detect(["12"].into_iter(), true).decimal_comma);
        assert!(!Separators::detect(["12"].into_iter(), false).decimal_comma);
    }

    #[test]
    fn flags() {
        assert_eq!(flag("True", false), Ok(true));
        assert_eq!(flag("0", true), Ok(false));
        assert_eq!(flag("", true), Ok(true));
        assert!(flag("maybe", true).is_err());
    }
}
