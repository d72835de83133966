//! Vehicle photos: the type is judged from the bytes (JPEG, PNG, WebP), dimensions are checked before
//! any pixel is decoded (a decompression bomb is refused, not allocated), the EXIF orientation is
//! applied and the image re-encoded — which drops EXIF (GPS position, camera serial) and every other
//! metadata block — and a JPEG thumbnail of at most 512 px is made beside it.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use mvp_core::sniff::FileKind;

/// Larger sides are refused before decoding.
pub const MAX_DIMENSION: u32 = 12_000;
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

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the image is larger than {MAX_DIMENSION}×{MAX_DIMENSION} pixels")]
    TooLarge,
    #[error("the file could not be read as an image")]
    Corrupt,
}

pub struct Processed {
    pub original: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

/// Decodes (within limits), orients, strips metadata by re-encoding, and makes the thumbnail.
pub fn process(bytes: &[u8], kind: Kind) -> Result<Processed, ImageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (width, height) = decoder.dimensions();
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(ImageError::TooLarge);
    }
    let orientation = decoder.orientation().map_err(classify)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(classify)?;
    image.apply_orientation(orientation);

    let mut original = Vec::new();
    match kind {
        Kind::Jpeg => image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut original, 90)),
        Kind::Png => image.write_with_encoder(PngEncoder::new(&mut original)),
        Kind::WebP => image
            .to_rgba8()
            .write_with_encoder(WebPEncoder::new_lossless(&mut original)),
    }
    .map_err(|_| ImageError::Corrupt)?;

    let mut thumbnail = Vec::new();
    image
        .thumbnail(THUMB_SIZE, THUMB_SIZE)
        .to_rgb8()
        .write_with_encoder(JpegEncoder::new_with_quality(&mut thumbnail, 80))
        .map_err(|_| ImageError::Corrupt)?;
    Ok(Processed {
        original,
        thumbnail,
    })
}

fn classify(err: image::ImageError) -> ImageError {
    match err {
        image::ImageError::Limits(_) => ImageError::TooLarge,
        _ => ImageError::Corrupt,
    }
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
    fn garbage_with_an_image_header_is_refused() {
        let mut bytes = png(4, 4);
        bytes.truncate(20);
        assert!(process(&bytes, Kind::Png).is_err());
    }
}
