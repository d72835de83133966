//! What a property may be told to satisfy (`Rule`), and the text patterns the rules and parameters
//! state.

/// Cc control characters, which the text parsers refuse (`mvp_core::validate`).
pub(super) const LINE: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
/// A one-line value that is not blank (it is required).
pub(super) const LINE_NOT_BLANK: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";
/// An e-mail address as `mvp_types::Email` takes it, in its plain ASCII form: a local part, one `@`,
/// and at least two dot-separated labels that neither start nor end with `-`.
pub(super) const EMAIL: &str = r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$";
/// A VIN's 17 characters (the check digit in position 9 is checked too, which no pattern states).
pub(super) const VIN: &str = r"^[0-9A-HJ-NPR-Za-hj-npr-z]{17}$";
/// Free text: line breaks and tabs allowed.
pub(super) const TEXT: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

/// What one property must satisfy.
#[derive(Debug, Clone)]
pub(super) enum Rule {
    /// Sent back from a `GET` and ignored: any value.
    ReadOnly,
    /// Must be present and not null.
    Required,
    /// Optional one-line text of at most n characters.
    Line(usize),
    /// Required one-line text of at most n characters, not blank.
    LineRequired(usize),
    /// Optional free text (line breaks allowed) of at most n characters.
    Text(usize),
    /// A whole number in `min..=max`.
    Int(i64, i64),
    /// A decimal `>= 0` (`> 0` when `positive`), below `below`, with at most `dp` places.
    Decimal { positive: bool, below: i64, dp: u32 },
    /// One of these strings.
    OneOf(Vec<&'static str>),
    /// An e-mail address (stated in its plain ASCII form; the server also takes non-ASCII ones).
    Email,
    /// Exactly `true` (and required).
    True,
    /// `true` or `false`.
    Bool,
    /// A VIN (17 characters without I, O or Q).
    Vin,
    /// Any text of `min..=max` characters.
    Chars(usize, usize),
    /// A push URL (ntfy, webhook): empty (none) or `http(s)://host…`, at most 2048 characters. Whether
    /// the host is public is checked by resolving it, which no schema states.
    PushUrl,
    /// An array of at most n items (each with its own rule).
    Items(usize, Box<Rule>),
    /// A number (not only whole) in `min..=max`: coordinates.
    Range(f64, f64),
}

pub(super) fn decimal(below: i64, dp: u32) -> Rule {
    Rule::Decimal {
        positive: false,
        below,
        dp,
    }
}

pub(super) fn positive(below: i64, dp: u32) -> Rule {
    Rule::Decimal {
        positive: true,
        below,
        dp,
    }
}
