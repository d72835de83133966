//! Vehicle photos: the type is judged from the bytes (JPEG, PNG, WebP), the header is measured before
//! any pixel is decoded (`mvp_imaging`: a decompression bomb is refused, not allocated), the EXIF
//! orientation is applied, a photo larger than 4,096 px is shrunk, and the image re-encoded — which
//! drops EXIF (GPS position, camera serial) and every other metadata block — with a JPEG thumbnail of
//! at most 512 px beside it.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageFormat};
use mvp_core::sniff::FileKind;
use mvp_imaging::{Bounds, DecodeError};

/// The longest side kept: a larger photo is shrunk to it (enough for any screen, and a 40 MP upload
/// stops costing its full size in memory once decoded).
pub const MAX_STORED_SIDE: u32 = 4096;
pub const THUMB_SIZE: u32 = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    WebP,
}

impl Kind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::WebP => "webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::WebP => ImageFormat::WebP,
        }
    }
}

/// The image type from its magic numbers, whatever the file is called (PDF and HEIC are not photos).
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    match mvp_core::sniff::sniff(bytes)? {
        FileKind::Jpeg => Some(Kind::Jpeg),
        FileKind::Png => Some(Kind::Png),
        FileKind::WebP => Some(Kind::WebP),
        FileKind::Pdf | FileKind::Heic => None,
    }
}

pub struct Processed {
    pub original: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

/// Decodes (within `mvp_imaging`'s bounds), orients, shrinks to [`MAX_STORED_SIDE`], strips metadata
/// by re-encoding, and makes the thumbnail. Each step drops the buffer before it, so a photo costs
/// its decoded size plus one smaller copy at most.
pub fn process(bytes: &[u8], kind: Kind) -> Result<Processed, DecodeError> {
    let decoded = mvp_imaging::decode(bytes, Some(kind.format()), Bounds::default())?;
    let mut image = match kind {
        // A JPEG has no alpha; 16-bit PNG/WebP samples are kept only as 8 bits.
        Kind::Jpeg => DynamicImage::ImageRgb8(decoded.image.into_rgb8()),
        Kind::Png | Kind::WebP if decoded.image.color().has_alpha() => {
            DynamicImage::ImageRgba8(decoded.image.into_rgba8())
        }
        Kind::Png | Kind::WebP => DynamicImage::ImageRgb8(decoded.image.into_rgb8()),
    };
    image = mvp_imaging::fit_within(image, MAX_STORED_SIDE);
    image.apply_orientation(decoded.orientation);

    let mut original = Vec::new();
    match kind {
        Kind::Jpeg => image.write_with_encoder(JpegEncoder::new_with_quality(&mut original, 90)),
        Kind::Png => image.write_with_encoder(PngEncoder::new(&mut original)),
        Kind::WebP => image
            .to_rgba8()
            .write_with_encoder(WebPEncoder::new_lossless(&mut original)),
    }
    .map_err(|_| DecodeError::Unreadable)?;

    let mut thumbnail = Vec::new();
    image
        .thumbnail(THUMB_SIZE, THUMB_SIZE)
        .to_rgb8()
        .write_with_encoder(JpegEncoder::new_with_quality(&mut thumbnail, 80))
        .map_err(|_| DecodeError::Unreadable)?;
    Ok(Processed {
        original,
        thumbnail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
        });
        let mut out = Vec::new();
        let _ = DynamicImage::ImageRgb8(img).write_with_encoder(PngEncoder::new(&mut out));
        out
    }

    #[test]
    fn types_are_sniffed_from_bytes() {
        assert_eq!(sniff(&png(4, 4)), Some(Kind::Png));
        assert_eq!(sniff(b"<!doctype html><html>"), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Kind::WebP));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Kind::Jpeg));
    }

    #[test]
    fn a_large_photo_gets_a_512px_thumbnail() {
        let processed = process(&png(1600, 900), Kind::Png).unwrap_or_else(|e| panic!("{e}"));
        let thumb = image::load_from_memory(&processed.thumbnail).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((thumb.width(), thumb.height()), (512, 288));
    }

    #[test]
    fn a_huge_photo_is_stored_at_most_4096_px() {
        let processed = process(&png(5000, 1000), Kind::Png).unwrap_or_else(|e| panic!("{e}"));
        let kept = image::load_from_memory(&processed.original).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((kept.width(), kept.height()), (4096, 819));
    }

    #[test]
    fn a_decompression_bomb_is_refused_as_too_large() {
        let bomb = mvp_test_support::bomb::png_rgba16(12_000, 12_000);
        let err = process(&bomb, Kind::Png).err();
        assert!(err.is_some_and(|e| e.is_too_large()));
    }

    #[test]
    fn garbage_with_an_image_header_is_refused() {
        let mut bytes = png(4, 4);
        bytes.truncate(20);
        assert!(process(&bytes, Kind::Png).is_err());
    }
}
