//! The maintenance tab: schedules with their due status (from a starter template, or one's own; each
//! can be edited), the records (each can be edited), and the forms (maintenance_forms.rs). One form
//! is open at a time.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::ids::{RecordId, ScheduleId, VehicleId};
use mvp_types::maintenance::{MaintenanceRecord, MaintenanceSchedule};

use crate::api::calls;
use crate::browser;
use crate::components::form::Select;
use crate::components::ui::{Empty, LoadError, Skeleton, StatusBadge};
use crate::format;
use crate::pages::dashboard::{due_text, schedule_title};
use crate::pages::maintenance_forms::{RecordForm, ScheduleForm};
use crate::state::ctx;

/// Which form the tab shows.
#[derive(Clone, Debug, PartialEq)]
enum Open {
    NewRecord,
    EditRecord(MaintenanceRecord),
    NewSchedule,
    EditSchedule(MaintenanceSchedule),
}

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
    let open = RwSignal::new(Open::NewRecord);
    let saved = Callback::new(move |()| {
        open.set(Open::NewRecord);
        reload.update(|n| *n += 1);
    });
    let cancel = Callback::new(move |()| open.set(Open::NewRecord));
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
                <button class="btn" on:click=move |_| open.set(Open::NewSchedule)>"Custom schedule…"</button>
            </div>
            {move || match open.get() {
                Open::NewSchedule => view! { <ScheduleForm vehicle_id=vehicle_id on_saved=saved on_cancel=cancel /> }.into_any(),
                Open::EditSchedule(s) => view! { <ScheduleForm vehicle_id=vehicle_id existing=s on_saved=saved on_cancel=cancel /> }.into_any(),
                _ => ().into_any(),
            }}
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
                                let edit = s.clone();
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
                                        <button class="btn small" on:click=move |_| open.set(Open::EditSchedule(edit.clone())) aria-label="Edit schedule">"Edit"</button>
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
                                let edit = r.clone();
                                view! {
                                    <li data-record=id.to_string()>
                                        <div class="grow">
                                            <strong>{r.subtypes.join(", ")}</strong>
                                            <div class="muted">
                                                {format::date(r.date)} " · " {category_label(&r.category)}
                                                {r.odometer_reading.map(|o| format!(" · {}", format::distance(o.into(), dist)))}
                                                {r.shop_name.clone().map(|s| format!(" · {s}"))}
                                            </div>
                                            {(!r.document_ids.is_empty()).then(|| view! {
                                                <a class="docs-link" href=format!("/vehicles/{vehicle_id}?tab=documents")>
                                                    {format::count(r.document_ids.len() as u64, "document", "documents")}
                                                </a>
                                            })}
                                        </div>
                                        <span>{r.cost.map(|c| format::money(c, &currency))}</span>
                                        <button class="btn small" on:click=move |_| open.set(Open::EditRecord(edit.clone())) aria-label="Edit record">"Edit"</button>
                                        <button class="btn small danger" on:click=move |_| remove_record(id)>"Delete"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || match open.get() {
                Open::EditRecord(r) => view! { <RecordForm vehicle_id=vehicle_id existing=r on_saved=saved on_cancel=cancel /> }.into_any(),
                Open::NewRecord => view! { <RecordForm vehicle_id=vehicle_id on_saved=saved /> }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
}
