//! Add or edit a fill-up. The price can be typed per unit or as the total (the other is shown as the
//! API will compute it); the time is entered in the user's time zone. "Scan receipt" reads a photo
//! of the receipt into the fields (each marked as scanned until edited; nothing is saved until Save),
//! and the receipt can be kept with the vehicle's documents.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use mvp_types::fuel::{FuelLog, FILL_FUEL_TYPES};
use mvp_types::ids::{FuelLogId, VehicleId};
use rust_decimal::Decimal;

use crate::api::calls;
use crate::browser;
use crate::components::form::{Check, Errors, Field, FormError, Select, Submit, TextInput};
use crate::components::scan::{ScanButton, Scanned, ScannedMark};
use crate::components::ui::{LoadError, Skeleton};
use crate::format::{self, parse_decimal};
use crate::pages::fuel_draft::{fuel_input, price_field, FuelDraft};
use crate::pages::vehicle_draft::capitalise;
use crate::state::ctx;

#[component]
pub fn FuelForm() -> impl IntoView {
    let params = use_params_map();
    let vehicle_id = params
        .get_untracked()
        .get("id")
        .and_then(|s| s.parse::<VehicleId>().ok());
    let log_id = params
        .get_untracked()
        .get("log")
        .and_then(|s| s.parse::<FuelLogId>().ok());
    let loaded = LocalResource::new(move || async move {
        let vehicle = match vehicle_id {
            Some(id) => Some(calls::vehicle(id).await?),
            None => None,
        };
        let log = match log_id {
            Some(id) => Some(calls::fuel_log(id).await?),
            None => None,
        };
        Ok::<_, crate::api::ApiError>((vehicle, log))
    });
    view! {
        <section class="card form-page">
            <h1>{if log_id.is_some() { "Edit fill-up" } else { "Add a fill-up" }}</h1>
            {move || match loaded.get() {
                None => view! { <Skeleton lines=6 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
                Some(Ok((Some(v), log))) => view! {
                    <p class="muted">{crate::components::ui::vehicle_name(&v)}</p>
                    <FuelFormInner vehicle_id=v.id default_fuel=v.fuel_type.clone() existing=log />
                }.into_any(),
                Some(Ok((None, _))) => view! { <LoadError message="No such vehicle".to_owned() /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn FuelFormInner(
    vehicle_id: VehicleId,
    default_fuel: Option<String>,
    existing: Option<FuelLog>,
) -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    let tz = c.time_zone();
    let metric = c.metric();
    let e = existing.clone();
    let local_now = browser::to_local(browser::now(), &tz);
    let date_time = RwSignal::new(
        e.as_ref()
            .map(|l| browser::to_local(l.date_time, &tz))
            .unwrap_or(local_now)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
    );
    let dec = |v: Option<Decimal>| v.map(|d| d.normalize().to_string()).unwrap_or_default();
    let odometer = RwSignal::new(dec(e.as_ref().and_then(|l| l.odometer_reading)));
    let trip = RwSignal::new(dec(e.as_ref().and_then(|l| l.trip_distance)));
    let fuel = default_fuel
        .filter(|f| FILL_FUEL_TYPES.contains(&f.as_str()))
        .unwrap_or_else(|| "gasoline".to_owned());
    let fuel_type = RwSignal::new(e.as_ref().map(|l| l.fuel_type.clone()).unwrap_or(fuel));
    let grade = RwSignal::new(
        e.as_ref()
            .and_then(|l| l.fuel_grade.clone())
            .unwrap_or_default(),
    );
    let units = RwSignal::new(dec(e.as_ref().map(|l| l.fuel_units)));
    // An edit starts from the total paid: re-sending a unit price rounded to 4 places could move the
    // total by a cent.
    let price_mode = RwSignal::new(if e.is_some() { "total" } else { "unit" }.to_owned());
    let price = RwSignal::new(dec(e.as_ref().map(|l| l.total_cost)));
    let full_fill = RwSignal::new(e.as_ref().map(|l| l.full_fill).unwrap_or(true));
    let missed = RwSignal::new(e.as_ref().map(|l| l.missed_previous).unwrap_or(false));
    let location = RwSignal::new(
        e.as_ref()
            .and_then(|l| l.location_name.clone())
            .unwrap_or_default(),
    );
    let notes = RwSignal::new(e.as_ref().and_then(|l| l.notes.clone()).unwrap_or_default());
    let station = RwSignal::new(
        e.as_ref()
            .and_then(|l| l.station_id.clone())
            .unwrap_or_default(),
    );
    // The station picker: saved stations, favourites first (as the API lists them), and the one
    // this fill-up names when it is not among them.
    let current_station = e
        .as_ref()
        .and_then(|l| l.station.clone().map(|s| (s.place_id, s.name)));
    let station_options = RwSignal::new(current_station.clone().into_iter().collect::<Vec<_>>());
    spawn_local(async move {
        if let Ok(saved) = calls::saved_stations().await {
            let mut options: Vec<(String, String)> = saved
                .into_iter()
                .map(|s| {
                    let name = s.nickname.unwrap_or(s.name);
                    let label = if s.is_favorite {
                        format!("★ {name}")
                    } else {
                        name
                    };
                    (s.place_id, label)
                })
                .collect();
            if let Some((id, name)) = current_station {
                if !options.iter().any(|(v, _)| *v == id) {
                    options.push((id, name));
                }
            }
            station_options.set(options);
        }
    });
    let on_station = Callback::new(move |id: String| {
        let name = station_options
            .get_untracked()
            .into_iter()
            .find(|(v, _)| *v == id)
            .map(|(_, label)| label.trim_start_matches("★ ").to_owned());
        if let Some(name) = name {
            if location.get_untracked().trim().is_empty() {
                location.set(name);
            }
        }
    });
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let existing_id = e.as_ref().map(|l| l.id);
    let scanned = Scanned::new();
    // The service found volume × price ≠ total and could not tell which was misread.
    let amounts_unsure = RwSignal::new(false);
    let receipt = StoredValue::new_local(None::<web_sys::File>);
    let has_receipt = RwSignal::new(false);
    let keep_receipt = RwSignal::new(true);
    let on_scan = Callback::new(
        move |(read, file): (mvp_types::document::OcrExtract, web_sys::File)| {
            scanned.start(&read);
            let f = read.fields;
            amounts_unsure.set(f.consistent == Some(false));
            let mut filled = 0;
            if let Some(day) = f.date {
                let time = date_time
                    .get_untracked()
                    .split_once('T')
                    .map(|(_, t)| t.to_owned())
                    .unwrap_or_else(|| "12:00".to_owned());
                scanned.fill("dateTime", "date", date_time, format!("{day}T{time}"));
                filled += 1;
            }
            if let Some(u) = f.fuel_units {
                scanned.fill("fuelUnits", "fuelUnits", units, u.normalize().to_string());
                filled += 1;
            }
            // What was paid wins: the per-unit price then follows from it.
            if let Some(total) = f.total_cost {
                price_mode.set("total".to_owned());
                scanned.fill("price", "totalCost", price, total.normalize().to_string());
                filled += 1;
            } else if let Some(per_unit) = f.cost_per_unit {
                price_mode.set("unit".to_owned());
                scanned.fill(
                    "price",
                    "costPerUnit",
                    price,
                    per_unit.normalize().to_string(),
                );
                filled += 1;
            }
            if let Some(o) = f.odometer_reading {
                scanned.fill(
                    "odometerReading",
                    "odometerReading",
                    odometer,
                    o.to_string(),
                );
                filled += 1;
            }
            if let Some(name) = f.station_name {
                scanned.fill("locationName", "stationName", location, name);
                filled += 1;
            }
            receipt.set_value(Some(file));
            has_receipt.set(true);
            if filled == 0 {
                c.error(
                    "Nothing could be read from that photo. Try a sharper one, or type the values.",
                );
            } else {
                c.success(format!(
                    "{} read from the receipt: check them, then save",
                    format::count(filled, "value", "values")
                ));
            }
        },
    );

    let (dist_unit, vol_unit) = format::system_units(metric);
    let vol_name = if metric { "litre" } else { "gallon" };
    let currency = c.currency();
    let derived = {
        let currency = currency.clone();
        move || {
            let u = parse_decimal(&units.get()).ok().flatten()?;
            let p = parse_decimal(&price.get()).ok().flatten()?;
            Some(if price_mode.get() == "total" {
                format!(
                    "= {}",
                    format::unit_price(format::unit_price_from_total(u, p)?, &currency, vol_unit)
                )
            } else {
                format!(
                    "= {} in total",
                    format::money(format::total_from_unit_price(u, p), &currency)
                )
            })
        }
    };
    let fuel_options = Signal::derive(|| {
        FILL_FUEL_TYPES
            .iter()
            .map(|f| ((*f).to_owned(), capitalise(f)))
            .collect::<Vec<_>>()
    });
    let back = format!("/vehicles/{vehicle_id}?tab=fuel");
    let on_submit = {
        let tz = tz.clone();
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            form_error.set(None);
            let draft = FuelDraft {
                date_time: date_time.get_untracked(),
                odometer: odometer.get_untracked(),
                trip: trip.get_untracked(),
                fuel_type: fuel_type.get_untracked(),
                grade: grade.get_untracked(),
                units: units.get_untracked(),
                price_mode: price_mode.get_untracked(),
                price: price.get_untracked(),
                full_fill: full_fill.get_untracked(),
                missed_previous: missed.get_untracked(),
                station_id: station.get_untracked(),
                location: location.get_untracked(),
                notes: notes.get_untracked(),
            };
            let tz = tz.clone();
            let body = match fuel_input(&draft, vehicle_id, move |t| browser::from_local(t, &tz)) {
                Ok(b) => b,
                Err(map) => {
                    errors.set(map);
                    return;
                }
            };
            errors.clear();
            busy.set(true);
            let navigate = navigate.clone();
            let back = back.clone();
            let keep = keep_receipt
                .get_untracked()
                .then(|| receipt.get_value())
                .flatten();
            let day = date_time
                .get_untracked()
                .chars()
                .take(10)
                .collect::<String>();
            spawn_local(async move {
                let result = match existing_id {
                    Some(id) => calls::update_fuel_log(id, &body).await,
                    None => calls::create_fuel_log(&body).await,
                };
                match result {
                    Ok(_) => {
                        c.success(if existing_id.is_some() {
                            "Fill-up saved"
                        } else {
                            "Fill-up added"
                        });
                        if let Some(file) = keep {
                            crate::api::documents::keep_receipt(
                                c,
                                vehicle_id,
                                &file,
                                &format!("Fuel receipt {day}"),
                            )
                            .await;
                        }
                        navigate(&back, Default::default());
                    }
                    Err(e) => {
                        let map: BTreeMap<String, String> = e
                            .details
                            .iter()
                            .map(|d| (price_field(&d.field), d.message.clone()))
                            .collect();
                        if map.is_empty() {
                            form_error.set(Some(e.to_string()));
                        } else {
                            form_error
                                .set(Some("Please correct the fields marked below.".to_owned()));
                            errors.set(map);
                        }
                    }
                }
                busy.set(false);
            });
        }
    };
    view! {
        <form class="fuel-form" on:submit=on_submit novalidate>
            <FormError message=form_error />
            <div class="scan-row">
                <ScanButton kind="fuel_receipt" label="Scan receipt" id="scan-receipt" on_read=on_scan />
                <Show when=move || has_receipt.get()>
                    <Check name="keepReceipt" label="Keep the receipt with the vehicle's documents" value=keep_receipt />
                </Show>
            </div>
            <Show when=move || amounts_unsure.get()>
                <p class="scan-warning" role="status" data-testid="scan-amounts-unsure">
                    "The amounts on the receipt do not agree (volume × price is not the total). Check them against the receipt before saving."
                </p>
            </Show>
            <div class="grid-2">
                <Field label="Date and time" name="dateTime" errors=errors>
                    <TextInput name="dateTime" kind="datetime-local" value=date_time errors=errors />
                    <ScannedMark scanned=scanned field="dateTime" value=date_time />
                </Field>
                <Field label="Fuel" name="fuelType" errors=errors>
                    <Select name="fuelType" value=fuel_type options=fuel_options errors=errors />
                </Field>
                <Field label=if metric { "Odometer (km)" } else { "Odometer (mi)" } name="odometerReading" errors=errors>
                    <TextInput name="odometerReading" value=odometer errors=errors inputmode="decimal" />
                    <ScannedMark scanned=scanned field="odometerReading" value=odometer />
                </Field>
                <Field label=if metric { "Trip distance (km, optional)" } else { "Trip distance (mi, optional)" } name="tripDistance" errors=errors>
                    <TextInput name="tripDistance" value=trip errors=errors inputmode="decimal" />
                </Field>
                <Field label=if metric { "Fuel (litres)" } else { "Fuel (gallons)" } name="fuelUnits" errors=errors>
                    <TextInput name="fuelUnits" value=units errors=errors inputmode="decimal" />
                    <ScannedMark scanned=scanned field="fuelUnits" value=units />
                </Field>
                <div class="field" class:invalid=move || errors.get("price").is_some() data-field="price">
                    <fieldset class="price-mode">
                        <legend>"Price"</legend>
                        <label class="check">
                            <input type="radio" name="priceMode" value="unit"
                                prop:checked=move || price_mode.get() == "unit"
                                on:change=move |_| price_mode.set("unit".to_owned()) />
                            <span>{format!("per {vol_name}")}</span>
                        </label>
                        <label class="check">
                            <input type="radio" name="priceMode" value="total"
                                prop:checked=move || price_mode.get() == "total"
                                on:change=move |_| price_mode.set("total".to_owned()) />
                            <span>"total"</span>
                        </label>
                    </fieldset>
                    <label for="price" class="sr-only">"Price"</label>
                    <TextInput name="price" value=price errors=errors inputmode="decimal" />
                    <ScannedMark scanned=scanned field="price" value=price />
                    <small class="hint" data-testid="derived-price">{derived}</small>
                    <p class="field-error" id="price-error" aria-live="polite">{move || errors.get("price")}</p>
                </div>
                <Field label="Grade (optional)" name="fuelGrade" errors=errors>
                    <TextInput name="fuelGrade" value=grade errors=errors />
                </Field>
                <Field label="Station (saved stations, favourites first)" name="stationId" errors=errors>
                    <Select name="stationId" value=station options=station_options placeholder="— none —"
                        errors=errors on_change=on_station />
                </Field>
                <Field label="Place or note (optional)" name="locationName" errors=errors>
                    <TextInput name="locationName" value=location errors=errors />
                    <ScannedMark scanned=scanned field="locationName" value=location />
                </Field>
            </div>
            <div class="checks">
                <Check name="fullFill" label="Filled the tank" value=full_fill />
                <Check name="missedPrevious" label="I missed logging the previous fill-up" value=missed />
            </div>
            <div class="field">
                <label for="notes">"Notes"</label>
                <textarea id="notes" rows="2" bind:value=notes></textarea>
            </div>
            <p class="muted">{format!("Distances in {}, fuel in {}.", format::distance_label(dist_unit), format::volume_label(vol_unit))}</p>
            <div class="actions">
                <a class="btn" href=back>"Cancel"</a>
                <Submit label="Save fill-up" busy_label="Saving…" busy=busy />
            </div>
        </form>
    }
}
