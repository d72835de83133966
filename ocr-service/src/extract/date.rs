//! The receipt's date. A date on a line labelled DATE is looked for first, then anywhere. A reading
//! is kept only when it is a real calendar date no later than tomorrow and not before 1990 (in the
//! user's time zone: the caller passes the user's today). When the printed figures are not such a
//! date, the recogniser's usual digit confusions (0 read as 6, 8 or 9, and back) are tried, fewest
//! changes first — "2026-62-19" is 2026-02-19, "2625-12-14" is 2025-12-14 — and among equally few
//! the most recent date wins. A slashed date is month first (US), else day first.

use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate};
use regex::Regex;

use super::{Found, lines};

/// Digits a recogniser swaps for one another in receipt print.
const CONFUSED: &[(u8, u8)] = &[(b'0', b'6'), (b'0', b'8'), (b'0', b'9')];
/// At most this many confused digits are put right in one date.
const MAX_CHANGES: usize = 2;

/// The earliest year a receipt can carry.
const FIRST_YEAR: i32 = 1990;

#[derive(Clone, Copy)]
enum Order {
    /// year-month-day (ISO).
    Ymd,
    /// month/day/year, else day/month/year when that is the only real date.
    Slashed,
    /// day.month.year (Europe).
    Dmy,
}

fn patterns() -> &'static [(Regex, Order)] {
    static CELL: OnceLock<Vec<(Regex, Order)>> = OnceLock::new();
    CELL.get_or_init(|| {
        [
            (r"\b(\d{4})-(\d{2})-(\d{2})\b", Order::Ymd),
            (r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b", Order::Slashed),
            (r"\b(\d{1,2})-(\d{1,2})-(\d{4})\b", Order::Slashed),
            (r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b", Order::Dmy),
        ]
        .into_iter()
        .filter_map(|(p, order)| Regex::new(p).ok().map(|re| (re, order)))
        .collect()
    })
}

/// The date three printed numbers make in `order`, if it is one and plausible for `today`.
fn plausible(parts: [&str; 3], order: Order, today: NaiveDate) -> Option<NaiveDate> {
    let number = |s: &str| s.parse::<u32>().ok();
    let year = |s: &str| -> Option<i32> {
        let y = i32::try_from(number(s)?).ok()?;
        Some(match s.len() {
            // Two-digit years: this century unless that is after next year.
            2 if 2000 + y <= today.year() + 1 => 2000 + y,
            2 => 1900 + y,
            _ => y,
        })
    };
    let readings: &[(usize, usize, usize)] = match order {
        Order::Ymd => &[(0, 1, 2)],
        Order::Slashed => &[(2, 0, 1), (2, 1, 0)],
        Order::Dmy => &[(2, 1, 0)],
    };
    let latest = today.checked_add_days(Days::new(1))?;
    let earliest = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1)?;
    readings.iter().find_map(|&(y, m, d)| {
        NaiveDate::from_ymd_opt(year(parts[y])?, number(parts[m])?, number(parts[d])?)
            .filter(|date| (earliest..=latest).contains(date))
    })
}

/// The readings of `digits` with exactly `changes` confused digits swapped.
fn swapped(digits: &[u8], changes: usize, from: usize, out: &mut Vec<Vec<u8>>) {
    if changes == 0 {
        out.push(digits.to_vec());
        return;
    }
    for i in from..digits.len() {
        for &(a, b) in CONFUSED {
            let other = if digits[i] == a {
                b
            } else if digits[i] == b {
                a
            } else {
                continue;
            };
            let mut changed = digits.to_vec();
            changed[i] = other;
            swapped(&changed, changes - 1, i + 1, out);
        }
    }
}

/// The date these three printed numbers most likely are.
fn reading(parts: [&str; 3], order: Order, today: NaiveDate) -> Option<NaiveDate> {
    let joined: Vec<u8> = parts.iter().flat_map(|p| p.bytes()).collect();
    let (a, b) = (parts[0].len(), parts[0].len() + parts[1].len());
    for changes in 0..=MAX_CHANGES {
        let mut variants = Vec::new();
        swapped(&joined, changes, 0, &mut variants);
        let best = variants
            .iter()
            .filter_map(|v| {
                let text = std::str::from_utf8(v).ok()?;
                plausible([&text[..a], &text[a..b], &text[b..]], order, today)
            })
            .max();
        if best.is_some() {
            return best;
        }
    }
    None
}

fn in_line(line: &str, offset: usize, today: NaiveDate) -> Option<Found<NaiveDate>> {
    let mut found: Option<Found<NaiveDate>> = None;
    for (re, order) in patterns() {
        for c in re.captures_iter(line) {
            let (Some(all), Some(p0), Some(p1), Some(p2)) =
                (c.get(0), c.get(1), c.get(2), c.get(3))
            else {
                continue;
            };
            if found
                .as_ref()
                .is_some_and(|f| f.start <= offset + all.start())
            {
                continue;
            }
            if let Some(value) = reading([p0.as_str(), p1.as_str(), p2.as_str()], *order, today) {
                found = Some(Found {
                    value,
                    start: offset + all.start(),
                    end: offset + all.end(),
                });
            }
        }
    }
    found
}

/// The date of the receipt in `text` (read through [`super::numeric`], so offsets are the text's).
pub fn date(text: &str, today: NaiveDate) -> Option<Found<NaiveDate>> {
    let labelled = lines(text)
        .filter(|(_, line)| line.to_ascii_uppercase().contains("DATE"))
        .find_map(|(start, line)| in_line(line, start, today));
    labelled.or_else(|| lines(text).find_map(|(start, line)| in_line(line, start, today)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    fn read(text: &str) -> Option<String> {
        date(text, today()).map(|f| f.value.to_string())
    }

    #[test]
    fn dates_as_printed() {
        assert_eq!(read("DATE 03/14/2026 08:42").as_deref(), Some("2026-03-14"));
        assert_eq!(read("2026-02-01").as_deref(), Some("2026-02-01"));
        assert_eq!(read("14.03.2026").as_deref(), Some("2026-03-14"));
        assert_eq!(read("DATE: 11-02-2026").as_deref(), Some("2026-11-02"));
        assert_eq!(read("DATE 02/19/26").as_deref(), Some("2026-02-19"));
        // Day first when month first is no date.
        assert_eq!(read("19/02/2026").as_deref(), Some("2026-02-19"));
    }

    #[test]
    fn the_line_labelled_date_comes_first() {
        let text = "STORE 01/01/2020\nDATE 2026-05-04 12:00\n";
        let found = date(text, today());
        assert_eq!(
            found.as_ref().map(|f| f.value.to_string()).as_deref(),
            Some("2026-05-04")
        );
        assert_eq!(found.map(|f| &text[f.start..f.end]), Some("2026-05-04"));
    }

    #[test]
    fn confused_digits_are_put_right_only_into_a_plausible_date() {
        // Misreadings from the photo trial (issue 22).
        assert_eq!(read("DATE 2026-62-19").as_deref(), Some("2026-02-19"));
        assert_eq!(read("DATE 98/02/26").as_deref(), Some("2026-08-02"));
        // A year in the future is not returned; its confused digit is.
        assert_eq!(read("DATE 2625-12-14").as_deref(), Some("2025-12-14"));
        // Tomorrow is still allowed (time zones), the day after is not, and nothing before 1990.
        assert_eq!(read("DATE 2026-12-02").as_deref(), Some("2026-12-02"));
        assert_eq!(read("DATE 2027-12-15"), None);
        assert_eq!(read("DATE 1989-05-05"), None);
        assert_eq!(read("DATE 13/45/2026"), None);
    }
}
