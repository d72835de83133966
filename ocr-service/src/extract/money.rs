//! Volume, unit price and total, checked against one another: a pump prints volume × price rounded
//! to the cent, so the three must agree within a cent. When a receipt prints the total twice (FUEL
//! TOTAL and TOTAL) the reading that agrees is taken. When none agrees, readings with one digit
//! changed are tried on each of the three; if exactly one change (a look-alike digit first: 0/6/8/9,
//! 3/8, 5/6, 1/7) makes them agree, that value is taken and the field is named in `corrected`.
//! Otherwise the values stay as read and `consistent` is false, for the user to check.

use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::{Decimal, RoundingStrategy};

use super::{
    Found, decimal, first_capture, lines, money, price_labelled, price_per, unit_price,
    volume_after, volume_before,
};

/// Digit pairs a recogniser confuses in receipt print.
const LOOK_ALIKE: &[(u8, u8)] = &[
    (b'0', b'6'),
    (b'0', b'8'),
    (b'0', b'9'),
    (b'3', b'8'),
    (b'5', b'6'),
    (b'6', b'8'),
    (b'8', b'9'),
    (b'1', b'7'),
];

/// A one-digit change that makes volume × price = total.
struct Fix {
    field: &'static str,
    value: Decimal,
    look_alike: bool,
    /// Agrees to the cent (not only within one).
    exact: bool,
    /// The total it agrees with (the changed one, for a `totalCost` fix).
    total: Found<Decimal>,
}

/// The money fields and what the check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amounts {
    pub total_cost: Option<Found<Decimal>>,
    pub fuel_units: Option<Found<Decimal>>,
    pub cost_per_unit: Option<Found<Decimal>>,
    /// `Some(true)`: volume × price = total within a cent (perhaps after a correction);
    /// `Some(false)`: they disagree and no single misread digit explains it; `None`: not all three
    /// were read.
    pub consistent: Option<bool>,
    /// The field a one-digit correction changed (`totalCost`, `fuelUnits` or `costPerUnit`).
    pub corrected: Option<&'static str>,
}

/// How far volume × price (rounded to the cent) is from the total.
fn gap(volume: Decimal, price: Decimal, total: Decimal) -> Decimal {
    let product =
        (volume * price).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    (product - total).abs()
}

fn agree(volume: Decimal, price: Decimal, total: Decimal) -> bool {
    gap(volume, price, total) <= Decimal::new(1, 2)
}

fn total_label() -> Option<&'static Regex> {
    static CELL: OnceLock<Option<Regex>> = OnceLock::new();
    CELL.get_or_init(|| Regex::new(r"(?i)\btotal\b").ok())
        .as_ref()
}

/// The amount at the end of every line that says TOTAL (not SUBTOTAL), in order.
fn totals(text: &str) -> Vec<Found<Decimal>> {
    let (Some(money), Some(label)) = (money(), total_label()) else {
        return Vec::new();
    };
    lines(text)
        .filter(|(_, line)| label.is_match(line))
        .filter_map(|(start, line)| {
            let m = money.captures_iter(line).filter_map(|c| c.get(1)).last()?;
            Some(Found {
                value: decimal(m.as_str())?,
                start: start + m.start(),
                end: start + m.end(),
            })
        })
        .collect()
}

/// `raw` with one digit changed, every way (read with `parse`), each with whether the change is a
/// look-alike.
fn one_digit_off(raw: &str, parse: fn(&str) -> Option<Decimal>) -> Vec<(Decimal, bool)> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            continue;
        }
        for other in b'0'..=b'9' {
            if other == b {
                continue;
            }
            let mut changed = bytes.to_vec();
            changed[i] = other;
            let look_alike = LOOK_ALIKE.contains(&(b, other)) || LOOK_ALIKE.contains(&(other, b));
            if let Some(value) = std::str::from_utf8(&changed).ok().and_then(parse) {
                out.push((value, look_alike));
            }
        }
    }
    out
}

/// The three fields of `text`, cross-checked (see the module's comment).
pub fn amounts(text: &str) -> Amounts {
    let read = |parse: fn(&str) -> Option<Decimal>| {
        move |(s, start, end): (String, usize, usize)| {
            parse(&s).map(|value| Found { value, start, end })
        }
    };
    let fuel_units =
        first_capture(&[volume_before(), volume_after()], text).and_then(read(decimal));
    let cost_per_unit =
        first_capture(&[price_labelled(), price_per()], text).and_then(read(unit_price));
    let totals = totals(text);
    let mut out = Amounts {
        total_cost: totals.last().cloned(),
        fuel_units,
        cost_per_unit,
        consistent: None,
        corrected: None,
    };
    let (Some(volume), Some(price)) = (out.fuel_units.clone(), out.cost_per_unit.clone()) else {
        return out;
    };
    if totals.is_empty() {
        return out;
    }
    if let Some(total) = totals
        .iter()
        .rev()
        .find(|t| agree(volume.value, price.value, t.value))
    {
        out.total_cost = Some(total.clone());
        out.consistent = Some(true);
        return out;
    }
    let mut fixes: Vec<Fix> = Vec::new();
    let mut consider = |field: &'static str, value, look_alike, total: &Found<Decimal>, g, p, t| {
        if agree(g, p, t) {
            fixes.push(Fix {
                field,
                value,
                look_alike,
                exact: gap(g, p, t).is_zero(),
                total: total.clone(),
            });
        }
    };
    for total in &totals {
        for (value, look) in one_digit_off(&text[total.start..total.end], decimal) {
            let fixed = Found {
                value,
                ..total.clone()
            };
            consider(
                "totalCost",
                value,
                look,
                &fixed,
                volume.value,
                price.value,
                value,
            );
        }
        for (value, look) in one_digit_off(&text[volume.start..volume.end], decimal) {
            consider(
                "fuelUnits",
                value,
                look,
                total,
                value,
                price.value,
                total.value,
            );
        }
        for (value, look) in one_digit_off(&text[price.start..price.end], unit_price) {
            consider(
                "costPerUnit",
                value,
                look,
                total,
                volume.value,
                value,
                total.value,
            );
        }
    }
    // Changes that agree to the cent first, then look-alike changes; exactly one distinct change
    // must then explain the difference.
    let any_exact = fixes.iter().any(|f| f.exact);
    fixes.retain(|f| f.exact || !any_exact);
    let any_look_alike = fixes.iter().any(|f| f.look_alike);
    let mut distinct: Vec<&Fix> = Vec::new();
    for fix in fixes.iter().filter(|f| f.look_alike || !any_look_alike) {
        if !distinct
            .iter()
            .any(|d| d.field == fix.field && d.value == fix.value)
        {
            distinct.push(fix);
        }
    }
    match distinct.as_slice() {
        [fix] => {
            // The total it agrees with is the one answered (of FUEL TOTAL and TOTAL).
            out.total_cost = Some(fix.total.clone());
            match fix.field {
                "fuelUnits" => {
                    out.fuel_units = Some(Found {
                        value: fix.value,
                        ..volume
                    });
                }
                "costPerUnit" => {
                    out.cost_per_unit = Some(Found {
                        value: fix.value,
                        ..price
                    });
                }
                _ => {}
            }
            out.corrected = Some(fix.field);
            out.consistent = Some(true);
        }
        _ => out.consistent = Some(false),
    }
    out
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn receipt(gallons: &str, price: &str, totals: &[&str]) -> String {
        let mut text = format!("GALLONS {gallons}\nPRICE/GAL ${price}\n");
        for (i, total) in totals.iter().enumerate() {
            let label = if i + 1 < totals.len() {
                "FUEL TOTAL"
            } else {
                "TOTAL"
            };
            text.push_str(&format!("{label} ${total}\n"));
        }
        text
    }

    #[test]
    fn agreeing_amounts_are_consistent() {
        let found = amounts(&receipt("17.255", "3.529", &["60.89"]));
        assert_eq!(found.consistent, Some(true));
        assert_eq!(found.corrected, None);
        assert_eq!(found.total_cost.map(|f| f.value), Some(d("60.89")));
    }

    #[test]
    fn of_two_totals_the_one_that_agrees_is_taken() {
        let found = amounts(&receipt("17.255", "3.529", &["60.89", "68.89"]));
        assert_eq!(found.total_cost.map(|f| f.value), Some(d("60.89")));
        assert_eq!(found.consistent, Some(true));
        assert_eq!(found.corrected, None);
    }

    #[test]
    fn one_misread_digit_is_put_right_and_named() {
        // The total of the photo trial: 68.89 where 17.255 × 3.529 = 60.89.
        let text = receipt("17.255", "3.529", &["68.89"]);
        let found = amounts(&text);
        assert_eq!(found.corrected, Some("totalCost"));
        assert_eq!(found.consistent, Some(true));
        let total = found.total_cost.unwrap_or(Found {
            value: d("0"),
            start: 0,
            end: 0,
        });
        assert_eq!(total.value, d("60.89"));
        assert_eq!(&text[total.start..total.end], "68.89");
        // A misread price (3.829 for 3.529; 8/5 is not a look-alike, but no look-alike change
        // explains it and this one change alone does) is put right from volume and total.
        let found = amounts(&receipt("17.255", "3.829", &["60.89"]));
        assert_eq!(found.corrected, Some("costPerUnit"));
        assert_eq!(found.cost_per_unit.map(|f| f.value), Some(d("3.529")));
    }

    #[test]
    fn a_corrected_volume_comes_with_the_total_it_agrees_with() {
        // 16.000 is a misread 10.000; of the two totals only 30.00 agrees with 10 × 3.
        let found = amounts(&receipt("16.000", "3.000", &["30.00", "31.00"]));
        assert_eq!(found.corrected, Some("fuelUnits"));
        assert_eq!(found.fuel_units.map(|f| f.value), Some(d("10.000")));
        assert_eq!(found.total_cost.map(|f| f.value), Some(d("30.00")));
    }

    #[test]
    fn faint_points_are_still_points() {
        // Photos of thermal print: a point followed by a space, doubled, or gone from a price.
        let text = "GALLONS 17. 255\nPRICE/GAL — $3..529\nTOTAL $60.89\n";
        let found = amounts(text);
        assert_eq!(found.fuel_units.map(|f| f.value), Some(d("17.255")));
        assert_eq!(found.cost_per_unit.map(|f| f.value), Some(d("3.529")));
        assert_eq!(found.consistent, Some(true));
        let found = amounts("GALLONS 15.998\nPRICE/GAL $2956\nTOTAL $47.29\n");
        assert_eq!(found.cost_per_unit.map(|f| f.value), Some(d("2.956")));
        assert_eq!(found.consistent, Some(true));
        // Faded point and a 0 read as 8: 4.898 → 4.890 by volume and total.
        let found = amounts("GALLONS 4.141\nPRICE/GAL $4898\nTOTAL $20.25\n");
        assert_eq!(found.cost_per_unit.map(|f| f.value), Some(d("4.890")));
        assert_eq!(found.corrected, Some("costPerUnit"));
    }

    #[test]
    fn amounts_that_cannot_be_reconciled_say_so() {
        let found = amounts(&receipt("17.255", "3.529", &["12.34"]));
        assert_eq!(found.consistent, Some(false));
        assert_eq!(found.corrected, None);
        // Kept as read: the user is asked to check.
        assert_eq!(found.total_cost.map(|f| f.value), Some(d("12.34")));
        // Fewer than three amounts: nothing to check against.
        let found = amounts("GALLONS 10.000\nTOTAL $35.00\n");
        assert_eq!(found.consistent, None);
    }
}
