//! The maintenance schedule form (maintenance_forms.rs holds the record form and the pickers): a
//! schedule of one's own (category, what is done, every so many months and/or distance, when it was
//! last done) added, or any schedule edited.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::ids::VehicleId;
use mvp_types::maintenance::{MaintenanceSchedule, ScheduleInput};

use crate::api::calls;
use crate::components::form::{Check, Errors, Field, FormError, Select, Submit, TextInput};
use crate::pages::maintenance_forms::{categories, SubtypePicker};
use crate::state::ctx;

/// A whole number field: empty is `None`; anything else must be a whole number of at least `min`.
fn whole(field: &str, text: &str, min: i64, errors: &mut BTreeMap<String, String>) -> Option<i64> {
    let text = text.trim().replace(',', "");
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) if n >= min => Some(n),
        _ => {
            errors.insert(
                field.to_owned(),
                format!("Enter a whole number of at least {min}"),
            );
            None
        }
    }
}

/// Adds a schedule of one's own, or edits `existing` (one from a template too).
#[component]
pub fn ScheduleForm(
    vehicle_id: VehicleId,
    #[prop(optional)] existing: Option<MaintenanceSchedule>,
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let c = ctx();
    let e = existing.clone();
    let editing = e.as_ref().map(|s| s.id);
    let text = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let category = RwSignal::new(
        e.as_ref()
            .map(|s| s.category.clone())
            .unwrap_or_else(|| "routine_maintenance".to_owned()),
    );
    let chosen = RwSignal::new(e.as_ref().map(|s| s.subtypes.clone()).unwrap_or_default());
    let months = RwSignal::new(text(
        e.as_ref().and_then(|s| s.interval_months).map(i64::from),
    ));
    let distance = RwSignal::new(text(e.as_ref().and_then(|s| s.interval_distance)));
    let last_date = RwSignal::new(
        e.as_ref()
            .and_then(|s| s.last_service_date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let last_odometer = RwSignal::new(text(e.as_ref().and_then(|s| s.last_service_odometer)));
    let email = RwSignal::new(e.as_ref().map(|s| s.email_notifications).unwrap_or(true));
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_category = Callback::new(move |_| chosen.set(Vec::new()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let mut map = BTreeMap::new();
        let every_months = whole("intervalMonths", &months.get_untracked(), 1, &mut map);
        let every_distance = whole("intervalDistance", &distance.get_untracked(), 1, &mut map);
        if every_months.is_none() && every_distance.is_none() && !map.contains_key("intervalMonths")
        {
            map.insert(
                "intervalMonths".to_owned(),
                "Give months, a distance, or both".to_owned(),
            );
        }
        let last_day = match last_date.get_untracked().trim() {
            "" => None,
            t => match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    map.insert("lastServiceDate".to_owned(), "Enter a date".to_owned());
                    None
                }
            },
        };
        let last_odo = whole(
            "lastServiceOdometer",
            &last_odometer.get_untracked(),
            0,
            &mut map,
        );
        if chosen.get_untracked().is_empty() {
            map.insert("subtypes".to_owned(), "Choose what is done".to_owned());
        }
        if !map.is_empty() {
            errors.set(map);
            return;
        }
        errors.clear();
        let body = ScheduleInput {
            vehicle_id: Some(vehicle_id),
            category: Some(category.get_untracked()),
            subtypes: chosen.get_untracked(),
            interval_months: every_months.map(|m| i32::try_from(m).unwrap_or(i32::MAX)),
            interval_distance: every_distance,
            last_service_date: last_day,
            last_service_odometer: last_odo,
            email_notifications: Some(email.get_untracked()),
            ..ScheduleInput::default()
        };
        busy.set(true);
        spawn_local(async move {
            let saved = match editing {
                Some(id) => calls::update_schedule(id, &body).await,
                None => calls::create_schedule(&body).await,
            };
            match saved {
                Ok(_) => {
                    c.success(if editing.is_some() {
                        "Schedule saved"
                    } else {
                        "Schedule added"
                    });
                    c.notify_changed();
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
    let dist = if c.metric() { "km" } else { "mi" };
    view! {
        <form class="schedule-form" on:submit=on_submit novalidate>
            <h3>{if editing.is_some() { "Edit the schedule" } else { "A schedule of your own" }}</h3>
            <FormError message=form_error />
            <div class="grid-2">
                <Field label="Category" name="category" errors=errors>
                    <Select name="category" value=category options=Signal::derive(categories) on_change=on_category />
                </Field>
                <Field label="Every … months" name="intervalMonths" errors=errors hint="Months, a distance, or both: whichever comes first">
                    <TextInput name="intervalMonths" value=months errors=errors inputmode="numeric" />
                </Field>
                <Field label=if dist == "km" { "Every … km" } else { "Every … mi" } name="intervalDistance" errors=errors>
                    <TextInput name="intervalDistance" value=distance errors=errors inputmode="numeric" />
                </Field>
                <Field label="Last done on (optional)" name="lastServiceDate" errors=errors>
                    <TextInput name="lastServiceDate" kind="date" value=last_date errors=errors />
                </Field>
                <Field label=if dist == "km" { "Last done at (km, optional)" } else { "Last done at (mi, optional)" } name="lastServiceOdometer" errors=errors>
                    <TextInput name="lastServiceOdometer" value=last_odometer errors=errors inputmode="numeric" />
                </Field>
            </div>
            <SubtypePicker category=category chosen=chosen errors=errors />
            <Check name="emailNotifications" label="Remind me by e-mail" value=email />
            <div class="actions">
                <button type="button" class="btn" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <Submit label=if editing.is_some() { "Save schedule" } else { "Add this schedule" } busy_label="Saving…" busy=busy />
            </div>
        </form>
    }
}
