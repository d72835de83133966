//! Scanning into a form: a button that takes a photo (the phone's camera) or a file, sends it to
//! `/api/ocr/extract`, and hands what was read to the form; and the mark a scanned field wears — with
//! the scan's confidence — until the user changes its value. Nothing is saved by a scan.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::document::OcrExtract;
use wasm_bindgen::JsCast;

use crate::api::documents;
use crate::state::ctx;

/// What a scan put into one field: the value, how sure the reading was (0–100), and whether the
/// service worked it out from the other amounts (`corrected`).
#[derive(Clone, Debug, PartialEq)]
struct Mark {
    value: String,
    confidence: f64,
    corrected: bool,
}

/// The scan being shown: its per-field confidences and corrections, and the marks it left.
#[derive(Clone, Debug, Default, PartialEq)]
struct State {
    marks: BTreeMap<&'static str, Mark>,
    confidence: f64,
    field_confidence: BTreeMap<String, f64>,
    corrected: Vec<String>,
}

/// Below this confidence a scanned value is marked "check".
const SURE: f64 = 60.0;

/// The values a scan put into fields, by field name, with each field's confidence.
#[derive(Clone, Copy)]
pub struct Scanned(RwSignal<State>);

impl Scanned {
    pub fn new() -> Self {
        Self(RwSignal::new(State::default()))
    }

    /// Forgets the previous scan and remembers how sure this one is of each field.
    pub fn start(&self, read: &OcrExtract) {
        self.0.set(State {
            marks: BTreeMap::new(),
            confidence: read.confidence,
            field_confidence: read.field_confidence.clone(),
            corrected: read.corrected.clone(),
        });
    }

    /// Puts `value` into `field` (its signal) and remembers it as scanned from the service's field
    /// `source` (e.g. `totalCost`), with that field's confidence.
    pub fn fill(&self, field: &'static str, source: &str, signal: RwSignal<String>, value: String) {
        self.0.update(|state| {
            let mark = Mark {
                value: value.clone(),
                confidence: state
                    .field_confidence
                    .get(source)
                    .copied()
                    .unwrap_or(state.confidence),
                corrected: state.corrected.iter().any(|c| c == source),
            };
            state.marks.insert(field, mark);
        });
        signal.set(value);
    }

    pub fn clear(&self) {
        self.0.set(State::default());
    }
}

impl Default for Scanned {
    fn default() -> Self {
        Self::new()
    }
}

/// "scanned · 87 %" beside a field while it still holds what the scan put there; "check" when the
/// reading was unsure, "worked out" when the service corrected it from the other amounts.
#[component]
pub fn ScannedMark(
    scanned: Scanned,
    field: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let shown = move || {
        scanned.0.with(|state| {
            state
                .marks
                .get(field)
                .filter(|m| m.value == value.get())
                .cloned()
        })
    };
    view! {
        {move || shown().map(|mark| {
            let unsure = mark.confidence < SURE;
            let text = match (mark.corrected, unsure) {
                (true, _) => format!("scanned · worked out from the other amounts · {:.0} %", mark.confidence),
                (false, true) => format!("scanned · check it · {:.0} %", mark.confidence),
                (false, false) => format!("scanned · {:.0} %", mark.confidence),
            };
            view! {
                <span class="scanned" class:unsure=unsure || mark.corrected data-scanned=field>{text}</span>
            }
        })}
    }
}

/// A "Scan …" button: a photo or a file goes to the OCR service; `on_read` gets what was read, and
/// the file itself (to keep it as a document).
#[component]
pub fn ScanButton(
    kind: &'static str,
    label: &'static str,
    id: &'static str,
    on_read: Callback<(OcrExtract, web_sys::File)>,
) -> impl IntoView {
    let c = ctx();
    let busy = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let Some(input) = input else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same photo again must fire `change` too.
        input.set_value("");
        busy.set(true);
        spawn_local(async move {
            match documents::scan(kind, &file).await {
                Ok(read) => {
                    let _ = on_read.try_run((read, file));
                }
                Err(e) if e.status == 503 => c.error(
                    "Scanning is unavailable right now: the text-recognition service is not running. Type the values instead.",
                ),
                Err(e) => c.error(format!("Cannot read it: {e}")),
            }
            busy.set(false);
        });
    };
    view! {
        <label class="btn scan" for=id aria-busy=move || busy.get().to_string()>
            {move || if busy.get() { "Reading…" } else { label }}
        </label>
        <input id=id class="sr-only" type="file" accept="image/*,application/pdf" capture="environment"
            disabled=move || busy.get() on:change=on_change />
    }
}
