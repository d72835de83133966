//! A file name a user sent, made harmless: the cleaning applied to every uploaded name before it is
//! stored, and the `Content-Disposition` it is served back with. Pure string functions (shared by the
//! API and fuzzed on their own in fuzz/).

/// The longest file name kept (characters); longer ones are cut, keeping the extension.
pub const MAX_FILE_NAME: usize = 200;

/// The user's file name as harmless metadata: only the last path component, no control or
/// direction-override characters, no leading/trailing spaces or trailing dots, at most
/// [`MAX_FILE_NAME`] characters (the extension kept), and never empty, `.` or `..`.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let cleaned = tidy(&cleaned);
    let kept = if cleaned.chars().count() <= MAX_FILE_NAME {
        cleaned.to_owned()
    } else {
        match cleaned.rsplit_once('.') {
            Some((stem, ext)) if !ext.is_empty() && ext.chars().count() <= 10 => {
                let keep = MAX_FILE_NAME - ext.chars().count() - 1;
                let stem: String = stem.chars().take(keep).collect();
                format!("{}.{ext}", tidy(&stem))
            }
            _ => tidy(&cleaned.chars().take(MAX_FILE_NAME).collect::<String>()).to_owned(),
        }
    };
    if kept.is_empty() || kept.chars().all(|c| c == '.') {
        return "document".to_owned();
    }
    kept
}

/// Without leading white space, or trailing white space and dots (which Windows drops, and which a
/// second cleaning would remove): the cleaning is the same however often it is applied.
fn tidy(name: &str) -> &str {
    name.trim_start()
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 + 8187).
pub fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for byte in file_name.bytes() {
        let attr_char = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if attr_char {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_file_names_become_plain_names() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("..%2f..%2fetc"), "..%2f..%2fetc");
        assert_eq!(clean_file_name("/etc/shadow"), "shadow");
        assert_eq!(clean_file_name("C:\\Windows\\win.ini"), "win.ini");
        assert_eq!(clean_file_name("in\0voice.pdf"), "invoice.pdf");
        assert_eq!(clean_file_name("bill\u{202E}fdp.exe"), "billfdp.exe");
        assert_eq!(clean_file_name(".."), "document");
        assert_eq!(clean_file_name("../"), "document");
        assert_eq!(clean_file_name("   "), "document");
        assert_eq!(clean_file_name("scan. . ."), "scan");
        // Found by fuzz/file_name: a trailing dot hid white space that a second cleaning removed.
        assert_eq!(clean_file_name("flq( \u{2000} ."), "flq(");
        let cut = clean_file_name(&format!("{} x", "y".repeat(199)));
        assert_eq!(clean_file_name(&cut), cut);
        let long = format!("{}.pdf", "a".repeat(1000));
        let cleaned = clean_file_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_FILE_NAME);
        assert!(cleaned.ends_with(".pdf"));
        assert_eq!(
            clean_file_name("Führerschein 2026.pdf"),
            "Führerschein 2026.pdf"
        );
    }

    #[test]
    fn content_disposition_has_an_ascii_fallback_and_utf8_name() {
        assert_eq!(
            content_disposition("Führerschein \"neu\".pdf"),
            "attachment; filename=\"F_hrerschein _neu_.pdf\"; filename*=UTF-8''F%C3%BChrerschein%20%22neu%22.pdf"
        );
        assert_eq!(
            content_disposition("a;b=c.pdf"),
            "attachment; filename=\"a;b=c.pdf\"; filename*=UTF-8''a%3Bb%3Dc.pdf"
        );
    }
}
