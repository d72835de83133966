//! Bounded image decoding: every image a user sends is measured from its header — sides, pixel count
//! and the bytes its decoded pixels would take — and refused before any pixel buffer is allocated.
//! Callers also bound how many decodes run at once (a semaphore in each service).

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// What a decode may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Longest accepted side, in pixels.
    pub max_side: u32,
    /// Width × height.
    pub max_pixels: u64,
    /// Width × height × bytes per pixel of the decoded buffer.
    pub max_decoded_bytes: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_side: 12_000,
            max_pixels: 40_000_000,
            max_decoded_bytes: 160 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "the image is {width}×{height} pixels; at most {max_side} px a side and {max_pixels} pixels are accepted"
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    #[error("the image would take {bytes} bytes decoded; at most {max} are accepted")]
    TooManyBytes { bytes: u64, max: u64 },
    #[error("the file could not be read as an image")]
    Unreadable,
}

impl DecodeError {
    /// A size refusal (413) rather than an unreadable file (415).
    pub fn is_too_large(&self) -> bool {
        !matches!(self, Self::Unreadable)
    }
}

/// A decoded image and the EXIF orientation its header asked for (not yet applied).
#[derive(Debug)]
pub struct Decoded {
    pub image: DynamicImage,
    pub orientation: Orientation,
}

/// The dimensions and decoded size from the header alone, checked against `bounds`.
pub fn measure(decoder: &impl ImageDecoder, bounds: Bounds) -> Result<(u32, u32), DecodeError> {
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if width > bounds.max_side || height > bounds.max_side || pixels > bounds.max_pixels {
        return Err(DecodeError::TooManyPixels {
            width,
            height,
            max_side: bounds.max_side,
            max_pixels: bounds.max_pixels,
        });
    }
    let bytes = decoder.total_bytes();
    if bytes > bounds.max_decoded_bytes {
        return Err(DecodeError::TooManyBytes {
            bytes,
            max: bounds.max_decoded_bytes,
        });
    }
    Ok((width, height))
}

/// Decodes `bytes` (of `format`, or guessed from the content when `None`) if the header says it fits
/// `bounds`; otherwise refuses without allocating the pixels.
pub fn decode(
    bytes: &[u8],
    format: Option<ImageFormat>,
    bounds: Bounds,
) -> Result<Decoded, DecodeError> {
    let mut reader = match format {
        Some(format) => ImageReader::with_format(Cursor::new(bytes), format),
        None => ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| DecodeError::Unreadable)?,
    };
    // image's own limits as a second fence (they bound the decoders' internal buffers where a codec
    // honours them); the checks that matter are ours, in `measure`.
    let mut limits = Limits::default();
    limits.max_image_width = Some(bounds.max_side);
    limits.max_image_height = Some(bounds.max_side);
    limits.max_alloc = Some(bounds.max_decoded_bytes);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|err| match err {
        image::ImageError::Limits(_) => DecodeError::TooManyBytes {
            bytes: bounds.max_decoded_bytes.saturating_add(1),
            max: bounds.max_decoded_bytes,
        },
        _ => DecodeError::Unreadable,
    })?;
    measure(&decoder, bounds)?;
    let orientation = decoder.orientation().map_err(|_| DecodeError::Unreadable)?;
    let image = DynamicImage::from_decoder(decoder).map_err(|_| DecodeError::Unreadable)?;
    Ok(Decoded { image, orientation })
}

/// `image` shrunk so that its longer side is at most `side` (aspect kept); smaller images unchanged.
pub fn fit_within(image: DynamicImage, side: u32) -> DynamicImage {
    if image.width() <= side && image.height() <= side {
        image
    } else {
        image.resize(side, side, image::imageops::FilterType::Triangle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mvp_test_support::bomb;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 251) as u8, 7])
        });
        let mut out = Vec::new();
        let _ = DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), ImageFormat::Png);
        out
    }

    #[test]
    fn an_ordinary_image_decodes() {
        let decoded =
            decode(&png(300, 200), None, Bounds::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((decoded.image.width(), decoded.image.height()), (300, 200));
    }

    #[test]
    fn the_small_bomb_is_a_valid_png_of_zeros() {
        // The generator's deflate stream is hand-made: a small one must decode to all-zero pixels.
        let bytes = bomb::png_rgba16(64, 48);
        let decoded = decode(&bytes, Some(ImageFormat::Png), Bounds::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((decoded.image.width(), decoded.image.height()), (64, 48));
        assert!(decoded.image.as_bytes().iter().all(|b| *b == 0));
        assert!(matches!(decoded.image, DynamicImage::ImageRgba16(_)));
    }

    #[test]
    fn too_many_pixels_are_refused_from_the_header() {
        let bytes = bomb::png_rgba16(12_000, 12_000);
        assert!(bytes.len() < 1_200_000, "the bomb is {} bytes", bytes.len());
        let err = decode(&bytes, Some(ImageFormat::Png), Bounds::default())
            .err()
            .unwrap_or(DecodeError::Unreadable);
        assert!(
            matches!(err, DecodeError::TooManyPixels { width: 12_000, .. }),
            "{err:?}"
        );
        assert!(err.is_too_large());
    }

    #[test]
    fn too_many_decoded_bytes_are_refused_under_the_pixel_cap() {
        // 36 MP is under the 40 MP cap, but 16-bit RGBA makes it 288 MB.
        let bytes = bomb::png_rgba16(6_000, 6_000);
        let err = decode(&bytes, Some(ImageFormat::Png), Bounds::default())
            .err()
            .unwrap_or(DecodeError::Unreadable);
        assert_eq!(
            err,
            DecodeError::TooManyBytes {
                bytes: 6_000 * 6_000 * 8,
                max: 160 * 1024 * 1024
            }
        );
    }

    #[test]
    fn a_long_side_is_refused_even_when_thin() {
        let err = decode(&bomb::png_rgba16(20_000, 1), None, Bounds::default())
            .err()
            .unwrap_or(DecodeError::Unreadable);
        assert!(err.is_too_large(), "{err:?}");
    }

    #[test]
    fn fit_within_keeps_the_aspect() {
        let big = DynamicImage::new_rgb8(4000, 3000);
        let small = fit_within(big, 2000);
        assert_eq!((small.width(), small.height()), (2000, 1500));
        let untouched = fit_within(DynamicImage::new_rgb8(10, 5), 2000);
        assert_eq!((untouched.width(), untouched.height()), (10, 5));
    }

    #[test]
    fn garbage_is_unreadable() {
        let err = decode(b"\x89PNG\r\n\x1a\nnot really", None, Bounds::default())
            .err()
            .unwrap_or(DecodeError::TooManyBytes { bytes: 0, max: 0 });
        assert_eq!(err, DecodeError::Unreadable);
    }
}
