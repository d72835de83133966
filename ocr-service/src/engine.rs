//! Text from a file: images through Tesseract (the CLI, with TSV output for word confidences), PDFs
//! through their text layer (`pdftotext`), or rasterised page by page (`pdftoppm`) when they have none.
//! The type is judged from the bytes; image dimensions are read from the header and refused above the
//! pixel limit before anything is decoded; pages are limited too.

use std::io::Cursor;
use std::path::Path;
use std::process::Stdio;

use image::{DynamicImage, ImageReader};
use tokio::process::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Image,
}

/// What the bytes are (`None`: not something this service reads).
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    let image = bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A])
        || (bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP");
    if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if image {
        Some(Kind::Image)
    } else {
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the image has {0} pixels; at most {1} are read")]
    TooManyPixels(u64, u64),
    #[error("the file could not be read")]
    Unreadable,
    #[error("the OCR engine failed: {0}")]
    Engine(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    pub text: String,
    /// Mean word confidence, 0–100 (100 for a PDF's own text).
    pub confidence: f32,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_pixels: u64,
    pub max_pages: u32,
}

/// Greyscale, and twice the size when small: Tesseract reads ~30 px capitals best.
fn prepare(image: DynamicImage) -> DynamicImage {
    let grey = DynamicImage::ImageLuma8(image.to_luma8());
    if grey.width() < 1200 {
        grey.resize(
            grey.width() * 2,
            grey.height() * 2,
            image::imageops::FilterType::CatmullRom,
        )
    } else {
        grey
    }
}

async fn tesseract(path: &Path, psm: u8) -> Result<Recognised, EngineError> {
    let output = Command::new("tesseract")
        .arg(path)
        .arg("stdout")
        .args(["--psm", &psm.to_string(), "-l", "eng", "tsv"])
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| EngineError::Engine(format!("cannot run tesseract: {e}")))?;
    if !output.status.success() {
        return Err(EngineError::Engine(
            String::from_utf8_lossy(&output.stderr)
                .chars()
                .take(200)
                .collect(),
        ));
    }
    Ok(from_tsv(&String::from_utf8_lossy(&output.stdout)))
}

/// Rebuilds lines from Tesseract's TSV (level 5 rows are words) and averages the word confidences.
fn from_tsv(tsv: &str) -> Recognised {
    // (block, paragraph, line) of page → the words on it, in reading order.
    type LineKey = (u32, u32, u32, u32);
    let mut lines: Vec<(LineKey, Vec<String>)> = Vec::new();
    let (mut sum, mut count) = (0f32, 0u32);
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        if word.is_empty() {
            continue;
        }
        let num = |i: usize| cols[i].parse::<u32>().unwrap_or(0);
        let key = (num(1), num(2), num(3), num(4));
        if let Some(conf) = cols[10].parse::<f32>().ok().filter(|c| *c >= 0.0) {
            sum += conf;
            count += 1;
        }
        match lines.last_mut() {
            Some((k, words)) if *k == key => words.push(word.to_owned()),
            _ => lines.push((key, vec![word.to_owned()])),
        }
    }
    Recognised {
        text: lines
            .into_iter()
            .map(|(_, w)| w.join(" "))
            .collect::<Vec<_>>()
            .join("\n"),
        confidence: if count == 0 { 0.0 } else { sum / count as f32 },
    }
}

/// Reads an image file (within the pixel limit) and recognises it.
pub async fn image_text(
    bytes: &[u8],
    limits: Limits,
    psm: u8,
    work: &Path,
) -> Result<Recognised, EngineError> {
    let (w, h) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| EngineError::Unreadable)?
        .into_dimensions()
        .map_err(|_| EngineError::Unreadable)?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits.max_pixels {
        return Err(EngineError::TooManyPixels(pixels, limits.max_pixels));
    }
    let owned = bytes.to_vec();
    let path = work.join("page.png");
    let save_to = path.clone();
    tokio::task::spawn_blocking(move || -> Result<(), EngineError> {
        let image = image::load_from_memory(&owned).map_err(|_| EngineError::Unreadable)?;
        prepare(image)
            .save(&save_to)
            .map_err(|_| EngineError::Unreadable)
    })
    .await
    .map_err(|e| EngineError::Engine(e.to_string()))??;
    tesseract(&path, psm).await
}

/// A PDF's text layer, or its pages rasterised at 300 dpi and recognised (at most `max_pages`).
pub async fn pdf_text(
    bytes: &[u8],
    limits: Limits,
    work: &Path,
) -> Result<Recognised, EngineError> {
    let pdf = work.join("input.pdf");
    tokio::fs::write(&pdf, bytes)
        .await
        .map_err(|e| EngineError::Engine(e.to_string()))?;
    let layer = Command::new("pdftotext")
        .args(["-layout", "-l", &limits.max_pages.to_string()])
        .arg(&pdf)
        .arg("-")
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| EngineError::Engine(format!("cannot run pdftotext: {e}")))?;
    if !layer.status.success() {
        return Err(EngineError::Unreadable);
    }
    let text = String::from_utf8_lossy(&layer.stdout).trim().to_owned();
    if !text.is_empty() {
        return Ok(Recognised {
            text,
            confidence: 100.0,
        });
    }
    let prefix = work.join("page");
    let raster = Command::new("pdftoppm")
        .args([
            "-r",
            "300",
            "-gray",
            "-png",
            "-f",
            "1",
            "-l",
            &limits.max_pages.to_string(),
        ])
        .arg(&pdf)
        .arg(&prefix)
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| EngineError::Engine(format!("cannot run pdftoppm: {e}")))?;
    if !raster.status.success() {
        return Err(EngineError::Unreadable);
    }
    let mut pages: Vec<_> = std::fs::read_dir(work)
        .map_err(|e| EngineError::Engine(e.to_string()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    let mut texts = Vec::new();
    let mut confidence = 0.0;
    for page in &pages {
        let r = tesseract(page, 6).await?;
        confidence += r.confidence;
        texts.push(r.text);
    }
    Ok(Recognised {
        text: texts.join("\n\u{c}\n"),
        confidence: if pages.is_empty() {
            0.0
        } else {
            confidence / pages.len() as f32
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Kind::Pdf));
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }

    #[test]
    fn tsv_rows_become_lines_and_a_mean_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tTOTAL\n\
                   5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\t$35.02\n\
                   5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\tTHANKS\n";
        let r = from_tsv(tsv);
        assert_eq!(r.text, "TOTAL $35.02\nTHANKS");
        assert!((r.confidence - 80.0).abs() < 0.01);
    }
}
