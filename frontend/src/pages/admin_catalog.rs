//! The admin's catalog editor: a cascade browser (year → make → model → options) where each make,
//! model, trim, engine and transmission can be renamed or deleted and each option deleted, a form
//! that adds an option by names, and a CSV import that is checked (a dry run with its report) before
//! it is applied. The API refuses to delete what vehicles use, and says how many.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::admin::{CatalogImportReport, CatalogKind, NewCatalogOption};
use mvp_types::platform::CatalogItem;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::admin as api;
use crate::api::calls;
use crate::components::form::{Errors, Field, FormError, Submit, TextInput};
use crate::components::ui::{Confirm, Empty, LoadError, Skeleton};
use crate::format;
use crate::state::ctx;

/// An entry the admin is acting on.
#[derive(Clone, Debug, PartialEq)]
struct Target {
    kind: CatalogKind,
    id: i32,
    name: String,
}

/// Everything the editor's parts share: the selection, and a counter bumped after every change
/// so each list reloads.
#[derive(Clone, Copy)]
struct Editor {
    year: RwSignal<String>,
    make: RwSignal<Option<CatalogItem>>,
    model: RwSignal<Option<CatalogItem>>,
    version: RwSignal<u32>,
    renaming: RwSignal<Option<Target>>,
    deleting: RwSignal<Option<Target>>,
    /// The delete confirmation is open (for `deleting`).
    confirming: RwSignal<bool>,
}

impl Editor {
    fn changed(&self) {
        self.version.update(|v| *v += 1);
    }

    fn year(&self) -> Option<i32> {
        self.year.get().parse().ok()
    }
}

/// Rename and delete buttons for one entry.
fn entry_actions(e: Editor, target: Target) -> impl IntoView {
    let (rename, delete) = (target.clone(), target.clone());
    let label = format!("{} {}", target.kind.as_str(), target.name);
    view! {
        <span class="entry-actions">
            <button class="btn small" aria-label=format!("Rename {label}")
                on:click=move |_| e.renaming.set(Some(rename.clone()))>"Rename"</button>
            <button class="btn small danger" aria-label=format!("Delete {label}")
                on:click=move |_| {
                    e.deleting.set(Some(delete.clone()));
                    e.confirming.set(true);
                }>"Delete"</button>
        </span>
    }
}

/// A list of entries (makes or models) to pick from, each with its actions.
#[component]
fn EntryList(
    e: Editor,
    kind: CatalogKind,
    title: &'static str,
    items: Vec<CatalogItem>,
    chosen: RwSignal<Option<CatalogItem>>,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"None for this selection."</p> }.into_any();
    }
    view! {
        <ul class="entry-list" aria-label=title>
            {items.into_iter().map(|item| {
                let pick = item.clone();
                let is_chosen = {
                    let id = item.id;
                    move || chosen.get().is_some_and(|c| c.id == id)
                };
                let target = Target { kind, id: item.id, name: item.name.clone() };
                view! {
                    <li class:chosen=is_chosen data-entry=item.name.clone()>
                        <button class="btn link" aria-pressed=move || is_chosen().to_string()
                            on:click=move |_| chosen.set(Some(pick.clone()))>{item.name.clone()}</button>
                        {entry_actions(e, target)}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn CatalogTab() -> impl IntoView {
    let c = ctx();
    let e = Editor {
        year: RwSignal::new(String::new()),
        make: RwSignal::new(None),
        model: RwSignal::new(None),
        version: RwSignal::new(0),
        renaming: RwSignal::new(None),
        deleting: RwSignal::new(None),
        confirming: RwSignal::new(false),
    };
    let years = LocalResource::new(move || {
        e.version.track();
        async move { calls::years().await.map_err(|err| err.to_string()) }
    });
    // The newest year until the admin picks another.
    Effect::new(move |_| {
        if let Some(Ok(list)) = years.get() {
            if e.year.get_untracked().is_empty() {
                if let Some(first) = list.first() {
                    e.year.set(first.to_string());
                }
            }
        }
    });
    let makes = LocalResource::new(move || {
        e.version.track();
        let year = e.year();
        async move {
            match year {
                Some(y) => calls::makes(y).await.map_err(|err| err.to_string()),
                None => Ok(Vec::new()),
            }
        }
    });
    let models = LocalResource::new(move || {
        e.version.track();
        let (year, make) = (e.year(), e.make.get());
        async move {
            match (year, make) {
                (Some(y), Some(m)) => calls::models(y, &m.name)
                    .await
                    .map_err(|err| err.to_string()),
                _ => Ok(Vec::new()),
            }
        }
    });
    let options = LocalResource::new(move || {
        e.version.track();
        let (year, make, model) = (e.year(), e.make.get(), e.model.get());
        async move {
            match (year, make, model) {
                (Some(y), Some(mk), Some(md)) => api::catalog_options(y, &mk.name, &md.name)
                    .await
                    .map_err(|err| err.to_string()),
                _ => Ok(Vec::new()),
            }
        }
    });
    let delete_option = move |id: i64| {
        spawn_local(async move {
            match api::delete_option(id).await {
                Ok(()) => {
                    c.success("Option deleted");
                    e.changed();
                }
                Err(err) => c.error(format!("Cannot delete it: {err}")),
            }
        });
    };
    let on_delete = Callback::new(move |()| {
        let Some(t) = e.deleting.get_untracked() else {
            return;
        };
        e.deleting.set(None);
        spawn_local(async move {
            match api::delete_entry(t.kind, t.id).await {
                Ok(()) => {
                    c.success(format!("{} deleted", t.name));
                    // The editor may be gone by now (try_: nothing to update then).
                    for (kind, chosen) in
                        [(CatalogKind::Make, e.make), (CatalogKind::Model, e.model)]
                    {
                        let picked = chosen.try_get_untracked().flatten();
                        if kind == t.kind && picked.is_some_and(|m| m.id == t.id) {
                            chosen.set(None);
                        }
                    }
                    e.changed();
                }
                // A 409 says how many vehicles use it.
                Err(err) => c.error(format!("Cannot delete {}: {err}", t.name)),
            }
        });
    });
    view! {
        <section class="card">
            <h2>"Catalog"</h2>
            <div class="row">
                <label for="catalog-year">"Model year"</label>
                <select id="catalog-year" on:change=move |ev| {
                    e.year.set(event_target_value(&ev));
                    e.make.set(None);
                    e.model.set(None);
                }>
                    {move || years.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|y| {
                        let v = y.to_string();
                        let selected = e.year.get() == v;
                        view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="cascade-browser">
                <div>
                    <h3>"Makes"</h3>
                    {move || match makes.get() {
                        None => view! { <Skeleton lines=3 /> }.into_any(),
                        Some(Err(err)) => view! { <LoadError message=err /> }.into_any(),
                        Some(Ok(list)) => view! {
                            <EntryList e=e kind=CatalogKind::Make title="Makes" items=list chosen=e.make />
                        }.into_any(),
                    }}
                </div>
                <div>
                    <h3>"Models"</h3>
                    {move || match (e.make.get(), models.get()) {
                        (None, _) => view! { <p class="muted">"Pick a make."</p> }.into_any(),
                        (_, None) => view! { <Skeleton lines=3 /> }.into_any(),
                        (_, Some(Err(err))) => view! { <LoadError message=err /> }.into_any(),
                        (_, Some(Ok(list))) => view! {
                            <EntryList e=e kind=CatalogKind::Model title="Models" items=list chosen=e.model />
                        }.into_any(),
                    }}
                </div>
            </div>
            <h3>"Options"</h3>
            {move || match (e.model.get(), options.get()) {
                (None, _) => view! { <p class="muted">"Pick a model to see its trims, engines and transmissions."</p> }.into_any(),
                (_, None) => view! { <Skeleton lines=3 /> }.into_any(),
                (_, Some(Err(err))) => view! { <LoadError message=err /> }.into_any(),
                (_, Some(Ok(list))) if list.is_empty() => view! { <Empty text="No options." /> }.into_any(),
                (_, Some(Ok(list))) => view! {
                    <div class="table-wrap">
                    <table class="data">
                        <thead><tr><th scope="col">"Trim"</th><th scope="col">"Engine"</th><th scope="col">"Transmission"</th><th scope="col">""</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|o| {
                                let id = o.id;
                                let cell = |kind, entry_id, name: String| view! {
                                    <td>{name.clone()}" "{entry_actions(e, Target { kind, id: entry_id, name })}</td>
                                };
                                view! {
                                    <tr data-option=o.id.to_string()>
                                        {cell(CatalogKind::Trim, o.trim_id, o.trim.clone())}
                                        {cell(CatalogKind::Engine, o.engine_id, o.engine.clone())}
                                        {cell(CatalogKind::Transmission, o.transmission_id, o.transmission.clone())}
                                        <td><button class="btn small danger" on:click=move |_| delete_option(id)>"Delete option"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any(),
            }}
        </section>
        <RenameDialog e=e />
        <Confirm
            open=e.confirming
            title="Delete from the catalog?"
            message=Signal::derive(move || e.deleting.get().map(|t| format!(
                "Delete the {} {:?} and every option under it? Vehicles keep the names they were saved with; the delete is refused while vehicles use it.",
                t.kind.as_str(), t.name)).unwrap_or_default())
            confirm_label="Delete"
            on_confirm=on_delete
        />
        <AddOption e=e />
        <ImportCsv e=e />
    }
}

#[component]
fn RenameDialog(e: Editor) -> impl IntoView {
    let c = ctx();
    let name = RwSignal::new(String::new());
    let errors = Errors::new();
    let busy = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(t) = e.renaming.get() {
            name.set(t.name);
            errors.clear();
            form_error.set(None);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(t) = e.renaming.get_untracked() else {
            return;
        };
        let new_name = name.get_untracked();
        busy.set(true);
        spawn_local(async move {
            match api::rename_entry(t.kind, t.id, &new_name).await {
                Ok(entry) => {
                    c.success(format!("Renamed to {}", entry.name));
                    e.renaming.set(None);
                    for (kind, chosen) in
                        [(CatalogKind::Make, e.make), (CatalogKind::Model, e.model)]
                    {
                        if kind != t.kind {
                            continue;
                        }
                        chosen.update(|item| {
                            if let Some(item) = item.as_mut().filter(|i| i.id == t.id) {
                                item.name = entry.name.clone();
                            }
                        });
                    }
                    e.changed();
                }
                Err(err) => {
                    if !errors.show_api(&err) {
                        form_error.set(Some(err.to_string()));
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <Show when=move || e.renaming.get().is_some()>
            <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { e.renaming.set(None) }>
                <form class="modal" role="dialog" aria-modal="true" aria-labelledby="rename-title" on:submit=on_submit>
                    <h2 id="rename-title">{move || e.renaming.get().map(|t| format!("Rename the {}", t.kind.as_str()))}</h2>
                    <FormError message=form_error />
                    <Field label="New name" name="name" errors=errors>
                        <TextInput name="name" value=name errors=errors />
                    </Field>
                    <div class="actions">
                        <button type="button" class="btn" on:click=move |_| e.renaming.set(None)>"Cancel"</button>
                        <Submit label="Rename" busy_label="Renaming…" busy=busy />
                    </div>
                </form>
            </div>
        </Show>
    }
}

#[component]
fn AddOption(e: Editor) -> impl IntoView {
    let c = ctx();
    let fields: [(&'static str, &'static str, RwSignal<String>); 6] = [
        ("year", "Model year", RwSignal::new(String::new())),
        ("make", "Make", RwSignal::new(String::new())),
        ("model", "Model", RwSignal::new(String::new())),
        ("trim", "Trim", RwSignal::new(String::new())),
        ("engine", "Engine", RwSignal::new(String::new())),
        ("transmission", "Transmission", RwSignal::new(String::new())),
    ];
    // Follows what is picked above (what was typed stays when nothing is picked).
    Effect::new(move |_| {
        let year = e.year.get();
        if !year.is_empty() {
            fields[0].2.set(year);
        }
        if let Some(make) = e.make.get() {
            fields[1].2.set(make.name);
        }
        if let Some(model) = e.model.get() {
            fields[2].2.set(model.name);
        }
    });
    let errors = Errors::new();
    let busy = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = |i: usize| fields[i].2.get_untracked().trim().to_owned();
        let Ok(year) = value(0).parse::<i32>() else {
            errors.set(
                [(
                    "year".to_owned(),
                    "Enter a model year such as 2024.".to_owned(),
                )]
                .into(),
            );
            return;
        };
        let body = NewCatalogOption {
            year: Some(year),
            make: value(1),
            model: value(2),
            trim: value(3),
            engine: value(4),
            transmission: value(5),
        };
        errors.clear();
        form_error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::add_option(&body).await {
                Ok(o) => {
                    c.success(format!(
                        "Added {} {} {} {}",
                        o.year, o.make, o.model, o.trim
                    ));
                    e.changed();
                }
                Err(err) => {
                    if !errors.show_api(&err) {
                        form_error.set(Some(err.to_string()));
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <h2>"Add an option"</h2>
            <p class="muted">"Names that are not in the catalog yet are added; existing ones match in any letter case."</p>
            <form class="grid-form" on:submit=on_submit>
                <FormError message=form_error />
                {fields.into_iter().map(|(name, label, value)| view! {
                    <Field label=label name=name errors=errors>
                        <TextInput name=name value=value errors=errors />
                    </Field>
                }).collect_view()}
                <Submit label="Add to the catalog" busy_label="Adding…" busy=busy />
            </form>
        </section>
    }
}

/// The text of the file chosen in the input of `ev`.
async fn chosen_text(input: web_sys::HtmlInputElement) -> Result<Option<(String, String)>, String> {
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return Ok(None);
    };
    let text = JsFuture::from(file.text())
        .await
        .map_err(|_| "the file cannot be read".to_owned())?
        .as_string()
        .unwrap_or_default();
    Ok(Some((file.name(), text)))
}

#[component]
fn ImportReport(report: CatalogImportReport) -> impl IntoView {
    let created = report.created;
    let heading = match (report.dry_run, report.applied, report.errors.is_empty()) {
        (_, true, _) => "Imported",
        (true, _, true) => "Ready to import",
        _ => "Not imported: fix these lines",
    };
    view! {
        <div class="import-report" role="status" data-applied=report.applied.to_string()>
            <h3>{heading}</h3>
            <p>{format!(
                "{} ({} by model year): {} new makes, {} models, {} trims, {} engines, {} transmissions, {}.",
                format::count(report.rows, "row", "rows"),
                format::count(report.option_rows, "option", "options"),
                created.makes, created.models, created.trims, created.engines, created.transmissions,
                format::count(created.options.max(0) as u64, "option", "options"))}</p>
            {(!report.errors.is_empty()).then(|| view! {
                <ul class="import-errors">
                    {report.errors.into_iter().map(|err| view! {
                        <li data-line=err.line.to_string()>{format!("Line {}: {}", err.line, err.message)}</li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
fn ImportCsv(e: Editor) -> impl IntoView {
    let c = ctx();
    let file = RwSignal::new(None::<(String, String)>);
    let report = RwSignal::new(None::<CatalogImportReport>);
    let busy = RwSignal::new(false);
    let on_file = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        report.set(None);
        spawn_local(async move {
            let Some(input) = input else { return };
            match chosen_text(input).await {
                Ok(chosen) => file.set(chosen),
                Err(err) => c.error(err),
            }
        });
    };
    let run = move |dry_run: bool| {
        let Some((_, text)) = file.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match api::import_catalog(text, dry_run).await {
                Ok(r) => {
                    if r.applied {
                        c.success(format!("{} options imported", r.created.options));
                        e.changed();
                    }
                    report.set(Some(r));
                }
                Err(err) => c.error(format!("Cannot import it: {err}")),
            }
            busy.set(false);
        });
    };
    let checked_ok = move || {
        report
            .get()
            .is_some_and(|r| r.dry_run && r.errors.is_empty() && !r.applied)
    };
    view! {
        <section class="card">
            <h2>"Import a CSV file"</h2>
            <p class="muted">"Columns: year_from, year_to, make, model, trim, engine, transmission (the format of the catalog's own data). The file is checked first; nothing is added until you import it."</p>
            <label for="catalog-csv">"CSV file"</label>
            <input id="catalog-csv" type="file" accept=".csv,text/csv" on:change=on_file />
            <div class="actions">
                <button class="btn" disabled=move || file.get().is_none() || busy.get()
                    on:click=move |_| run(true)>"Check the file"</button>
                <button class="btn primary" disabled=move || !checked_ok() || busy.get()
                    on:click=move |_| run(false)>"Import"</button>
            </div>
            {move || report.get().map(|r| view! { <ImportReport report=r /> })}
        </section>
    }
}
