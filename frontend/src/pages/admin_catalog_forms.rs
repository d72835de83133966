//! The catalog editor's forms (admin_catalog.rs): the dialog that renames a make, model, trim,
//! engine or transmission, and the form that adds an option by names.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::admin::{CatalogKind, NewCatalogOption};

use crate::api::admin as api;
use crate::components::form::{Errors, Field, FormError, Submit, TextInput};
use crate::pages::admin_catalog::Editor;
use crate::state::ctx;

#[component]
pub(super) fn RenameDialog(e: Editor) -> impl IntoView {
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
pub(super) fn AddOption(e: Editor) -> impl IntoView {
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
