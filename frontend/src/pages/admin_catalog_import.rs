//! The catalog editor's CSV import (admin_catalog.rs): the file is checked first, a dry run with
//! its report (what it would add, which lines are wrong), and only then applied.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::admin::CatalogImportReport;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::admin as api;
use crate::format;
use crate::pages::admin_catalog::Editor;
use crate::state::ctx;

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
pub(super) fn ImportCsv(e: Editor) -> impl IntoView {
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
