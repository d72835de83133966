//! Dates as those apps write them — ISO `2024-01-15`, US `1/15/2024` and `01-15-2024`, European
//! `15.01.2024` and `15/01/2024`, with or without a time — and which of day and month comes first,
//! decided once for the whole file: a day above 12 settles it; when every date would read either
//! way, the reading that keeps the file in date order wins, and after that the separator's custom
//! (a point: day first; a slash or a dash: month first).

use chrono::{Datelike as _, NaiveDate, NaiveTime, Utc};

/// The order of a date's parts when the year is not first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    MonthFirst,
    DayFirst,
}

impl Order {
    pub fn example(self) -> &'static str {
        match self {
            Order::MonthFirst => "M/D/YYYY",
            Order::DayFirst => "D.M.YYYY",
        }
    }
}

/// A cell split into its three numbers and its separator; the time, if any.
struct Pieces {
    parts: [u32; 3],
    year_first: bool,
    separator: char,
    time: Option<NaiveTime>,
}

fn pieces(cell: &str) -> Option<Pieces> {
    let cell = cell.trim();
    let (date, time) = match cell.find([' ', 'T']) {
        Some(at) => (&cell[..at], Some(cell[at + 1..].trim())),
        None => (cell, None),
    };
    let separator = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let split: Vec<&str> = date.split(separator).filter(|p| !p.is_empty()).collect();
    if split.len() != 3 || split.iter().any(|p| !p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let year_first = split[0].len() == 4;
    let mut parts = [0u32; 3];
    for (slot, part) in parts.iter_mut().zip(&split) {
        *slot = part.parse().ok()?;
    }
    let time = match time.filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(clock(t)?),
    };
    Some(Pieces {
        parts,
        year_first,
        separator,
        time,
    })
}

/// `14:30`, `14:30:15`, `2:30 PM`, an ISO time with a zone (the zone is dropped: the day counts).
fn clock(text: &str) -> Option<NaiveTime> {
    let upper = text.trim().to_ascii_uppercase();
    let (text, pm) = match upper
        .strip_suffix("PM")
        .map(|t| (t, Some(true)))
        .or_else(|| upper.strip_suffix("AM").map(|t| (t, Some(false))))
    {
        Some((t, pm)) => (t.trim().to_owned(), pm),
        None => (upper.clone(), None),
    };
    let text = text.split(['Z', '+']).next().unwrap_or_default().to_owned();
    let mut numbers = text.split(':').map(|p| p.split('.').next().unwrap_or(p));
    let mut hour: u32 = numbers.next()?.parse().ok()?;
    let minute: u32 = numbers.next().map_or(Some(0), |m| m.parse().ok())?;
    let second: u32 = numbers.next().map_or(Some(0), |s| s.parse().ok())?;
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

fn year(value: u32) -> i32 {
    let value = value as i32;
    if value >= 100 {
        return value;
    }
    // Two digits: this century unless that would be in the future.
    let now = Utc::now().year();
    if 2000 + value <= now {
        2000 + value
    } else {
        1900 + value
    }
}

fn date_of(p: &Pieces, order: Order) -> Option<NaiveDate> {
    let [a, b, c] = p.parts;
    if p.year_first {
        return NaiveDate::from_ymd_opt(year(a), b, c);
    }
    match order {
        Order::MonthFirst => NaiveDate::from_ymd_opt(year(c), a, b),
        Order::DayFirst => NaiveDate::from_ymd_opt(year(c), b, a),
    }
}

/// The order for a file's date cells (see the module's header); `None` when every date starts with
/// its year (nothing to decide).
pub fn detect<'a>(cells: impl Iterator<Item = &'a str>) -> Option<Order> {
    let all: Vec<Pieces> = cells.filter_map(pieces).filter(|p| !p.year_first).collect();
    if all.is_empty() {
        return None;
    }
    Some(decide(&all))
}

fn decide(all: &[Pieces]) -> Order {
    let fits = |order: Order| all.iter().filter(|p| date_of(p, order).is_some()).count();
    let (month_first, day_first) = (fits(Order::MonthFirst), fits(Order::DayFirst));
    if month_first != day_first {
        return if month_first > day_first {
            Order::MonthFirst
        } else {
            Order::DayFirst
        };
    }
    let backwards = |order: Order| {
        let dates: Vec<NaiveDate> = all.iter().filter_map(|p| date_of(p, order)).collect();
        dates.windows(2).filter(|w| w[1] < w[0]).count()
    };
    let (m, d) = (backwards(Order::MonthFirst), backwards(Order::DayFirst));
    if m != d {
        return if m < d {
            Order::MonthFirst
        } else {
            Order::DayFirst
        };
    }
    if all.first().is_some_and(|p| p.separator == '.') {
        Order::DayFirst
    } else {
        Order::MonthFirst
    }
}

/// A date (and the time when the cell has one) read in `order`; an error names the cell and the
/// form expected.
pub fn parse(cell: &str, order: Order) -> Result<(NaiveDate, Option<NaiveTime>), String> {
    let raw = cell.trim();
    if raw.is_empty() {
        return Err("the date is empty".to_owned());
    }
    pieces(raw)
        .and_then(|p| date_of(&p, order).map(|d| (d, p.time)))
        .ok_or_else(|| {
            format!(
                "{raw:?} is not a date like YYYY-MM-DD or {} (as the rest of the file)",
                order.example()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(cell: &str, order: Order) -> String {
        match parse(cell, order) {
            Ok((d, t)) => format!("{d}{}", t.map(|t| format!(" {t}")).unwrap_or_default()),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn every_form_those_apps_write() {
        assert_eq!(day("2024-01-15", Order::MonthFirst), "2024-01-15");
        assert_eq!(day("1/15/2024", Order::MonthFirst), "2024-01-15");
        assert_eq!(day("01-15-2024", Order::MonthFirst), "2024-01-15");
        assert_eq!(day("15.01.2024", Order::DayFirst), "2024-01-15");
        assert_eq!(day("15/01/2024", Order::DayFirst), "2024-01-15");
        assert_eq!(
            day("2024-01-15 14:30", Order::DayFirst),
            "2024-01-15 14:30:00"
        );
        assert_eq!(
            day("1/15/2024 2:30 PM", Order::MonthFirst),
            "2024-01-15 14:30:00"
        );
        assert_eq!(
            day("2024-01-15T08:05:00Z", Order::MonthFirst),
            "2024-01-15 08:05:00"
        );
        assert_eq!(day("3/4/24", Order::MonthFirst), "2024-03-04");
        assert!(day("15/01/2024", Order::MonthFirst).starts_with("error"));
        assert!(day("yesterday", Order::MonthFirst).contains("M/D/YYYY"));
        assert!(day("", Order::MonthFirst).starts_with("error"));
    }

    #[test]
    fn one_day_above_twelve_decides_the_whole_file() {
        let us = ["1/2/2024", "1/9/2024", "1/16/2024"];
        assert_eq!(detect(us.into_iter()), Some(Order::MonthFirst));
        let eu = ["01/02/2024", "09/02/2024", "16/02/2024"];
        assert_eq!(detect(eu.into_iter()), Some(Order::DayFirst));
    }

    #[test]
    fn ambiguous_files_keep_their_date_order_then_the_separators_custom() {
        // Month first: 1 May, 2 Jan, 3 Mar (goes back once); day first: 5 Jan, 1 Feb, 3 Mar.
        let ordered_day_first = ["05/01/2024", "01/02/2024", "03/03/2024"];
        assert_eq!(detect(ordered_day_first.into_iter()), Some(Order::DayFirst));
        let tie = ["01.02.2024", "01.03.2024"];
        assert_eq!(detect(tie.into_iter()), Some(Order::DayFirst));
        let tie = ["01/02/2024", "01/03/2024"];
        assert_eq!(detect(tie.into_iter()), Some(Order::MonthFirst));
        assert_eq!(detect(["2024-01-02", "2024-02-01"].into_iter()), None);
    }
}
