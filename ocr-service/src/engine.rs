//! Text from a file: images through Tesseract (the CLI, with TSV output for word confidences), PDFs
//! through their text layer (`pdftotext`), or rasterised page by page (`pdftoppm`) when they have none.
//! The type is judged from the bytes; image dimensions are read from the header and refused above the
//! pixel limit before anything is decoded; pages are limited too.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::OnceLock;

use image::DynamicImage;
use mvp_imaging::{Bounds, DecodeError};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
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
    /// Refused from the header, before decoding (`mvp_imaging`: sides, pixels, decoded bytes).
    #[error("{0}")]
    TooLarge(String),
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

/// How an image is prepared for Tesseract. The default is what `examples/accuracy.rs` measured best
/// (see the README): greyscale, Otsu threshold, no upscaling (doubling lost 28 points on VINs), and
/// 300 dpi declared (same reading, less time than Tesseract's 70 dpi guess).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preprocess {
    /// Images narrower than this are doubled (0: never).
    pub upscale_below: u32,
    /// Binarise with Otsu's threshold after scaling.
    pub threshold: bool,
    /// The resolution Tesseract is told (images carry none; it otherwise guesses 70 dpi).
    pub dpi: Option<u32>,
}

impl Default for Preprocess {
    fn default() -> Self {
        Self {
            upscale_below: 0,
            threshold: true,
            dpi: Some(300),
        }
    }
}

impl Preprocess {
    /// What examples/accuracy.rs measured best per kind: thresholding helps receipts (every field
    /// 97–100 %) but costs VIN plates 9 points, so a VIN is read without it.
    pub fn for_kind(kind: &str) -> Self {
        Self {
            threshold: kind != "vin",
            ..Self::default()
        }
    }
}

/// Tesseract's page segmentation per kind: sparse text for a VIN plate (a lone line among labels),
/// a uniform block for receipts and documents.
pub fn psm_for(kind: &str) -> u8 {
    if kind == "vin" { 11 } else { 6 }
}

/// Greyscale, doubled when narrower than `upscale_below`, then thresholded if asked.
fn prepare(image: DynamicImage, prep: Preprocess) -> DynamicImage {
    let grey = image.to_luma8();
    let mut grey = if grey.width() < prep.upscale_below {
        image::imageops::resize(
            &grey,
            grey.width() * 2,
            grey.height() * 2,
            image::imageops::FilterType::CatmullRom,
        )
    } else {
        grey
    };
    if prep.threshold {
        let level = otsu(&grey);
        for p in grey.pixels_mut() {
            p.0[0] = if p.0[0] > level { 255 } else { 0 };
        }
    }
    DynamicImage::ImageLuma8(grey)
}

/// Otsu's threshold: the grey level that best separates ink from paper (maximal between-class
/// variance of the histogram).
fn otsu(image: &image::GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for p in image.pixels() {
        histogram[usize::from(p.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(level, n)| level as f64 * *n as f64)
        .sum();
    let (mut weight_below, mut sum_below) = (0u64, 0f64);
    let (mut best, mut best_variance) = (127u8, -1f64);
    for (level, n) in histogram.iter().enumerate() {
        weight_below += n;
        if weight_below == 0 || weight_below == total {
            continue;
        }
        sum_below += level as f64 * *n as f64;
        let (wb, wf) = (weight_below as f64, (total - weight_below) as f64);
        let mean_below = sum_below / wb;
        let mean_above = (sum_all - sum_below) / wf;
        let variance = wb * wf * (mean_below - mean_above).powi(2);
        if variance > best_variance {
            best_variance = variance;
            best = u8::try_from(level).unwrap_or(u8::MAX);
        }
    }
    best
}

/// The resolution PDF pages are rasterised at.
const RASTER_DPI: f64 = 300.0;

/// What a child process may take: address space, CPU seconds, bytes of any file it writes.
const CHILD_MAX_MEMORY: u64 = 2 * 1024 * 1024 * 1024;
const CHILD_MAX_CPU_SECS: u64 = 120;
const CHILD_MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Whether util-linux's `prlimit` is here to set the children's rlimits (it is on Debian; without
/// it the children run with the service's own limits).
fn have_prlimit() -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    *HAVE.get_or_init(|| {
        std::process::Command::new("prlimit")
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Kills a child's whole process group when the request that started it ends early (its future is
/// dropped on a time-out or a client's disconnect); `kill_on_drop` kills and reaps the child itself.
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }
}

/// Runs `program` with `args` under rlimits, in a process group of its own, killed if dropped.
async fn run(program: &str, args: &[OsString]) -> Result<Output, EngineError> {
    let mut command = if have_prlimit() {
        let mut command = Command::new("prlimit");
        command
            .arg(format!("--as={CHILD_MAX_MEMORY}"))
            .arg(format!("--cpu={CHILD_MAX_CPU_SECS}"))
            .arg(format!("--fsize={CHILD_MAX_FILE_BYTES}"))
            .arg("--")
            .arg(program);
        command
    } else {
        Command::new(program)
    };
    let child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| EngineError::Engine(format!("cannot run {program}: {e}")))?;
    let mut guard = GroupGuard(child.id().and_then(|id| i32::try_from(id).ok()));
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| EngineError::Engine(format!("{program} failed: {e}")))?;
    guard.0 = None;
    Ok(output)
}

/// `(page, (width, height))` in points from `pdfinfo -f 1 -l N` ("Page    2 size: 612 x 792 pts").
fn page_sizes(info: &str) -> Vec<(u32, (f64, f64))> {
    info.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("Page")?;
            let (page, size) = rest.split_once("size:")?;
            let page = page.trim().parse().ok()?;
            let mut numbers = size.split_whitespace();
            let width = numbers.next()?.parse().ok()?;
            let _x = numbers.next()?;
            let height = numbers.next()?.parse().ok()?;
            Some((page, (width, height)))
        })
        .collect()
}

async fn tesseract(path: &Path, psm: u8, dpi: Option<u32>) -> Result<Recognised, EngineError> {
    let mut args = vec![path.as_os_str().to_owned(), "stdout".into()];
    if let Some(dpi) = dpi {
        args.extend(["--dpi".into(), dpi.to_string().into()]);
    }
    let psm = psm.to_string();
    args.extend(["--psm", &psm, "-l", "eng", "tsv"].map(Into::into));
    let output = run("tesseract", &args).await?;
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
    image_text_with(bytes, limits, psm, work, Preprocess::default()).await
}

/// [`image_text`] with a chosen preparation (the accuracy example compares them).
pub async fn image_text_with(
    bytes: &[u8],
    limits: Limits,
    psm: u8,
    work: &Path,
    prep: Preprocess,
) -> Result<Recognised, EngineError> {
    let bounds = Bounds {
        max_pixels: limits.max_pixels,
        ..Bounds::default()
    };
    let owned = bytes.to_vec();
    let path = work.join("page.png");
    let save_to = path.clone();
    tokio::task::spawn_blocking(move || -> Result<(), EngineError> {
        let image = mvp_imaging::decode(&owned, None, bounds)
            .map_err(|e| match e {
                DecodeError::Unreadable => EngineError::Unreadable,
                too_large => EngineError::TooLarge(too_large.to_string()),
            })?
            .image;
        prepare(image, prep)
            .save(&save_to)
            .map_err(|_| EngineError::Unreadable)
    })
    .await
    .map_err(|e| EngineError::Engine(e.to_string()))??;
    tesseract(&path, psm, prep.dpi).await
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
    let last = limits.max_pages.to_string();
    let layer = run(
        "pdftotext",
        &[
            "-layout".into(),
            "-l".into(),
            (&last).into(),
            pdf.clone().into(),
            "-".into(),
        ],
    )
    .await?;
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
    // Every page is measured before one is rasterised: a 200-inch page would be 60,000 px a side.
    let info = run(
        "pdfinfo",
        &[
            "-f".into(),
            "1".into(),
            "-l".into(),
            (&last).into(),
            pdf.clone().into(),
        ],
    )
    .await?;
    if !info.status.success() {
        return Err(EngineError::Unreadable);
    }
    for (page, (width, height)) in page_sizes(&String::from_utf8_lossy(&info.stdout)) {
        let pixels = (width / 72.0 * RASTER_DPI) * (height / 72.0 * RASTER_DPI);
        if pixels > limits.max_pixels as f64 {
            return Err(EngineError::TooLarge(format!(
                "page {page} is {:.0}×{:.0} inches; at {RASTER_DPI} dpi that is more than {} pixels",
                width / 72.0,
                height / 72.0,
                limits.max_pixels
            )));
        }
    }
    let prefix = work.join("page");
    let raster = run(
        "pdftoppm",
        &[
            "-r".into(),
            "300".into(),
            "-gray".into(),
            "-png".into(),
            "-f".into(),
            "1".into(),
            "-l".into(),
            (&last).into(),
            pdf.clone().into(),
            prefix.into(),
        ],
    )
    .await?;
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
        let r = tesseract(page, 6, Some(300)).await?;
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
    fn otsu_splits_ink_from_paper() {
        let page =
            image::GrayImage::from_fn(100, 10, |x, _| image::Luma([if x < 30 { 40 } else { 210 }]));
        let level = otsu(&page);
        assert!((40..210).contains(&level), "{level}");
        let prepared = prepare(
            DynamicImage::ImageLuma8(page),
            Preprocess {
                upscale_below: 0,
                threshold: true,
                dpi: None,
            },
        );
        let pixels: Vec<u8> = prepared.to_luma8().pixels().map(|p| p.0[0]).collect();
        assert!(pixels.iter().all(|p| *p == 0 || *p == 255));
        assert_eq!(pixels.iter().filter(|p| **p == 0).count(), 300);
    }

    #[test]
    fn page_sizes_are_read_from_pdfinfo() {
        let info = "Pages:          2\nPage    1 size: 612 x 792 pts (letter)\nPage    1 rot:  0\n\
                    Page    2 size: 14400 x 14400 pts\nFile size:      913 bytes\n";
        assert_eq!(
            page_sizes(info),
            [(1, (612.0, 792.0)), (2, (14400.0, 14400.0))]
        );
    }

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
