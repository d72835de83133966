//! The calendar feed: an RFC 5545 `VCALENDAR` with one all-day `VEVENT` per schedule's next due date
//! and per document expiry. All-day events (`DTSTART;VALUE=DATE`) carry no time, so a date is the
//! same date in every calendar whatever its zone. UIDs are stable (the subject and its date), so a
//! calendar that polls the feed updates events instead of duplicating them.

use chrono::{DateTime, NaiveDate, Utc};

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
}

/// The whole calendar, lines ended by CRLF and folded at 75 octets.
pub fn render(name: &str, events: &[Event], stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//MotoVaultPro//Reminders//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT6H");
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")),
        );
        if let Some(next) = e.date.succ_opt() {
            line(
                &mut out,
                &format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
            );
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so no physical line exceeds 75 octets (a fold never splits a
/// UTF-8 character).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_folded_escaped_and_crlf_ended() {
        let events = [Event {
            uid: "schedule-1-2026-12-24@motovaultpro".to_owned(),
            date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap_or_default(),
            summary: "Engine Oil, Oil Filter; Civic".to_owned(),
            description: "ü".repeat(60),
        }];
        let ics = render("MotoVaultPro", &events, DateTime::<Utc>::UNIX_EPOCH);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("SUMMARY:Engine Oil\\, Oil Filter\\; Civic\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261225\r\n"));
        for physical in ics.split("\r\n") {
            assert!(
                physical.len() <= 75,
                "{physical:?} is {} octets",
                physical.len()
            );
        }
        assert!(!ics.replace("\r\n", "").contains('\n'));
    }
}
