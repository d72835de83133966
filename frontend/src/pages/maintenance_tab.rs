//! The maintenance tab: schedules with their due status (and starter templates to add one), the
//! records, and the form to add a record (subtypes from `/api/maintenance/subtypes`).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::ids::{RecordId, ScheduleId, VehicleId};
use mvp_types::maintenance::RecordInput;

use crate::api::calls;
use crate::browser;
use crate::components::form::{Check, Errors, Field, FormError, Select, Submit, TextInput};
use crate::components::scan::{ScanButton, Scanned, ScannedMark};
use crate::components::ui::{Empty, LoadError, Skeleton, StatusBadge};
use crate::format::{self, parse_decimal};
use crate::pages::dashboard::{due_text, schedule_title};
use crate::state::ctx;

/// The starter templates the API offers (`POST /api/maintenance/schedules/templates/{key}`).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("oil_change", "Oil change"),
    ("tire_rotation", "Tire rotation"),
    ("air_filter", "Engine air filter"),
    ("cabin_air_filter", "Cabin air filter"),
    ("brake_fluid", "Brake fluid"),
    ("coolant", "Coolant"),
];

pub fn category_label(c: &str) -> &'static str {
    match c {
        "repair" => "Repair",
        "performance_upgrade" => "Performance upgrade",
        _ => "Routine maintenance",
    }
}

#[component]
pub fn MaintenanceTab(vehicle_id: VehicleId) -> impl IntoView {
    let c = ctx();
    let reload = RwSignal::new(0u32);
    let schedules = LocalResource::new(move || {
        let _ = (c.prefs.get(), reload.get());
        calls::schedules(vehicle_id)
    });
    let records = LocalResource::new(move || {
        let _ = (c.prefs.get(), reload.get());
        calls::records(vehicle_id)
    });
    let template = RwSignal::new("oil_change".to_owned());
    let adding = RwSignal::new(false);
    let template_options = Signal::derive(|| {
        TEMPLATES
            .iter()
            .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
            .collect::<Vec<_>>()
    });
    let add_template = move |_| {
        adding.set(true);
        spawn_local(async move {
            match calls::schedule_from_template(&template.get_untracked(), vehicle_id).await {
                Ok(_) => {
                    c.success("Schedule added");
                    reload.update(|n| *n += 1);
                }
                Err(e) => c.error(e.to_string()),
            }
            adding.set(false);
        });
    };
    let remove_schedule = move |id: ScheduleId| {
        spawn_local(async move {
            match calls::delete_schedule(id).await {
                Ok(()) => {
                    c.success("Schedule removed");
                    reload.update(|n| *n += 1);
                }
                Err(e) => c.error(e.to_string()),
            }
        });
    };
    let remove_record = move |id: RecordId| {
        spawn_local(async move {
            match calls::delete_record(id).await {
                Ok(()) => {
                    c.success("Record deleted");
                    reload.update(|n| *n += 1);
                }
                Err(e) => c.error(e.to_string()),
            }
        });
    };
    view! {
        <section class="card">
            <h2>"Schedules"</h2>
            <div class="inline-form">
                <label for="template">"Add from template"</label>
                <Select name="template" value=template options=template_options />
                <button class="btn" on:click=add_template disabled=move || adding.get()>"Add schedule"</button>
            </div>
            {move || match schedules.get() {
                None => view! { <Skeleton lines=2 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <Empty text="No schedules yet — add one from a template." />
                }.into_any(),
                Some(Ok(list)) => {
                    let dist = if c.metric() { "km" } else { "mi" };
                    let today = browser::today(&c.time_zone());
                    view! {
                        <ul class="list schedules">
                            {list.into_iter().map(|s| {
                                let id = s.id;
                                let every = match (s.interval_months, s.interval_distance) {
                                    (Some(m), Some(d)) => format!("every {m} months or {}", format::distance(d.into(), dist)),
                                    (Some(m), None) => format!("every {m} months"),
                                    (None, Some(d)) => format!("every {}", format::distance(d.into(), dist)),
                                    (None, None) => String::new(),
                                };
                                view! {
                                    <li data-schedule=id.to_string()>
                                        <StatusBadge status=s.status />
                                        <div class="grow">
                                            <strong>{schedule_title(&s)}</strong>
                                            <div class="muted">{every} " · " {due_text(&s, dist, today)}</div>
                                        </div>
                                        <button class="btn small" on:click=move |_| remove_schedule(id) aria-label="Remove schedule">"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
        <section class="card">
            <h2>"Records"</h2>
            {move || match records.get() {
                None => view! { <Skeleton lines=2 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <Empty text="No maintenance records yet — add the first below." />
                }.into_any(),
                Some(Ok(list)) => {
                    let currency = c.currency();
                    let dist = if c.metric() { "km" } else { "mi" };
                    view! {
                        <ul class="list records">
                            {list.into_iter().map(|r| {
                                let id = r.id;
                                view! {
                                    <li data-record=id.to_string()>
                                        <div class="grow">
                                            <strong>{r.subtypes.join(", ")}</strong>
                                            <div class="muted">
                                                {format::date(r.date)} " · " {category_label(&r.category)}
                                                {r.odometer_reading.map(|o| format!(" · {}", format::distance(o.into(), dist)))}
                                                {r.shop_name.clone().map(|s| format!(" · {s}"))}
                                            </div>
                                        </div>
                                        <span>{r.cost.map(|c| format::money(c, &currency))}</span>
                                        <button class="btn small danger" on:click=move |_| remove_record(id)>"Delete"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <RecordForm vehicle_id=vehicle_id on_saved=Callback::new(move |_| reload.update(|n| *n += 1)) />
        </section>
    }
}

#[component]
fn RecordForm(vehicle_id: VehicleId, on_saved: Callback<()>) -> impl IntoView {
    let c = ctx();
    let subtypes = LocalResource::new(|| async { calls::subtypes().await.unwrap_or_default() });
    let date = RwSignal::new(browser::today(&c.time_zone()).to_string());
    let odometer = RwSignal::new(String::new());
    let category = RwSignal::new("routine_maintenance".to_owned());
    let chosen = RwSignal::new(Vec::<String>::new());
    let cost = RwSignal::new(String::new());
    let shop = RwSignal::new(String::new());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // "Scan receipt": date, total and odometer from a shop's receipt, marked until edited.
    let scanned = Scanned::new();
    let receipt = StoredValue::new_local(None::<web_sys::File>);
    let keep_receipt = RwSignal::new(false);
    let on_scan = Callback::new(
        move |(read, file): (mvp_types::document::OcrExtract, web_sys::File)| {
            scanned.clear();
            scanned.set_confidence(read.confidence);
            let f = read.fields;
            let mut filled = 0;
            if let Some(day) = f.date {
                scanned.fill("date", date, day.to_string());
                filled += 1;
            }
            if let Some(total) = f.total_cost {
                scanned.fill("cost", cost, total.normalize().to_string());
                filled += 1;
            }
            if let Some(o) = f.odometer_reading {
                scanned.fill("odometerReading", odometer, o.to_string());
                filled += 1;
            }
            if let Some(name) = f.station_name {
                scanned.fill("shopName", shop, name);
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
    let categories = Signal::derive(|| {
        ["routine_maintenance", "repair", "performance_upgrade"]
            .iter()
            .map(|k| ((*k).to_owned(), category_label(k).to_owned()))
            .collect::<Vec<_>>()
    });
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
            ..RecordInput::default()
        };
        busy.set(true);
        let keep = keep_receipt
            .get_untracked()
            .then(|| receipt.get_value())
            .flatten();
        let day = date.get_untracked();
        spawn_local(async move {
            match calls::create_record(&body).await {
                Ok(_) => {
                    c.success("Record added");
                    if let Some(file) = keep {
                        crate::pages::fuel_form::keep_as_document(
                            c,
                            vehicle_id,
                            &file,
                            &format!("Service receipt {day}"),
                        )
                        .await;
                    }
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
            <h3>"Add a record"</h3>
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
            <fieldset class="subtypes" class:invalid=move || errors.get("subtypes").is_some()>
                <legend>"What was done"</legend>
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
            <Submit label="Add record" busy_label="Saving…" busy=busy />
        </form>
    }
}
