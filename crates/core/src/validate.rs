//! Small field checks every feature's parser shares, each adding a `FieldError` naming the field.

use mvp_types::FieldError;

/// Free text: trimmed, empty means none, at most `max` characters, no control characters other than
/// line breaks and tabs.
pub fn optional_text(
    details: &mut Vec<FieldError>,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    text(details, field, value, max, true)
}

/// A one-line value (a title, a name): as [`optional_text`], but a line break or tab is refused too —
/// it would split a header, a CSV row or a log line that the value is later written into.
pub fn single_line_text(
    details: &mut Vec<FieldError>,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    text(details, field, value, max, false)
}

fn text(
    details: &mut Vec<FieldError>,
    field: &str,
    value: Option<String>,
    max: usize,
    multi_line: bool,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())?;
    let allowed = |c: char| multi_line && matches!(c, '\n' | '\r' | '\t');
    if value.chars().count() > max {
        details.push(FieldError::new(field, format!("at most {max} characters")));
    } else if value.chars().any(|c| c.is_control() && !allowed(c)) {
        let message = if multi_line {
            "must not contain control characters"
        } else {
            "must be one line, without control characters"
        };
        details.push(FieldError::new(field, message));
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_limited_and_clean() {
        let mut details = Vec::new();
        assert_eq!(
            optional_text(&mut details, "a", Some("  x  ".into()), 5),
            Some("x".into())
        );
        assert_eq!(
            optional_text(&mut details, "a", Some("   ".into()), 5),
            None
        );
        assert!(details.is_empty());
        optional_text(&mut details, "long", Some("abcdef".into()), 5);
        optional_text(&mut details, "bell", Some("a\u{7}b".into()), 5);
        assert!(optional_text(&mut details, "notes", Some("line\nline".into()), 20).is_some());
        let fields: Vec<&str> = details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["long", "bell"]);
    }

    #[test]
    fn a_single_line_refuses_line_breaks() {
        let mut details = Vec::new();
        for (field, value) in [("cr", "a\rb"), ("lf", "a\nb"), ("tab", "a\tb")] {
            single_line_text(&mut details, field, Some(value.into()), 20);
        }
        assert!(
            single_line_text(&mut details, "ok", Some(" Insurance 2026 ".into()), 20).is_some()
        );
        let fields: Vec<&str> = details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["cr", "lf", "tab"]);
    }
}
