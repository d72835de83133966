//! Pure formatting of numbers, money, units and dates — no browser APIs, so `cargo test` checks it
//! natively. Every number the app shows goes through here.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rust_decimal::{Decimal, RoundingStrategy};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `1234567.891` with 2 places → `1,234,567.89` (half-even, like the API's rounding).
pub fn decimal(value: Decimal, places: u32) -> String {
    let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointNearestEven);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.*}", places as usize, rounded.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (text.clone(), None),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    match frac_part {
        Some(f) if places > 0 => format!("{sign}{grouped}.{f}"),
        _ => format!("{sign}{grouped}"),
    }
}

/// Places a currency is written with (ISO 4217 minor units for the common zero-decimal ones).
pub fn currency_places(code: &str) -> u32 {
    match code {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "HUF" => 0,
        _ => 2,
    }
}

fn currency_symbol(code: &str) -> Option<&'static str> {
    Some(match code {
        "USD" => "$",
        "CAD" => "CA$",
        "AUD" => "A$",
        "NZD" => "NZ$",
        "MXN" => "MX$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "KRW" => "₩",
        "BRL" => "R$",
        _ => return None,
    })
}

/// An amount of money: `$1,234.50`, `€12.00`, `¥1,235`, `CHF 12.00` (unknown symbols use the code).
pub fn money(value: Decimal, code: &str) -> String {
    let places = currency_places(code);
    let negative = value.is_sign_negative() && !value.is_zero();
    let body = decimal(value.abs(), places);
    let sign = if negative { "-" } else { "" };
    match currency_symbol(code) {
        Some(symbol) => format!("{sign}{symbol}{body}"),
        None => format!("{sign}{code} {body}"),
    }
}

/// A price per unit of fuel keeps three places (`$3.459/gal`).
pub fn unit_price(value: Decimal, code: &str, volume_unit: &str) -> String {
    let symbol = currency_symbol(code).map_or_else(|| format!("{code} "), str::to_owned);
    format!(
        "{symbol}{}/{}",
        decimal(value, 3),
        volume_label(volume_unit)
    )
}

/// Short labels of the API's unit names.
pub fn distance_label(unit: &str) -> &'static str {
    match unit {
        "km" | "kilometers" | "kilometres" => "km",
        _ => "mi",
    }
}

pub fn volume_label(unit: &str) -> &'static str {
    match unit {
        "l" | "L" | "liters" | "litres" => "L",
        "kwh" | "kWh" => "kWh",
        _ => "gal",
    }
}

pub fn efficiency_label(unit: &str) -> &'static str {
    match unit {
        "l_per_100km" => "L/100 km",
        "km_per_l" => "km/L",
        "mi_per_kwh" => "mi/kWh",
        "kwh_per_100km" => "kWh/100 km",
        "km_per_kwh" => "km/kWh",
        _ => "mpg",
    }
}

/// `12,345 mi`
pub fn distance(value: Decimal, unit: &str) -> String {
    format!("{} {}", decimal(value, 0), distance_label(unit))
}

/// `12.345 gal`
pub fn volume(value: Decimal, unit: &str) -> String {
    format!("{} {}", decimal(value, 3), volume_label(unit))
}

/// `31.20 mpg`
pub fn efficiency(value: Decimal, unit: &str) -> String {
    format!("{} {}", decimal(value, 2), efficiency_label(unit))
}

/// The unit names of a unit system, as the API uses them.
pub fn system_units(metric: bool) -> (&'static str, &'static str) {
    if metric {
        ("km", "l")
    } else {
        ("mi", "gal")
    }
}

/// `Mar 1, 2026`
/// "1 row", "2 rows".
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub fn date(d: NaiveDate) -> String {
    format!("{} {}, {}", MONTHS[d.month0() as usize], d.day(), d.year())
}

/// `Mar 1, 2026 14:05`
pub fn date_time(t: NaiveDateTime) -> String {
    format!("{} {}", date(t.date()), t.format("%H:%M"))
}

/// `2026-01` → `Jan 2026`; anything else unchanged.
pub fn month(key: &str) -> String {
    let mut parts = key.split('-');
    match (
        parts.next().map(str::parse::<i32>),
        parts.next().map(str::parse::<usize>),
    ) {
        (Some(Ok(y)), Some(Ok(m))) if (1..=12).contains(&m) => format!("{} {y}", MONTHS[m - 1]),
        _ => key.to_owned(),
    }
}

/// How far a due date is from today, in words.
pub fn relative_days(due: NaiveDate, today: NaiveDate) -> String {
    let days = (due - today).num_days();
    match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        d if d > 1 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    }
}

/// A wall-clock time in a zone whose offset from UTC is `offset_minutes`, as UTC.
pub fn local_to_utc(local: NaiveDateTime, offset_minutes: i32) -> NaiveDateTime {
    local - Duration::minutes(i64::from(offset_minutes))
}

/// A UTC time as wall-clock time at `offset_minutes` from UTC.
pub fn utc_to_local(utc: NaiveDateTime, offset_minutes: i32) -> NaiveDateTime {
    utc + Duration::minutes(i64::from(offset_minutes))
}

/// Parses what a person types into a number field: trims, drops thousands separators and a leading
/// currency sign; empty → `Ok(None)`.
pub fn parse_decimal(text: &str) -> Result<Option<Decimal>, &'static str> {
    let cleaned: String = text
        .trim()
        .trim_start_matches(['$', '€', '£', '¥'])
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    cleaned
        .parse::<Decimal>()
        .map(Some)
        .map_err(|_| "must be a number")
}

/// The fuel form takes a unit price or a total; this is the other one, as the API computes it
/// (total to cents, unit price to 3 places for display).
pub fn total_from_unit_price(units: Decimal, price: Decimal) -> Decimal {
    (units * price).round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

pub fn unit_price_from_total(units: Decimal, total: Decimal) -> Option<Decimal> {
    if units <= Decimal::ZERO {
        return None;
    }
    Some((total / units).round_dp_with_strategy(3, RoundingStrategy::MidpointNearestEven))
}

/// A distance in metres as a person reads it: `850 m` / `1.2 km`, or `0.5 mi` (imperial).
pub fn meters(value: f64, metric: bool) -> String {
    if metric {
        if value < 1_000.0 {
            format!("{} m", (value / 10.0).round() * 10.0)
        } else {
            format!("{:.1} km", value / 1_000.0)
        }
    } else {
        format!("{:.1} mi", value / 1_609.344)
    }
}

/// How long ago `seconds` was: `just now`, `5 min ago`, `3 h ago`, `2 days ago`.
pub fn ago(seconds: i64) -> String {
    match seconds {
        s if s < 60 => "just now".to_owned(),
        s if s < 3_600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3_600),
        s if s < 2 * 86_400 => "yesterday".to_owned(),
        s => format!("{} days ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn decimals_are_grouped_and_rounded_half_even() {
        assert_eq!(decimal(d("1234567.891"), 2), "1,234,567.89");
        assert_eq!(decimal(d("999.995"), 2), "1,000.00");
        assert_eq!(decimal(d("0.125"), 2), "0.12");
        assert_eq!(decimal(d("0.135"), 2), "0.14");
        assert_eq!(decimal(d("-1234.5"), 0), "-1,234");
        assert_eq!(decimal(d("12"), 3), "12.000");
        assert_eq!(decimal(d("-0.001"), 2), "0.00");
    }

    #[test]
    fn money_uses_the_currency_symbol_and_minor_units() {
        assert_eq!(money(d("1234.5"), "USD"), "$1,234.50");
        assert_eq!(money(d("12"), "EUR"), "€12.00");
        assert_eq!(money(d("1234.5"), "JPY"), "¥1,234");
        assert_eq!(money(d("12"), "CHF"), "CHF 12.00");
        assert_eq!(money(d("-3.5"), "GBP"), "-£3.50");
    }

    #[test]
    fn units_have_short_labels() {
        assert_eq!(distance(d("12345.6"), "mi"), "12,346 mi");
        assert_eq!(distance(d("100"), "km"), "100 km");
        assert_eq!(volume(d("12.5"), "gal"), "12.500 gal");
        assert_eq!(volume(d("40"), "l"), "40.000 L");
        assert_eq!(efficiency(d("31.2"), "mpg"), "31.20 mpg");
        assert_eq!(efficiency(d("7.84"), "l_per_100km"), "7.84 L/100 km");
        assert_eq!(unit_price(d("3.459"), "USD", "gal"), "$3.459/gal");
        assert_eq!(unit_price(d("1.9"), "CHF", "l"), "CHF 1.900/L");
    }

    #[test]
    fn dates_read_naturally() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        assert_eq!(date(day), "Mar 1, 2026");
        assert_eq!(month("2026-01"), "Jan 2026");
        assert_eq!(month("garbage"), "garbage");
        let later = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap_or_default();
        assert_eq!(relative_days(later, day), "in 5 days");
        assert_eq!(relative_days(day, later), "5 days ago");
        assert_eq!(relative_days(day, day), "today");
    }

    #[test]
    fn time_zone_offsets_convert_both_ways() {
        let local = NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(8, 30, 0))
            .unwrap_or_default();
        // America/Chicago in winter is UTC−6.
        let utc = local_to_utc(local, -360);
        assert_eq!(utc.format("%Y-%m-%d %H:%M").to_string(), "2026-03-01 14:30");
        assert_eq!(utc_to_local(utc, -360), local);
        assert_eq!(date_time(local), "Mar 1, 2026 08:30");
    }

    #[test]
    fn typed_numbers_are_parsed_leniently_but_not_wrongly() {
        assert_eq!(parse_decimal(" 1,234.5 "), Ok(Some(d("1234.5"))));
        assert_eq!(parse_decimal("$3.459"), Ok(Some(d("3.459"))));
        assert_eq!(parse_decimal(""), Ok(None));
        assert!(parse_decimal("12a").is_err());
    }

    #[test]
    fn unit_price_and_total_derive_each_other() {
        assert_eq!(total_from_unit_price(d("12.345"), d("3.459")), d("42.70"));
        assert_eq!(unit_price_from_total(d("10"), d("35.00")), Some(d("3.500")));
        assert_eq!(unit_price_from_total(Decimal::ZERO, d("35")), None);
    }

    #[test]
    fn distances_and_ages_read_naturally() {
        assert_eq!(meters(846.0, true), "850 m");
        assert_eq!(meters(1_234.0, true), "1.2 km");
        assert_eq!(meters(1_609.344, false), "1.0 mi");
        assert_eq!(ago(30), "just now");
        assert_eq!(ago(600), "10 min ago");
        assert_eq!(ago(7_300), "2 h ago");
        assert_eq!(ago(90_000), "yesterday");
        assert_eq!(ago(3 * 86_400), "3 days ago");
    }
}
