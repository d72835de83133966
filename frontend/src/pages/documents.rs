//! Documents: every document (`/documents`, filtered by vehicle) or one vehicle's (its Documents
//! tab). Upload with a progress bar — pick a file, drop one on the form, or take a photo with the
//! phone's camera — with type, title, dates and notes; a list with expiry badges; an in-page
//! preview (images, and PDFs in the browser's own viewer), download, edit and delete.
//! The upload and edit forms are in document_forms.rs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::document::Document;
use mvp_types::ids::{DocumentId, VehicleId};
use mvp_types::vehicle::Vehicle;

use crate::api::{calls, documents as api};
use crate::components::form::Select;
use crate::components::ui::{vehicle_name, Confirm, Empty, LoadError, Skeleton};
use crate::format;
use crate::pages::admin::bytes;
use crate::pages::document_forms::{EditDocument, Upload};
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
