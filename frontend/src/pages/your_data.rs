//! "Your data" (Settings): download everything (a progress line while the archive streams in); the
//! import wizard — choose the app the file comes from and the vehicle, choose the file, see the
//! first rows as they will be read and what would be skipped, then import and see the report; and
//! erasing the account after typing a confirmation (and, with local accounts, the password).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use mvp_types::export::{ImportPreviewRow, ImportReport};
use mvp_types::vehicle::Vehicle;

use crate::api::{calls, session, your_data};
use crate::components::form::{Errors, Field, FormError, Select, TextInput};
use crate::components::ui::vehicle_name;
use crate::state::ctx;

#[component]
pub fn YourDataPage() -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Your data"</h1>
            <p class="muted">"Everything you keep here is yours: take it with you, bring history from another app, or remove it all."</p>
        </section>
        <ExportCard />
        <ImportWizard />
        <DeleteAccount />
    }
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_000_000.0)
}

#[component]
fn ExportCard() -> impl IntoView {
    let c = ctx();
    let received = RwSignal::new(None::<f64>);
    let on_click = move |_| {
        received.set(Some(0.0));
        spawn_local(async move {
            let got = your_data::export(move |bytes| {
                received.try_set(Some(bytes));
            })
            .await;
            received.try_set(None);
            match got {
                Ok(url) => {
                    let today: String = String::from(js_sys::Date::new_0().to_iso_string())
                        .chars()
                        .take(10)
                        .collect();
                    let name = format!("motovaultpro-export-{today}.tar.gz");
                    crate::browser::download_object_url(url, &name);
                    c.success("Export downloaded");
                }
                Err(e) => c.error(format!("The export failed: {e}")),
            }
        });
    };
    view! {
        <section class="card narrow" aria-labelledby="export-title">
            <h2 id="export-title">"Export everything"</h2>
            <p class="muted">"One .tar.gz file: your vehicles, fill-ups, service records, schedules, documents with their files, photos, saved stations and settings — each as JSON and as a CSV a spreadsheet opens. Import it here again, on this server or another."</p>
            <button class="btn primary" type="button" data-testid="export" on:click=on_click
                disabled=move || received.get().is_some()>
                {move || if received.get().is_some() { "Preparing…" } else { "Download my data" }}
            </button>
            <Show when=move || received.get().is_some()>
                <p class="muted" role="status" data-testid="export-progress">
                    {move || format!("{} received", megabytes(received.get().unwrap_or(0.0)))}
                </p>
            </Show>
        </section>
    }
}

/// The formats the importer reads: (value, label, whether the file names its vehicle, hint).
const FORMATS: &[(&str, &str, bool, &str)] = &[
    ("lubelogger", "LubeLogger (fuel or service export)", false,
     "In LubeLogger: a vehicle's Gas or Service tab → Export. The fuel file becomes fill-ups, the service file records."),
    ("fuelly", "Fuelly", true,
     "In Fuelly: Account → Export data. Each car_name becomes (or finds) a vehicle with that nickname."),
    ("fuelio", "Fuelio (CSV backup)", true,
     "In Fuelio: Backup → CSV. The vehicle in the file is found by its name, or added."),
    ("generic", "Another app or a spreadsheet (CSV)", false,
     "A header naming date, odometer, quantity and unit price or total; optional full, missed, notes. Numbers in your units."),
    ("motovaultpro", "A MotoVaultPro export (.tar.gz)", true,
     "An export from this or another MotoVaultPro: vehicles, fill-ups, records, schedules, documents and photos."),
];

fn format_info(value: &str) -> Option<&'static (&'static str, &'static str, bool, &'static str)> {
    FORMATS.iter().find(|f| f.0 == value)
}

fn cell(value: Option<String>) -> String {
    value.unwrap_or_default()
}

#[component]
fn PreviewTable(rows: Vec<ImportPreviewRow>) -> impl IntoView {
    let any_vehicle = rows.iter().any(|r| r.vehicle.is_some());
    view! {
        <div class="table-wrap">
            <table class="preview" data-testid="import-preview">
                <thead>
                    <tr>
                        <th>"Line"</th><th>"Date"</th>
                        {any_vehicle.then(|| view! { <th>"Vehicle"</th> })}
                        <th>"Odometer"</th><th>"Quantity"</th><th>"Unit price"</th><th>"Total"</th>
                        <th>"Full"</th><th>"Notes"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let notes = match (r.description.clone(), r.notes.clone()) {
                            (Some(d), Some(n)) => format!("{d} — {n}"),
                            (d, n) => cell(d.or(n)),
                        };
                        view! {
                            <tr>
                                <td>{r.row}</td>
                                <td>{r.date.to_string()}</td>
                                {any_vehicle.then(|| view! { <td>{cell(r.vehicle.clone())}</td> })}
                                <td>{cell(r.odometer.map(|d| d.to_string()))}</td>
                                <td>{cell(r.quantity.map(|d| d.to_string()))}</td>
                                <td>{cell(r.unit_price.map(|d| d.to_string()))}</td>
                                <td>{cell(r.total.map(|d| d.to_string()))}</td>
                                <td>{match r.full_fill { Some(true) => "yes", Some(false) => "no", None => "" }}</td>
                                <td>{notes}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Skipped(report: ImportReport) -> impl IntoView {
    let count = report.skipped.len();
    let open = count <= 10;
    (count > 0).then(|| {
        view! {
            <details open=open>
                <summary>{format!("{count} line{} left out", if count == 1 { "" } else { "s" })}</summary>
                <ul class="skipped" data-testid="import-skipped">
                    {report.skipped.into_iter().map(|s| {
                        let line = if s.row > 0 { format!("Line {}: ", s.row) } else { String::new() };
                        view! { <li>{line}{s.reason}</li> }
                    }).collect_view()}
                </ul>
            </details>
        }
    })
}

/// Where the wizard is.
#[derive(Clone)]
enum Step {
    Choose,
    Checking(f64),
    Preview(ImportReport),
    Importing(f64),
    Done(ImportReport),
}

#[component]
fn ImportWizard() -> impl IntoView {
    let c = ctx();
    let format = RwSignal::new(String::new());
    let vehicle = RwSignal::new(String::new());
    let vehicles = RwSignal::new(Vec::<Vehicle>::new());
    let file = StoredValue::new_local(None::<web_sys::File>);
    let step = RwSignal::new(Step::Choose);
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        if let Ok(list) = calls::vehicles().await {
            vehicles.set(list);
        }
    });
    let vehicle_options = Signal::derive(move || {
        vehicles
            .get()
            .iter()
            .map(|v| (v.id.to_string(), vehicle_name(v)))
            .collect::<Vec<_>>()
    });
    let format_options = Signal::derive(|| {
        FORMATS
            .iter()
            .map(|(v, label, ..)| ((*v).to_owned(), (*label).to_owned()))
            .collect::<Vec<_>>()
    });
    let names_vehicle = move || format_info(&format.get()).is_some_and(|f| f.2);
    let archive = move || format.get() == "motovaultpro";
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast as _;
        let picked = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|f| f.get(0));
        file.set_value(picked);
    };
    let show = move |e: crate::api::ApiError| {
        if !errors.show_api(&e) {
            form_error.set(Some(e.to_string()));
        }
    };
    let send = move |dry_run: bool| {
        errors.clear();
        form_error.set(None);
        let fmt = format.get_untracked();
        let mut missing = std::collections::BTreeMap::new();
        if fmt.is_empty() {
            missing.insert(
                "format".to_owned(),
                "choose where the file comes from".to_owned(),
            );
        }
        if !fmt.is_empty() && !names_vehicle() && vehicle.get_untracked().is_empty() {
            missing.insert(
                "vehicleId".to_owned(),
                "choose the vehicle the file is for".to_owned(),
            );
        }
        let Some(chosen) = file.get_value() else {
            missing.insert("file".to_owned(), "choose the file".to_owned());
            errors.set(missing);
            return;
        };
        if !missing.is_empty() {
            errors.set(missing);
            return;
        }
        let chosen_vehicle = vehicle.get_untracked();
        step.set(if dry_run {
            Step::Checking(0.0)
        } else {
            Step::Importing(0.0)
        });
        spawn_local(async move {
            let target = Some(chosen_vehicle.as_str()).filter(|_| !names_vehicle());
            let answer = your_data::import(&chosen, &fmt, target, dry_run, move |share| {
                step.try_set(if dry_run {
                    Step::Checking(share)
                } else {
                    Step::Importing(share)
                });
            })
            .await;
            match answer {
                Ok(report) if dry_run => {
                    step.set(Step::Preview(report));
                }
                Ok(report) => {
                    c.success(format!("{} imported", report.imported));
                    c.notify_changed();
                    step.set(Step::Done(report));
                }
                Err(e) => {
                    step.set(Step::Choose);
                    show(e);
                }
            }
        });
    };
    let on_check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // An archive has no dry run: it is checked against its manifest and imported at once.
        send(!archive());
    };
    let restart = move |_| {
        step.set(Step::Choose);
        file.set_value(None);
    };
    view! {
        <section class="card narrow" aria-labelledby="import-title">
            <h2 id="import-title">"Import from another app"</h2>
            {move || match step.get() {
                Step::Choose => view! {
                    <form on:submit=on_check novalidate data-testid="import-form">
                        <FormError message=form_error />
                        <Field label="The file comes from" name="format" errors=errors>
                            <Select name="format" value=format options=format_options
                                placeholder="Choose…" errors=errors />
                        </Field>
                        {move || format_info(&format.get()).map(|f| view! { <p class="hint">{f.3}</p> })}
                        <Show when=move || !format.get().is_empty() && !names_vehicle()>
                            <Field label="For the vehicle" name="vehicleId" errors=errors>
                                <Select name="vehicleId" value=vehicle options=vehicle_options
                                    placeholder="Choose a vehicle…" errors=errors />
                            </Field>
                        </Show>
                        <Field label="File" name="file" errors=errors
                            hint="CSV up to 10 MB and 100,000 lines; an export archive up to your document storage and more.">
                            <input id="file" name="file" type="file"
                                accept=move || if archive() { ".gz,.tar.gz,application/gzip" } else { ".csv,text/csv,text/plain" }
                                on:change=on_file />
                        </Field>
                        <button class="btn primary" type="submit">
                            {move || if archive() { "Import" } else { "Check the file" }}
                        </button>
                    </form>
                }.into_any(),
                Step::Checking(share) | Step::Importing(share) => view! {
                    <div class="progress" role="status">
                        <progress max="100" value=(share * 100.0).round().to_string() aria-label="Upload progress"></progress>
                        <span>{if share >= 1.0 { "Reading the file…".to_owned() } else { format!("{:.0} %", share * 100.0) }}</span>
                    </div>
                }.into_any(),
                Step::Preview(report) => {
                    let rows = report.preview.clone();
                    let order = report.date_order.clone();
                    let comma = report.decimal_comma;
                    let nothing = report.imported == 0;
                    view! {
                        <div data-testid="import-check">
                            <p><strong>{format!("{} line{} will be imported", report.imported,
                                if report.imported == 1 { "" } else { "s" })}</strong>
                                {format!(", {} left out.", report.skipped.len())}</p>
                            <p class="muted">
                                {order.map(|o| format!("Dates read as {o}. "))}
                                {if comma { "Decimal commas." } else { "Decimal points." }}
                                " The first lines as they will be read:"
                            </p>
                            <PreviewTable rows=rows />
                            <Skipped report=report.clone() />
                            <div class="actions">
                                <button class="btn" type="button" on:click=restart>"Back"</button>
                                <button class="btn primary" type="button" data-testid="import-confirm"
                                    disabled=nothing
                                    on:click=move |_| send(false)>"Import"</button>
                            </div>
                        </div>
                    }.into_any()
                }
                Step::Done(report) => view! {
                    <div data-testid="import-report" role="status">
                        <p><strong>{format!("{} imported", report.imported)}</strong>
                            {format!(" into {} vehicle{}.", report.vehicles.len(),
                                if report.vehicles.len() == 1 { "" } else { "s" })}</p>
                        <Skipped report=report.clone() />
                        <div class="actions">
                            <a class="btn" href="/vehicles">"See the vehicles"</a>
                            <button class="btn" type="button" on:click=restart>"Import another file"</button>
                        </div>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// What the user must type to erase the account.
const CONFIRM_WORD: &str = "DELETE";

#[component]
fn DeleteAccount() -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    let local = move || {
        c.config
            .get()
            .is_some_and(|cfg| cfg.auth_provider == "local")
    };
    let typed = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        form_error.set(None);
        if typed.get_untracked().trim() != CONFIRM_WORD {
            errors.set(
                [(
                    "confirmWord".to_owned(),
                    format!("type {CONFIRM_WORD} to confirm"),
                )]
                .into(),
            );
            return;
        }
        let secret = local().then(|| password.get_untracked());
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match your_data::delete_account(secret).await {
                Ok(()) => {
                    session::clear();
                    c.signed_in.set(false);
                    c.success("Your account and all its data were deleted");
                    navigate("/sign-in", Default::default());
                }
                Err(e) => {
                    busy.set(false);
                    if !errors.show_api(&e) {
                        form_error.set(Some(e.to_string()));
                    }
                }
            }
        });
    };
    view! {
        <section class="card narrow danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete your account"</h2>
            <p>"Every vehicle, fill-up, record, schedule, document, photo and setting is erased, and you are signed out everywhere. This cannot be undone — download your data first if you may want it."</p>
            <form on:submit=on_submit novalidate data-testid="delete-account">
                <FormError message=form_error />
                <Field label="Type DELETE to confirm" name="confirmWord" errors=errors>
                    <TextInput name="confirmWord" value=typed errors=errors autocomplete="off" />
                </Field>
                <Show when=local>
                    <Field label="Your password" name="password" errors=errors>
                        <TextInput name="password" value=password errors=errors kind="password"
                            autocomplete="current-password" />
                    </Field>
                </Show>
                <button class="btn danger" type="submit"
                    disabled=move || busy.get() || typed.get().trim() != CONFIRM_WORD>
                    {move || if busy.get() { "Deleting…" } else { "Delete my account" }}
                </button>
            </form>
        </section>
    }
}
