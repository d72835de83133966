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

/// The values a scan put into fields, by field name, and the scan's confidence.
#[derive(Clone, Copy)]
pub struct Scanned(RwSignal<(BTreeMap<&'static str, String>, f64)>);

impl Scanned {
    pub fn new() -> Self {
        Self(RwSignal::new((BTreeMap::new(), 0.0)))
    }

    /// Puts `value` into `field` (its signal) and remembers it as scanned.
    pub fn fill(&self, field: &'static str, signal: RwSignal<String>, value: String) {
        self.0.update(|(map, _)| {
            map.insert(field, value.clone());
        });
        signal.set(value);
    }

    pub fn set_confidence(&self, confidence: f64) {
        self.0.update(|(_, c)| *c = confidence);
    }

    pub fn clear(&self) {
        self.0.set((BTreeMap::new(), 0.0));
    }
}

impl Default for Scanned {
    fn default() -> Self {
        Self::new()
    }
}

/// "scanned · 87 %" beside a field while it still holds what the scan put there.
#[component]
pub fn ScannedMark(
    scanned: Scanned,
    field: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let shown = move || {
        scanned.0.with(|(map, confidence)| {
            map.get(field)
                .filter(|v| **v == value.get())
                .map(|_| format!("scanned · {confidence:.0} %"))
        })
    };
    view! {
        {move || shown().map(|text| view! { <span class="scanned" data-scanned=field>{text}</span> })}
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
