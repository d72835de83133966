//! Multipart file names: whatever a client sends, the stored name is one harmless path component and
//! the `Content-Disposition` built from it is one header line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mvp_types::file_name::{MAX_FILE_NAME, clean_file_name, content_disposition};

fuzz_target!(|raw: &str| {
    let name = clean_file_name(raw);
    assert!(!name.is_empty() && name != "." && name != "..", "{name:?}");
    assert!(name.chars().count() <= MAX_FILE_NAME);
    assert!(!name.contains(['/', '\\']), "{name:?}");
    assert!(!name.chars().any(char::is_control), "{name:?}");
    assert!(
        !name
            .chars()
            .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    );
    assert_eq!(
        clean_file_name(&name),
        name,
        "cleaning twice changed {name:?}"
    );
    let header = content_disposition(&name);
    assert!(
        header.is_ascii() && !header.contains(['\r', '\n', '\0']),
        "{header:?}"
    );
});
