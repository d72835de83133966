//! The admin's catalog editor: a cascade browser (year → make → model → options) where each make,
//! model, trim, engine and transmission can be renamed or deleted and each option deleted, a form
//! that adds an option by names, and a CSV import that is checked (a dry run with its report) before
//! it is applied. The API refuses to delete what vehicles use, and says how many.
//! The rename dialog and the add form are in admin_catalog_forms.rs, the import in
//! admin_catalog_import.rs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::admin::CatalogKind;
use mvp_types::platform::CatalogItem;

use crate::api::admin as api;
use crate::api::calls;
use crate::components::ui::{Confirm, Empty, LoadError, Skeleton};
use crate::pages::admin_catalog_forms::{AddOption, RenameDialog};
use crate::pages::admin_catalog_import::ImportCsv;
use crate::state::ctx;

/// An entry the admin is acting on.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Target {
    pub(super) kind: CatalogKind,
    pub(super) id: i32,
    pub(super) name: String,
}

/// Everything the editor's parts share: the selection, and a counter bumped after every change
/// so each list reloads.
#[derive(Clone, Copy)]
pub(crate) struct Editor {
    pub(super) year: RwSignal<String>,
    pub(super) make: RwSignal<Option<CatalogItem>>,
    pub(super) model: RwSignal<Option<CatalogItem>>,
    version: RwSignal<u32>,
    pub(super) renaming: RwSignal<Option<Target>>,
    deleting: RwSignal<Option<Target>>,
    /// The delete confirmation is open (for `deleting`).
    confirming: RwSignal<bool>,
}

impl Editor {
    pub(super) fn changed(&self) {
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
