//! The maintenance forms: a record (added, or edited with what it had), and a schedule of one's own
//! (category, what is done, every so many months and/or distance, when it was last done), added or
//! edited. Both pick "what was done" from `/api/maintenance/subtypes`; a record also picks the
//! vehicle's documents it goes with (an invoice, a warranty), and a scanned receipt kept as a
//! document is attached to it.
//! The schedule form is in maintenance_schedule_form.rs (re-exported here).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::document::Document;
use mvp_types::ids::{DocumentId, VehicleId};
use mvp_types::maintenance::{MaintenanceRecord, RecordInput};

use crate::api::calls;
use crate::browser;
use crate::components::form::{Check, Errors, Field, FormError, Select, Submit, TextInput};
use crate::components::scan::{ScanButton, Scanned, ScannedMark};
use crate::format::parse_decimal;
use crate::pages::maintenance_tab::category_label;
use crate::state::ctx;

pub use crate::pages::maintenance_schedule_form::ScheduleForm;

pub(super) fn categories() -> Vec<(String, String)> {
    ["routine_maintenance", "repair", "performance_upgrade"]
        .iter()
        .map(|k| ((*k).to_owned(), category_label(k).to_owned()))
        .collect()
}

/// The subtypes of `category` as checkboxes; `chosen` holds the ticked ones.
#[component]
pub(super) fn SubtypePicker(
    category: RwSignal<String>,
    chosen: RwSignal<Vec<String>>,
    errors: Errors,
) -> impl IntoView {
    let subtypes = LocalResource::new(|| async { calls::subtypes().await.unwrap_or_default() });
    view! {
        <fieldset class="subtypes" class:invalid=move || errors.get("subtypes").is_some()>
            <legend>"What is done"</legend>
            {move || {
                let all = subtypes.get().unwrap_or_default();
                let list = all.get(&category.get()).cloned().unwrap_or_default();
                list.into_iter().map(|name| {
                    let n1 = name.clone();
                    let n2 = name.clone();
                    let id = format!("subtype-{}", name.to_lowercase().replace(' ', "-"));
                    let for_id = id.clone();
                    view! {
                        <label class="check chip" for=for_id>
                            <input
                                id=id
                                type="checkbox"
                                prop:checked=move || chosen.get().contains(&n1)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let n = n2.clone();
                                    chosen.update(|v| {
                                        v.retain(|x| *x != n);
                                        if on { v.push(n) }
                                    });
                                }
                            />
                            <span>{name}</span>
                        </label>
                    }
                }).collect_view()
            }}
            <p class="field-error" id="subtypes-error">{move || errors.get("subtypes")}</p>
        </fieldset>
    }
}

/// The vehicle's documents as checkboxes; `chosen` holds the ticked ones. Documents deleted since
/// they were attached are not listed (the API leaves them out of the record too).
#[component]
fn DocumentPicker(vehicle_id: VehicleId, chosen: RwSignal<Vec<DocumentId>>) -> impl IntoView {
    let documents = LocalResource::new(move || async move {
        crate::api::documents::documents(Some(vehicle_id))
            .await
            .unwrap_or_default()
    });
    let label = |d: &Document| {
        let day = d
            .issued_date
            .or(d.expiration_date)
            .map(|day| format!(" · {}", crate::format::date(day)))
            .unwrap_or_default();
        format!("{} ({}){day}", d.title, d.document_type)
    };
    view! {
        <fieldset class="documents-pick">
            <legend>"Documents (optional)"</legend>
            {move || match documents.try_get().flatten() {
                None => view! { <p class="muted">"Loading the vehicle's documents…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="muted">"This vehicle has no documents yet; upload them on its Documents tab."</p>
                }.into_any(),
                Some(list) => list.into_iter().map(|d| {
                    let id = d.id;
                    let text = label(&d);
                    let input_id = format!("doc-{id}");
                    let for_id = input_id.clone();
                    view! {
                        <label class="check" for=for_id>
                            <input
                                id=input_id
                                type="checkbox"
                                prop:checked=move || chosen.with(|c| c.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|x| *x != id);
                                        if on {
                                            c.push(id);
                                        }
                                    });
                                }
                            />
                            <span>{text}</span>
                        </label>
                    }
                }).collect_view().into_any(),
            }}
        </fieldset>
    }
}

/// Adds a record, or edits `existing`.
#[component]
pub fn RecordForm(
    vehicle_id: VehicleId,
    #[prop(optional)] existing: Option<MaintenanceRecord>,
    on_saved: Callback<()>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let c = ctx();
    let e = existing.clone();
    let editing = e.as_ref().map(|r| r.id);
    let date = RwSignal::new(
        e.as_ref()
            .map(|r| r.date)
            .unwrap_or_else(|| browser::today(&c.time_zone()))
            .to_string(),
    );
    let odometer = RwSignal::new(
        e.as_ref()
            .and_then(|r| r.odometer_reading)
            .map(|o| o.to_string())
            .unwrap_or_default(),
    );
    let category = RwSignal::new(
        e.as_ref()
            .map(|r| r.category.clone())
            .unwrap_or_else(|| "routine_maintenance".to_owned()),
    );
    let chosen = RwSignal::new(e.as_ref().map(|r| r.subtypes.clone()).unwrap_or_default());
    let cost = RwSignal::new(
        e.as_ref()
            .and_then(|r| r.cost)
            .map(|d| d.normalize().to_string())
            .unwrap_or_default(),
    );
    let shop = RwSignal::new(
        e.as_ref()
            .and_then(|r| r.shop_name.clone())
            .unwrap_or_default(),
    );
    let notes = e.as_ref().and_then(|r| r.notes.clone());
    let documents = RwSignal::new(
        e.as_ref()
            .map(|r| r.document_ids.clone())
            .unwrap_or_default(),
    );
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // "Scan receipt": date, total and odometer from a shop's receipt, marked until edited.
    let scanned = Scanned::new();
    let receipt = StoredValue::new_local(None::<web_sys::File>);
    let keep_receipt = RwSignal::new(false);
    let on_scan = Callback::new(
        move |(read, file): (mvp_types::document::OcrExtract, web_sys::File)| {
            scanned.start(&read);
            let f = read.fields;
            let mut filled = 0;
            if let Some(day) = f.date {
                scanned.fill("date", "date", date, day.to_string());
                filled += 1;
            }
            if let Some(total) = f.total_cost {
                scanned.fill("cost", "totalCost", cost, total.normalize().to_string());
                filled += 1;
            }
            if let Some(o) = f.odometer_reading {
                scanned.fill(
                    "odometerReading",
                    "odometerReading",
                    odometer,
                    o.to_string(),
                );
                filled += 1;
            }
            if let Some(name) = f.station_name {
                scanned.fill("shopName", "stationName", shop, name);
                filled += 1;
            }
            receipt.set_value(Some(file));
            keep_receipt.set(true);
            if filled == 0 {
                c.error(
                    "Nothing could be read from that photo. Try a sharper one, or type the values.",
                );
            } else {
                c.success(format!(
                    "{} read from the receipt: check them, then save",
                    crate::format::count(filled, "value", "values")
                ));
            }
        },
    );
    let categories = Signal::derive(categories);
    let on_category = Callback::new(move |_| chosen.set(Vec::new()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let mut map = BTreeMap::new();
        let day = chrono::NaiveDate::parse_from_str(&date.get_untracked(), "%Y-%m-%d").ok();
        if day.is_none() {
            map.insert("date".to_owned(), "Enter the date".to_owned());
        }
        let odo = match odometer.get_untracked().trim().replace(',', "") {
            s if s.is_empty() => None,
            s => match s.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    map.insert(
                        "odometerReading".to_owned(),
                        "Enter a whole number".to_owned(),
                    );
                    None
                }
            },
        };
        if chosen.get_untracked().is_empty() {
            map.insert("subtypes".to_owned(), "Choose what was done".to_owned());
        }
        let price = match parse_decimal(&cost.get_untracked()) {
            Ok(p) => p,
            Err(m) => {
                map.insert("cost".to_owned(), m.to_owned());
                None
            }
        };
        if !map.is_empty() {
            errors.set(map);
            return;
        }
        errors.clear();
        let body = RecordInput {
            vehicle_id: Some(vehicle_id),
            date: day,
            odometer_reading: odo,
            category: Some(category.get_untracked()),
            subtypes: chosen.get_untracked(),
            cost: price,
            shop_name: Some(shop.get_untracked()).filter(|s| !s.trim().is_empty()),
            notes: notes.clone(),
            document_ids: documents.get_untracked(),
            ..RecordInput::default()
        };
        busy.set(true);
        let keep = keep_receipt
            .get_untracked()
            .then(|| receipt.get_value())
            .flatten();
        let day = date.get_untracked();
        spawn_local(async move {
            let saved = match editing {
                Some(id) => calls::update_record(id, &body).await,
                None => calls::create_record(&body).await,
            };
            match saved {
                Ok(record) => {
                    c.success(if editing.is_some() {
                        "Record saved"
                    } else {
                        "Record added"
                    });
                    if let Some(file) = keep {
                        let kept = crate::api::documents::keep_receipt(
                            c,
                            vehicle_id,
                            &file,
                            &format!("Service receipt {day}"),
                        )
                        .await;
                        // The receipt goes with the record it was scanned for.
                        if let Some(document) = kept {
                            let mut attach = body.clone();
                            attach.document_ids.push(document.id);
                            if let Err(e) = calls::update_record(record.id, &attach).await {
                                c.error(format!("The receipt was kept but not attached: {e}"));
                            }
                        }
                    }
                    documents.try_set(Vec::new());
                    receipt.set_value(None);
                    keep_receipt.set(false);
                    scanned.clear();
                    chosen.set(Vec::new());
                    cost.set(String::new());
                    shop.set(String::new());
                    on_saved.try_run(());
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        form_error.set(Some(e.to_string()));
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <form class="record-form" on:submit=on_submit novalidate>
            <h3>{if editing.is_some() { "Edit the record" } else { "Add a record" }}</h3>
            <FormError message=form_error />
            <div class="scan-row">
                <ScanButton kind="maintenance_receipt" label="Scan receipt" id="scan-service-receipt" on_read=on_scan />
                <Show when=move || keep_receipt.get() || receipt.with_value(Option::is_some)>
                    <Check name="keepServiceReceipt" label="Keep the receipt with the vehicle's documents" value=keep_receipt />
                </Show>
            </div>
            <div class="grid-2">
                <Field label="Date" name="date" errors=errors>
                    <TextInput name="date" kind="date" value=date errors=errors />
                    <ScannedMark scanned=scanned field="date" value=date />
                </Field>
                <Field label=if c.metric() { "Odometer (km, optional)" } else { "Odometer (mi, optional)" } name="odometerReading" errors=errors>
                    <TextInput name="odometerReading" value=odometer errors=errors inputmode="numeric" />
                    <ScannedMark scanned=scanned field="odometerReading" value=odometer />
                </Field>
                <Field label="Category" name="category" errors=errors>
                    <Select name="category" value=category options=categories on_change=on_category />
                </Field>
                <Field label="Cost (optional)" name="cost" errors=errors>
                    <TextInput name="cost" value=cost errors=errors inputmode="decimal" />
                    <ScannedMark scanned=scanned field="cost" value=cost />
                </Field>
                <Field label="Shop (optional)" name="shopName" errors=errors>
                    <TextInput name="shopName" value=shop errors=errors />
                    <ScannedMark scanned=scanned field="shopName" value=shop />
                </Field>
            </div>
            <SubtypePicker category=category chosen=chosen errors=errors />
            <DocumentPicker vehicle_id=vehicle_id chosen=documents />
            <div class="actions">
                {on_cancel.map(|cancel| view! {
                    <button type="button" class="btn" on:click=move |_| cancel.run(())>"Cancel"</button>
                })}
                <Submit label=if editing.is_some() { "Save record" } else { "Add record" } busy_label="Saving…" busy=busy />
            </div>
        </form>
    }
}
