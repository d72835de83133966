//! The Backups tab's schedule form (daily, weekly, monthly at an hour in a time zone; how many of
//! each are kept; when the next one is due) and the upload of an archive taken elsewhere, with its
//! progress; the server verifies the archive before it is listed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::admin::BackupSettings;

use crate::api::admin as api;
use crate::browser;
use crate::components::form::{Check, Errors, Field, FormError, Select, Submit, TextInput};
use crate::components::ui::{LoadError, Skeleton};
use crate::state::ctx;

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[component]
pub fn BackupSchedule() -> impl IntoView {
    let loaded =
        LocalResource::new(|| async { api::backup_settings().await.map_err(|e| e.to_string()) });
    view! {
        <section class="card" aria-labelledby="backup-schedule">
            <h2 id="backup-schedule">"Schedule"</h2>
            {move || match loaded.get() {
                None => view! { <Skeleton lines=3 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(settings)) => view! { <ScheduleForm initial=settings /> }.into_any(),
            }}
        </section>
    }
}

/// "Next scheduled backup: …" in the schedule's own time zone.
fn next_run_text(settings: &BackupSettings) -> String {
    match settings.next_run_at {
        Some(at) => format!(
            "Next scheduled backup: {} ({})",
            browser::to_local(at, &settings.time_zone).format("%Y-%m-%d %H:%M"),
            settings.time_zone.replace('_', " ")
        ),
        None => "No scheduled backups: every schedule is off.".to_owned(),
    }
}

/// A whole number from 1 to 1000, or the error for `field`.
fn keep_count(value: &str) -> Option<u32> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=1000).contains(n))
}

#[component]
fn ScheduleForm(initial: BackupSettings) -> impl IntoView {
    let c = ctx();
    let daily = RwSignal::new(initial.daily);
    let weekly = RwSignal::new(initial.weekly);
    let monthly = RwSignal::new(initial.monthly);
    let hour = RwSignal::new(initial.hour.to_string());
    let weekday = RwSignal::new(initial.weekday.to_string());
    let zone = RwSignal::new(initial.time_zone.clone());
    let keep_daily = RwSignal::new(initial.keep_daily.to_string());
    let keep_weekly = RwSignal::new(initial.keep_weekly.to_string());
    let keep_monthly = RwSignal::new(initial.keep_monthly.to_string());
    let next = RwSignal::new(next_run_text(&initial));
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let hours = Signal::derive(|| {
        (0..24)
            .map(|h| (h.to_string(), format!("{h:02}:00")))
            .collect::<Vec<_>>()
    });
    let weekdays = Signal::derive(|| {
        WEEKDAYS
            .iter()
            .enumerate()
            .map(|(i, d)| ((i + 1).to_string(), (*d).to_owned()))
            .collect::<Vec<_>>()
    });
    let zones = Signal::derive(browser::time_zone_choices);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        errors.clear();
        let mut wrong = std::collections::BTreeMap::new();
        let mut keep = |field: &str, value: RwSignal<String>| {
            keep_count(&value.get_untracked()).unwrap_or_else(|| {
                wrong.insert(field.to_owned(), "a whole number from 1 to 1000".to_owned());
                0
            })
        };
        let body = BackupSettings {
            daily: daily.get_untracked(),
            weekly: weekly.get_untracked(),
            monthly: monthly.get_untracked(),
            hour: hour.get_untracked().parse().unwrap_or(0),
            weekday: weekday.get_untracked().parse().unwrap_or(7),
            time_zone: zone.get_untracked(),
            keep_daily: keep("keepDaily", keep_daily),
            keep_weekly: keep("keepWeekly", keep_weekly),
            keep_monthly: keep("keepMonthly", keep_monthly),
            next_run_at: None,
        };
        if !wrong.is_empty() {
            errors.set(wrong);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::save_backup_settings(&body).await {
                Ok(saved) => {
                    next.try_set(next_run_text(&saved));
                    c.success("Backup schedule saved");
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        form_error.try_set(Some(e.to_string()));
                    }
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="backup-schedule" on:submit=on_submit novalidate>
            <FormError message=form_error />
            <fieldset>
                <legend>"Back up automatically"</legend>
                <Check name="daily" label="Every day" value=daily />
                <Check name="weekly" label="Every week" value=weekly />
                <Check name="monthly" label="Every month, on the 1st" value=monthly />
            </fieldset>
            <div class="grid-2">
                <Field label="At" name="hour" errors=errors>
                    <Select name="hour" value=hour options=hours errors=errors />
                </Field>
                <Field label="Weekly backups on" name="weekday" errors=errors>
                    <Select name="weekday" value=weekday options=weekdays errors=errors />
                </Field>
                <Field label="Time zone" name="timeZone" errors=errors>
                    <Select name="timeZone" value=zone options=zones errors=errors />
                </Field>
            </div>
            <fieldset>
                <legend>"Keep the newest"</legend>
                <div class="grid-2">
                    <Field label="Daily backups" name="keepDaily" errors=errors>
                        <TextInput name="keepDaily" value=keep_daily errors=errors kind="number" inputmode="numeric" />
                    </Field>
                    <Field label="Weekly backups" name="keepWeekly" errors=errors>
                        <TextInput name="keepWeekly" value=keep_weekly errors=errors kind="number" inputmode="numeric" />
                    </Field>
                    <Field label="Monthly backups" name="keepMonthly" errors=errors>
                        <TextInput name="keepMonthly" value=keep_monthly errors=errors kind="number" inputmode="numeric" />
                    </Field>
                </div>
            </fieldset>
            <p class="muted" data-testid="next-backup">{move || next.get()}</p>
            <Submit label="Save schedule" busy_label="Saving…" busy=busy />
        </form>
    }
}

/// "Upload a backup": the archive is sent with a progress bar, then verified by the server (a
/// damaged or foreign one is refused and nothing is kept); `on_done` runs once it is listed.
#[component]
pub fn UploadBackup(on_done: Callback<()>) -> impl IntoView {
    let c = ctx();
    let progress = RwSignal::new(None::<f64>);
    let error = RwSignal::new(None::<String>);
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast as _;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        error.set(None);
        progress.set(Some(0.0));
        spawn_local(async move {
            let sent = api::upload_backup(&file, move |share| {
                progress.try_set(Some(share));
            })
            .await;
            progress.try_set(None);
            match sent {
                Ok(_) => {
                    c.success("Backup uploaded and verified");
                    on_done.run(());
                }
                Err(e) => {
                    error.try_set(Some(format!("Not kept: {e}")));
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="backup-upload">
            <h2 id="backup-upload">"Upload a backup"</h2>
            <p class="muted">"An archive downloaded from this or another MotoVaultPro. It is checked byte for byte before it is listed; restoring it is a separate step."</p>
            <label class="btn" for="backup-file">"Choose an archive…"</label>
            <input id="backup-file" class="sr-only" type="file" accept=".gz,.tar.gz,application/gzip"
                disabled=move || progress.get().is_some() on:change=on_file />
            <Show when=move || progress.get().is_some()>
                <div class="progress">
                    <progress max="100" value=move || (progress.get().unwrap_or(0.0) * 100.0).round().to_string()
                        aria-label="Upload progress"></progress>
                    <span>{move || match progress.get() {
                        Some(p) if p >= 1.0 => "Verifying…".to_owned(),
                        Some(p) => format!("{:.0} %", p * 100.0),
                        None => String::new(),
                    }}</span>
                </div>
            </Show>
            <Show when=move || error.get().is_some()>
                <div class="form-error" role="alert" data-testid="upload-error">{move || error.get()}</div>
            </Show>
        </section>
    }
}
