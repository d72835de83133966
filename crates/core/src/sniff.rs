//! File types judged from the bytes (magic numbers), never from a name or a client's Content-Type.
//! Uploads of documents and vehicle photos both go through [`sniff`].

/// The kinds of file the app accepts anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    WebP,
    Heic,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
            Self::Heic => "image/heic",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::WebP => "webp",
            Self::Heic => "heic",
        }
    }
}

/// How many leading bytes [`sniff`] needs at most.
pub const SNIFF_LEN: usize = 16;

/// HEIF brands of still images from phones (`ftyp` major brand). AVIF and video brands are not HEIC.
const HEIC_BRANDS: &[&[u8; 4]] = &[
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1",
];

/// The type of a file from its first bytes, or `None` for anything not accepted.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileKind::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(FileKind::WebP)
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && HEIC_BRANDS.iter().any(|brand| &bytes[8..12] == *brand)
    {
        Some(FileKind::Heic)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_kinds_are_recognised_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3"), Some(FileKind::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileKind::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(FileKind::WebP));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(FileKind::Heic));
    }

    #[test]
    fn look_alikes_and_other_formats_are_refused() {
        for bytes in [
            &b"<!doctype html><html><body>%PDF-"[..],
            b"\x7fELF\x02\x01\x01\0",
            b"PK\x03\x04\x14\0\0\0",
            b"\0\0\0\x1cftypavif\0\0\0\0",
            b"\0\0\0\x1cftypisom\0\0\0\0",
            b" %PDF-1.4",
            b"",
            b"RIFF\0\0\0\0WAVE",
        ] {
            assert_eq!(sniff(bytes), None, "{bytes:?}");
        }
    }
}
