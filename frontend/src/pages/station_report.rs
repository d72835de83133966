//! Reporting a station that search does not know (stations.rs): name, address, location, brand and
//! the fuels sold; others see it once an admin approves it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::station::{CommunityStationInput, STATION_FUEL_TYPES};

use crate::api::calls;
use crate::components::form::{Errors, Field, FormError, Submit, TextInput};
use crate::pages::vehicle_draft::capitalise;
use crate::state::ctx;

/// "Report a station": name, address, location (the search point to start with), brand, fuels.
#[component]
pub(super) fn ReportStation(
    at: RwSignal<Option<(f64, f64)>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let c = ctx();
    let name = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let brand = RwSignal::new(String::new());
    let lat = RwSignal::new(
        at.get_untracked()
            .map(|p| format!("{:.6}", p.0))
            .unwrap_or_default(),
    );
    let lon = RwSignal::new(
        at.get_untracked()
            .map(|p| format!("{:.6}", p.1))
            .unwrap_or_default(),
    );
    let fuels = RwSignal::new(vec!["regular".to_owned()]);
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<f64>().ok();
        let body = CommunityStationInput {
            name: Some(name.get_untracked()),
            address: Some(address.get_untracked()),
            latitude: number(lat),
            longitude: number(lon),
            brand: Some(brand.get_untracked()).filter(|b| !b.trim().is_empty()),
            fuel_types: Some(fuels.get_untracked()),
        };
        busy.set(true);
        form_error.set(None);
        spawn_local(async move {
            match calls::report_station(&body).await {
                Ok(_) => {
                    c.success("Station reported. Others see it once an admin approves it.");
                    errors.clear();
                    on_done.try_run(());
                }
                Err(e) => {
                    if errors.show_api(&e) {
                        form_error.set(Some("Please correct the fields marked below.".to_owned()));
                    } else {
                        form_error.set(Some(e.to_string()));
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <form class="report-station" on:submit=submit novalidate>
            <FormError message=form_error />
            <div class="grid-2">
                <Field label="Name" name="name" errors=errors>
                    <TextInput name="name" value=name errors=errors />
                </Field>
                <Field label="Brand (optional)" name="brand" errors=errors>
                    <TextInput name="brand" value=brand errors=errors />
                </Field>
                <Field label="Address" name="address" errors=errors>
                    <TextInput name="address" value=address errors=errors />
                </Field>
                <div class="grid-2">
                    <Field label="Latitude" name="latitude" errors=errors>
                        <TextInput name="latitude" value=lat errors=errors inputmode="decimal" />
                    </Field>
                    <Field label="Longitude" name="longitude" errors=errors>
                        <TextInput name="longitude" value=lon errors=errors inputmode="decimal" />
                    </Field>
                </div>
            </div>
            <fieldset class="checks" data-field="fuelTypes">
                <legend>"Fuels sold"</legend>
                {STATION_FUEL_TYPES.iter().map(|f| {
                    let f = (*f).to_owned();
                    let key = f.clone();
                    let toggle = f.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" name="fuelTypes" value=f.clone()
                                prop:checked=move || fuels.get().contains(&key)
                                on:change=move |_| fuels.update(|list| {
                                    if let Some(i) = list.iter().position(|x| *x == toggle) {
                                        list.remove(i);
                                    } else {
                                        list.push(toggle.clone());
                                    }
                                }) />
                            <span>{capitalise(&f)}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p class="field-error" aria-live="polite">{move || errors.get("fuelTypes")}</p>
            <div class="actions">
                <Submit label="Report station" busy_label="Sending…" busy=busy />
            </div>
        </form>
    }
}
