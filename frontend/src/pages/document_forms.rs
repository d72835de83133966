//! The document forms (documents.rs): the upload (a file picked, dropped or photographed, sent with
//! a progress bar) and the edit of a stored document; both share the type, title, dates and notes
//! fields and check them as the API does.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::document::{Document, DocumentInput, DOCUMENT_TYPES};
use mvp_types::ids::VehicleId;
use wasm_bindgen::JsCast;

use crate::api::documents as api;
use crate::components::form::{Errors, Field, FormError, Select, TextInput};
use crate::pages::admin::bytes;
use crate::state::ctx;

fn type_options() -> Vec<(String, String)> {
    DOCUMENT_TYPES
        .iter()
        .map(|t| (t.to_string(), crate::pages::vehicle_draft::capitalise(t)))
        .collect()
}

#[component]
pub(super) fn EditDocument(
    doc: Document,
    editing: RwSignal<bool>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let c = ctx();
    let id = doc.id;
    let prefix = format!("edit-{id}");
    let title = RwSignal::new(doc.title.clone());
    let kind = RwSignal::new(doc.document_type.clone());
    let issued = RwSignal::new(doc.issued_date.map(|d| d.to_string()).unwrap_or_default());
    let expires = RwSignal::new(
        doc.expiration_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let notes = RwSignal::new(doc.notes.clone().unwrap_or_default());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = match input(&title, &kind, &issued, &expires, &notes) {
            Ok(body) => body,
            Err(map) => {
                errors.set(map);
                return;
            }
        };
        spawn_local(async move {
            match api::update(id, &body).await {
                Ok(_) => {
                    c.success("Document saved");
                    c.notify_changed();
                    editing.set(false);
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        form_error.set(Some(e.to_string()));
                    }
                }
            }
        });
    };
    view! {
        <form class="grid-form edit-document" id=prefix on:submit=on_submit>
            <FormError message=form_error />
            <DocumentFields title=title kind=kind issued=issued expires=expires notes=notes errors=errors />
            <div class="actions">
                <button type="button" class="btn" on:click=move |_| editing.set(false)>"Cancel"</button>
                <button type="submit" class="btn primary">"Save"</button>
            </div>
        </form>
    }
}

/// The fields a document has besides its file, checked as the API checks them.
fn input(
    title: &RwSignal<String>,
    kind: &RwSignal<String>,
    issued: &RwSignal<String>,
    expires: &RwSignal<String>,
    notes: &RwSignal<String>,
) -> Result<DocumentInput, std::collections::BTreeMap<String, String>> {
    let mut errors = std::collections::BTreeMap::new();
    let date =
        |field: &str, value: String, errors: &mut std::collections::BTreeMap<String, String>| {
            let value = value.trim().to_owned();
            if value.is_empty() {
                return None;
            }
            match value.parse::<chrono::NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.insert(field.to_owned(), "Enter a date.".to_owned());
                    None
                }
            }
        };
    let issued_date = date("issuedDate", issued.get_untracked(), &mut errors);
    let expiration_date = date("expirationDate", expires.get_untracked(), &mut errors);
    if let (Some(i), Some(e)) = (issued_date, expiration_date) {
        if e < i {
            errors.insert(
                "expirationDate".to_owned(),
                "It expires before it was issued.".to_owned(),
            );
        }
    }
    let title = title.get_untracked().trim().to_owned();
    if title.is_empty() {
        errors.insert("title".to_owned(), "Give it a title.".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let notes = notes.get_untracked().trim().to_owned();
    Ok(DocumentInput {
        document_type: Some(kind.get_untracked()),
        title: Some(title),
        issued_date,
        expiration_date,
        notes: (!notes.is_empty()).then_some(notes),
        ..Default::default()
    })
}

#[component]
fn DocumentFields(
    title: RwSignal<String>,
    kind: RwSignal<String>,
    issued: RwSignal<String>,
    expires: RwSignal<String>,
    notes: RwSignal<String>,
    errors: Errors,
) -> impl IntoView {
    view! {
        <Field label="Type" name="documentType" errors=errors>
            <Select name="documentType" value=kind options=Signal::derive(type_options) errors=errors />
        </Field>
        <Field label="Title" name="title" errors=errors>
            <TextInput name="title" value=title errors=errors />
        </Field>
        <Field label="Issued" name="issuedDate" errors=errors>
            <TextInput name="issuedDate" kind="date" value=issued errors=errors />
        </Field>
        <Field label="Expires" name="expirationDate" errors=errors hint="You are reminded before it expires.">
            <TextInput name="expirationDate" kind="date" value=expires errors=errors />
        </Field>
        <Field label="Notes" name="notes" errors=errors>
            <textarea id="notes" rows="2" bind:value=notes></textarea>
        </Field>
    }
}

#[component]
pub(super) fn Upload(
    vehicles: Vec<(VehicleId, String)>,
    vehicle: Option<VehicleId>,
    on_done: Callback<()>,
) -> impl IntoView {
    let c = ctx();
    let vehicle_id = RwSignal::new(
        vehicle
            .or_else(|| vehicles.first().map(|(id, _)| *id))
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let vehicle_options = Signal::derive({
        let vehicles = vehicles.clone();
        move || {
            vehicles
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone()))
                .collect::<Vec<_>>()
        }
    });
    let file = StoredValue::new_local(None::<web_sys::File>);
    let file_label = RwSignal::new(None::<String>);
    let title = RwSignal::new(String::new());
    let kind = RwSignal::new("insurance".to_owned());
    let issued = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<f64>);
    let dragging = RwSignal::new(false);
    let choose = move |chosen: Option<web_sys::File>| {
        if let Some(f) = &chosen {
            file_label.set(Some(format!("{} ({})", f.name(), bytes(f.size() as i64))));
            if title.get_untracked().trim().is_empty() {
                let name = f.name();
                let stem = name
                    .rsplit_once('.')
                    .map_or(name.as_str(), |(s, _)| s)
                    .to_owned();
                title.set(stem);
            }
        }
        file.set_value(chosen);
    };
    let from_input = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        choose(input.and_then(|i| i.files()).and_then(|f| f.get(0)));
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        choose(
            ev.data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0)),
        );
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = input(&title, &kind, &issued, &expires, &notes);
        let chosen = file.get_value();
        let (body, chosen) = match (checked, chosen) {
            (Ok(body), Some(chosen)) => (body, chosen),
            (checked, chosen) => {
                let mut map = checked.err().unwrap_or_default();
                if chosen.is_none() {
                    map.insert(
                        "file".to_owned(),
                        "Choose a file, drop one here or take a photo.".to_owned(),
                    );
                }
                errors.set(map);
                return;
            }
        };
        let Ok(form) = web_sys::FormData::new() else {
            return;
        };
        let _ = form.append_with_str("vehicleId", &vehicle_id.get_untracked());
        let _ = form.append_with_str(
            "documentType",
            body.document_type.as_deref().unwrap_or("other"),
        );
        let _ = form.append_with_str("title", body.title.as_deref().unwrap_or_default());
        for (field, value) in [
            ("issuedDate", body.issued_date.map(|d| d.to_string())),
            (
                "expirationDate",
                body.expiration_date.map(|d| d.to_string()),
            ),
            ("notes", body.notes.clone()),
        ] {
            if let Some(value) = value {
                let _ = form.append_with_str(field, &value);
            }
        }
        let _ = form.append_with_blob_and_filename("file", &chosen, &chosen.name());
        errors.clear();
        form_error.set(None);
        progress.set(Some(0.0));
        spawn_local(async move {
            let result = api::upload(form, move |share| progress.set(Some(share))).await;
            progress.set(None);
            match result {
                Ok(d) => {
                    c.success(format!("{} uploaded", d.title));
                    c.notify_changed();
                    file.set_value(None);
                    file_label.set(None);
                    title.set(String::new());
                    issued.set(String::new());
                    expires.set(String::new());
                    notes.set(String::new());
                    on_done.try_run(());
                }
                // 413 (too large, or over the quota) and 415 (not a PDF or an image) say so.
                Err(e) => {
                    if !errors.show_api(&e) {
                        form_error.set(Some(e.to_string()));
                    }
                }
            }
        });
    };
    view! {
        <section class="card">
            <h2>"Add a document"</h2>
            <form class="upload" on:submit=on_submit>
                <FormError message=form_error />
                <div class="drop-zone" class:dragging=move || dragging.get() data-field="file"
                    on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop>
                    <p>{move || file_label.get().unwrap_or_else(|| "Drop a PDF or a photo here, or:".to_owned())}</p>
                    <div class="actions">
                        <label class="btn" for="file">"Choose a file"</label>
                        <input id="file" class="sr-only" type="file" accept="application/pdf,image/*" on:change=from_input />
                        <label class="btn" for="camera">"Take a photo"</label>
                        <input id="camera" class="sr-only" type="file" accept="image/*" capture="environment" on:change=from_input />
                    </div>
                    <p class="field-error" aria-live="polite">{move || errors.get("file")}</p>
                </div>
                <div class="grid-form">
                    {(vehicle.is_none()).then(|| view! {
                        <Field label="Vehicle" name="vehicleId" errors=errors>
                            <Select name="vehicleId" value=vehicle_id options=vehicle_options errors=errors />
                        </Field>
                    })}
                    <DocumentFields title=title kind=kind issued=issued expires=expires notes=notes errors=errors />
                </div>
                <Show when=move || progress.get().is_some()>
                    <div class="progress">
                        <progress max="100" value=move || (progress.get().unwrap_or(0.0) * 100.0).round().to_string()
                            aria-label="Upload progress"></progress>
                        <span>{move || format!("{:.0} %", progress.get().unwrap_or(0.0) * 100.0)}</span>
                    </div>
                </Show>
                <button type="submit" class="btn primary" disabled=move || progress.get().is_some()>"Upload"</button>
            </form>
        </section>
    }
}
