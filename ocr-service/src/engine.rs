//! Text from a file: images through Tesseract (the CLI, with TSV output for word confidences), PDFs
//! through their text layer (`pdftotext`), or rasterised page by page (`pdftoppm`) when they have none.
//! The type is judged from the bytes; image dimensions are read from the header and refused above the
//! pixel limit before anything is decoded; pages are limited too.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::OnceLock;

use image::GrayImage;
use mvp_imaging::{Bounds, DecodeError};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::Command;

use crate::barcode::{self, Barcode};
use crate::photo;

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

/// A recognised word: its place in [`Recognised::text`] and Tesseract's confidence in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    pub text: String,
    /// Mean word confidence, 0–100 (100 for a PDF's own text).
    pub confidence: f32,
    /// The words of `text` with their confidences (none for a PDF's own text, which is exact).
    pub words: Vec<Word>,
}

impl Recognised {
    /// The mean confidence of the words that `text[start..end]` touches (the whole text's when
    /// there are no words: a PDF's own text).
    pub fn confidence_of(&self, start: usize, end: usize) -> f32 {
        let touched: Vec<f32> = self
            .words
            .iter()
            .filter(|w| w.start < end && start < w.end)
            .map(|w| w.confidence)
            .collect();
        if touched.is_empty() {
            self.confidence
        } else {
            touched.iter().sum::<f32>() / touched.len() as f32
        }
    }
}

/// An image read: its text and the barcodes found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageReading {
    pub recognised: Recognised,
    pub barcodes: Vec<Barcode>,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_pixels: u64,
    pub max_pages: u32,
}

/// How an image is turned into ink and paper before Tesseract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Binarise {
    /// Greyscale as it is.
    None,
    /// One threshold for the whole image (Otsu's).
    Otsu,
    /// A threshold per neighbourhood (Sauvola's, with this `k`): light that falls off across a
    /// photographed page does not lose the dim side.
    Sauvola(f64),
    /// Sauvola (this `k`) where the paper's light is uneven ([`photo::uneven_light`]), else Otsu:
    /// on evenly lit scans and renders Otsu read more (the accuracy example's clean corpus).
    ByLight(f64),
}

/// How an image is prepared for Tesseract. The default is what `examples/accuracy.rs` measured best
/// (see the README): the page found and straightened, a local threshold, no upscaling, and 300 dpi
/// declared (same reading, less time than Tesseract's 70 dpi guess).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preprocess {
    /// Images narrower than this are doubled (0: never).
    pub upscale_below: u32,
    /// Find the paper, cut it out square and turn its lines level ([`photo::straighten`]).
    pub straighten: bool,
    pub binarise: Binarise,
    /// The resolution Tesseract is told (images carry none; it otherwise guesses 70 dpi).
    pub dpi: Option<u32>,
    /// Look for barcodes (VIN labels, registration cards) before anything else.
    pub barcodes: bool,
    /// When a barcode spells a VIN, answer with it and skip Tesseract.
    pub barcode_vin_suffices: bool,
}

impl Default for Preprocess {
    fn default() -> Self {
        Self {
            upscale_below: 0,
            straighten: true,
            binarise: Binarise::ByLight(0.2),
            dpi: Some(300),
            barcodes: false,
            barcode_vin_suffices: false,
        }
    }
}

impl Preprocess {
    /// What examples/accuracy.rs measured best per kind: receipts and documents straightened and
    /// thresholded locally; VIN plates read as they are (thresholding cost them 9 points), after a
    /// look for a barcode, which is exact and answers alone.
    pub fn for_kind(kind: &str) -> Self {
        match kind {
            "vin" => Self {
                straighten: false,
                binarise: Binarise::None,
                barcodes: true,
                barcode_vin_suffices: true,
                ..Self::default()
            },
            "document" => Self {
                barcodes: true,
                ..Self::default()
            },
            _ => Self::default(),
        }
    }
}

/// Tesseract's page segmentation per kind: sparse text for a VIN plate (a lone line among labels),
/// a uniform block for receipts and documents.
pub fn psm_for(kind: &str) -> u8 {
    if kind == "vin" { 11 } else { 6 }
}

/// Straightened if asked, doubled when narrower than `upscale_below`, then binarised as asked.
fn prepare(grey: GrayImage, prep: Preprocess) -> GrayImage {
    let grey = if prep.straighten {
        photo::straighten(grey)
    } else {
        grey
    };
    let grey = if grey.width() < prep.upscale_below {
        image::imageops::resize(
            &grey,
            grey.width() * 2,
            grey.height() * 2,
            image::imageops::FilterType::CatmullRom,
        )
    } else {
        grey
    };
    let binarise = match prep.binarise {
        Binarise::ByLight(k) if photo::uneven_light(&grey) => Binarise::Sauvola(k),
        Binarise::ByLight(_) => Binarise::Otsu,
        other => other,
    };
    match binarise {
        Binarise::None | Binarise::ByLight(_) => grey,
        Binarise::Otsu => {
            let level = photo::otsu(&grey);
            let mut grey = grey;
            for p in grey.pixels_mut() {
                p.0[0] = if p.0[0] > level { 255 } else { 0 };
            }
            grey
        }
        Binarise::Sauvola(k) => photo::sauvola(&grey, k),
    }
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

/// Rebuilds lines from Tesseract's TSV (level 5 rows are words), keeping each word's place in the
/// text and its confidence, and averages the confidences.
fn from_tsv(tsv: &str) -> Recognised {
    // (page, block, paragraph, line) → the words on it, in reading order, with their confidences.
    type LineKey = (u32, u32, u32, u32);
    type Line<'a> = (LineKey, Vec<(&'a str, Option<f32>)>);
    let mut lines: Vec<Line<'_>> = Vec::new();
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
        let conf = cols[10].parse::<f32>().ok().filter(|c| *c >= 0.0);
        match lines.last_mut() {
            Some((k, words)) if *k == key => words.push((word, conf)),
            _ => lines.push((key, vec![(word, conf)])),
        }
    }
    let mut out = Recognised {
        text: String::new(),
        confidence: 0.0,
        words: Vec::new(),
    };
    for (n, (_, words)) in lines.iter().enumerate() {
        if n > 0 {
            out.text.push('\n');
        }
        for (i, (word, conf)) in words.iter().enumerate() {
            if i > 0 {
                out.text.push(' ');
            }
            let start = out.text.len();
            out.text.push_str(word);
            if let Some(confidence) = *conf {
                out.words.push(Word {
                    start,
                    end: out.text.len(),
                    confidence,
                });
            }
        }
    }
    if !out.words.is_empty() {
        out.confidence =
            out.words.iter().map(|w| w.confidence).sum::<f32>() / out.words.len() as f32;
    }
    out
}

/// Reads an image file (within the pixel limit) and recognises it, prepared as `prep` says.
pub async fn image_text_with(
    bytes: &[u8],
    limits: Limits,
    psm: u8,
    work: &Path,
    prep: Preprocess,
) -> Result<ImageReading, EngineError> {
    let bounds = Bounds {
        max_pixels: limits.max_pixels,
        ..Bounds::default()
    };
    let owned = bytes.to_vec();
    let path = work.join("page.png");
    let save_to = path.clone();
    // The barcodes, and whether a barcode VIN already answers (then nothing is left for Tesseract).
    let (barcodes, answered) =
        tokio::task::spawn_blocking(move || -> Result<(Vec<Barcode>, bool), EngineError> {
            let grey = mvp_imaging::decode(&owned, None, bounds)
                .map_err(|e| match e {
                    DecodeError::Unreadable => EngineError::Unreadable,
                    too_large => EngineError::TooLarge(too_large.to_string()),
                })?
                .image
                .to_luma8();
            let barcodes = if prep.barcodes {
                barcode::decode(&grey)
            } else {
                Vec::new()
            };
            if prep.barcode_vin_suffices && barcode::vin_in(&barcodes).is_some() {
                return Ok((barcodes, true));
            }
            prepare(grey, prep)
                .save(&save_to)
                .map_err(|_| EngineError::Unreadable)?;
            Ok((barcodes, false))
        })
        .await
        .map_err(|e| EngineError::Engine(e.to_string()))??;
    if answered {
        // The barcode is exact: its text is what was read.
        let text = barcodes
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let words = vec![Word {
            start: 0,
            end: text.len(),
            confidence: 100.0,
        }];
        return Ok(ImageReading {
            recognised: Recognised {
                text,
                confidence: 100.0,
                words,
            },
            barcodes,
        });
    }
    Ok(ImageReading {
        recognised: tesseract(&path, psm, prep.dpi).await?,
        barcodes,
    })
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
            words: Vec::new(),
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
    let mut all = Recognised {
        text: String::new(),
        confidence: 0.0,
        words: Vec::new(),
    };
    for (n, page) in pages.iter().enumerate() {
        let r = tesseract(page, 6, Some(300)).await?;
        if n > 0 {
            all.text.push_str("\n\u{c}\n");
        }
        let offset = all.text.len();
        all.text.push_str(&r.text);
        all.words.extend(r.words.iter().map(|w| Word {
            start: w.start + offset,
            end: w.end + offset,
            confidence: w.confidence,
        }));
        all.confidence += r.confidence / pages.len() as f32;
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otsu_splits_ink_from_paper() {
        let page =
            image::GrayImage::from_fn(100, 10, |x, _| image::Luma([if x < 30 { 40 } else { 210 }]));
        let level = photo::otsu(&page);
        assert!((40..210).contains(&level), "{level}");
        let prepared = prepare(
            page,
            Preprocess {
                straighten: false,
                binarise: Binarise::Otsu,
                ..Preprocess::default()
            },
        );
        let pixels: Vec<u8> = prepared.pixels().map(|p| p.0[0]).collect();
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
        // Each word keeps its place and confidence: a field's confidence is its words'.
        assert_eq!(&r.text[r.words[1].start..r.words[1].end], "$35.02");
        assert!((r.confidence_of(6, 12) - 80.0).abs() < 0.01);
        assert!((r.confidence_of(0, 12) - 85.0).abs() < 0.01);
    }
}
