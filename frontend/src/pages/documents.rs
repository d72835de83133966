//! Documents: every document (`/documents`, filtered by vehicle) or one vehicle's (its Documents
//! tab). Upload with a progress bar — pick a file, drop one on the form, or take a photo with the
//! phone's camera — with type, title, dates and notes; a list with expiry badges; an in-page
//! preview (images, and PDFs in the browser's own viewer), download, edit and delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::document::{Document, DocumentInput, DOCUMENT_TYPES};
use mvp_types::ids::{DocumentId, VehicleId};
use mvp_types::vehicle::Vehicle;
use wasm_bindgen::JsCast;

use crate::api::{calls, documents as api};
use crate::components::form::{Errors, Field, FormError, Select, TextInput};
use crate::components::ui::{vehicle_name, Confirm, Empty, LoadError, Skeleton};
use crate::format;
use crate::pages::admin::bytes;
use crate::state::ctx;

/// Within this many days an expiry is "expiring".
const EXPIRING_DAYS: i64 = 30;

/// The badge of an expiry date: `(class, text)`.
pub fn expiry_badge(
    expires: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> (&'static str, String) {
    let days = (expires - today).num_days();
    if days < 0 {
        (
            "badge overdue",
            format!("Expired {}", format::relative_days(expires, today)),
        )
    } else if days <= EXPIRING_DAYS {
        (
            "badge due-soon",
            format!("Expires {}", format::relative_days(expires, today)),
        )
    } else {
        ("badge ok", format!("Valid until {}", format::date(expires)))
    }
}

fn type_options() -> Vec<(String, String)> {
    DOCUMENT_TYPES
        .iter()
        .map(|t| (t.to_string(), crate::pages::vehicle_draft::capitalise(t)))
        .collect()
}

/// Every document, with a vehicle filter.
#[component]
pub fn DocumentsPage() -> impl IntoView {
    let vehicles =
        LocalResource::new(|| async { calls::vehicles().await.map_err(|e| e.to_string()) });
    view! {
        <section class="card">
            <h1>"Documents"</h1>
            <p class="muted">"Insurance cards, registrations, receipts and manuals, with reminders before they expire."</p>
        </section>
        {move || match vehicles.get() {
            None => view! { <Skeleton lines=3 /> }.into_any(),
            Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <Empty text="Add a vehicle first: every document belongs to one." />
            }.into_any(),
            Some(Ok(list)) => view! { <DocumentsPanel vehicles=list vehicle=None /> }.into_any(),
        }}
    }
}

/// One vehicle's documents (the vehicle page's tab).
#[component]
pub fn DocumentsTab(vehicle: Vehicle) -> impl IntoView {
    let id = vehicle.id;
    view! { <DocumentsPanel vehicles=vec![vehicle] vehicle=Some(id) /> }
}

#[component]
fn DocumentsPanel(vehicles: Vec<Vehicle>, vehicle: Option<VehicleId>) -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let filter = RwSignal::new(vehicle.map(|v| v.to_string()).unwrap_or_default());
    let list = LocalResource::new(move || {
        version.track();
        let chosen = filter.get().parse::<uuid::Uuid>().ok().map(VehicleId);
        async move { api::documents(chosen).await.map_err(|e| e.to_string()) }
    });
    let names: Vec<(VehicleId, String)> =
        vehicles.iter().map(|v| (v.id, vehicle_name(v))).collect();
    let name_of = StoredValue::new(names.clone());
    let vehicle_options = Signal::derive({
        let names = names.clone();
        move || {
            names
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone()))
                .collect::<Vec<_>>()
        }
    });
    let preview = RwSignal::new(None::<(Document, String)>);
    view! {
        <Upload vehicles=names vehicle=vehicle on_done=Callback::new(move |()| version.update(|v| *v += 1)) />
        <section class="card">
            <div class="row-between">
                <h2>"Stored documents"</h2>
                {vehicle.is_none().then(|| view! {
                    <div class="row">
                        <label for="filter-vehicle">"Vehicle"</label>
                        <Select name="filter-vehicle" value=filter options=vehicle_options placeholder="All vehicles" />
                    </div>
                })}
            </div>
            {move || match list.get() {
                None => view! { <Skeleton lines=3 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(docs)) if docs.is_empty() => view! { <Empty text="No documents yet." /> }.into_any(),
                Some(Ok(docs)) => view! {
                    <ul class="document-list">
                        {docs.into_iter().map(|d| {
                            let vehicle = name_of.with_value(|n| n.iter().find(|(id, _)| *id == d.vehicle_id).map(|(_, name)| name.clone()));
                            view! { <DocumentRow doc=d vehicle=vehicle version=version preview=preview /> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        <Preview preview=preview />
    }
}

#[component]
fn DocumentRow(
    doc: Document,
    vehicle: Option<String>,
    version: RwSignal<u32>,
    preview: RwSignal<Option<(Document, String)>>,
) -> impl IntoView {
    let c = ctx();
    let id: DocumentId = doc.id;
    let today = crate::browser::today(&c.time_zone());
    let badge = doc.expiration_date.map(|d| expiry_badge(d, today));
    let editing = RwSignal::new(false);
    let confirm_open = RwSignal::new(false);
    let title = doc.title.clone();
    let viewable = doc.content_type.starts_with("image/") || doc.content_type == "application/pdf";
    let open_preview = {
        let doc = doc.clone();
        move |_| {
            let doc = doc.clone();
            spawn_local(async move {
                match api::object_url(doc.id).await {
                    Ok(url) => preview.set(Some((doc, url))),
                    Err(e) => c.error(format!("Cannot open it: {e}")),
                }
            });
        }
    };
    let file_name = doc.file_name.clone();
    let download = move |_| {
        let file_name = file_name.clone();
        spawn_local(async move {
            match api::object_url(id).await {
                Ok(url) => crate::browser::download_object_url(url, &file_name),
                Err(e) => c.error(format!("Cannot download it: {e}")),
            }
        });
    };
    let on_delete = Callback::new(move |()| {
        spawn_local(async move {
            match api::remove(id).await {
                Ok(()) => {
                    c.success("Document deleted");
                    c.notify_changed();
                    version.update(|v| *v += 1);
                }
                Err(e) => c.error(format!("Cannot delete it: {e}")),
            }
        });
    });
    let edit_doc = doc.clone();
    view! {
        <li class="document" data-document=doc.title.clone()>
            <div class="row-between">
                <div>
                    <strong>{doc.title.clone()}</strong>" "
                    <span class="muted">{crate::pages::vehicle_draft::capitalise(&doc.document_type)}</span>
                    {badge.map(|(class, text)| { let label = text.clone(); view! { " "<span class=class data-expiry=label>{text}</span> } })}
                    <br />
                    <small class="muted">{format!("{} · {} · {}{}", doc.file_name, bytes(doc.size_bytes),
                        doc.issued_date.map(|d| format!("issued {} · ", format::date(d))).unwrap_or_default(),
                        vehicle.unwrap_or_default())}</small>
                </div>
                <div class="actions">
                    {viewable.then(|| view! { <button class="btn small" on:click=open_preview.clone()>"Preview"</button> })}
                    <button class="btn small" on:click=download>"Download"</button>
                    <button class="btn small" aria-expanded=move || editing.get().to_string()
                        on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                    <button class="btn small danger" on:click=move |_| confirm_open.set(true)>"Delete"</button>
                </div>
            </div>
            <Show when=move || editing.get()>
                <EditDocument doc=edit_doc.clone() editing=editing version=version />
            </Show>
            <Confirm
                open=confirm_open
                title="Delete this document?"
                message=Signal::derive(move || format!("Delete {title}? Its file is removed after the retention period."))
                confirm_label="Delete"
                on_confirm=on_delete
            />
        </li>
    }
}

#[component]
fn Preview(preview: RwSignal<Option<(Document, String)>>) -> impl IntoView {
    let close = move || {
        if let Some((_, url)) = preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
        preview.set(None);
    };
    on_cleanup(close);
    view! {
        <Show when=move || preview.get().is_some()>
            <div class="modal-backdrop" on:click=move |_| close()
                on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <div class="modal preview" role="dialog" aria-modal="true" aria-labelledby="preview-title"
                    on:click=|ev| ev.stop_propagation()>
                    {move || preview.get().map(|(doc, url)| view! {
                        <div class="row-between">
                            <h2 id="preview-title">{doc.title.clone()}</h2>
                            <button class="btn" autofocus on:click=move |_| close()>"Close"</button>
                        </div>
                        {if doc.content_type == "application/pdf" {
                            view! { <iframe class="document-view" title=doc.title.clone() src=url></iframe> }.into_any()
                        } else {
                            view! { <img class="document-view" alt=doc.title.clone() src=url /> }.into_any()
                        }}
                    })}
                </div>
            </div>
        </Show>
    }
}

#[component]
fn EditDocument(doc: Document, editing: RwSignal<bool>, version: RwSignal<u32>) -> impl IntoView {
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
fn Upload(
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn expiry_badges_say_expired_expiring_or_valid() {
        let today = day("2026-03-10");
        assert_eq!(
            expiry_badge(day("2026-03-01"), today),
            ("badge overdue", "Expired 9 days ago".to_owned())
        );
        assert_eq!(
            expiry_badge(day("2026-03-25"), today),
            ("badge due-soon", "Expires in 15 days".to_owned())
        );
        assert_eq!(
            expiry_badge(day("2026-03-10"), today),
            ("badge due-soon", "Expires today".to_owned())
        );
        assert_eq!(expiry_badge(day("2026-09-01"), today).0, "badge ok");
    }
}
