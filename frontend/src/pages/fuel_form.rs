//! Add or edit a fill-up. The price can be typed per unit or as the total (the other is shown as the
//! API will compute it); the time is entered in the user's time zone.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use mvp_types::fuel::{FuelLog, FuelLogInput, FILL_FUEL_TYPES};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::api::calls;
use crate::browser;
use crate::components::form::{Check, Errors, Field, FormError, Select, Submit, TextInput};
use crate::components::ui::{LoadError, Skeleton};
use crate::format::{self, parse_decimal};
use crate::pages::vehicle_form::capitalise;
use crate::state::ctx;

/// The fill-up form as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FuelDraft {
    pub date_time: String,
    pub odometer: String,
    pub trip: String,
    pub fuel_type: String,
    pub grade: String,
    pub units: String,
    /// `unit` (price per gallon/litre) or `total`.
    pub price_mode: String,
    pub price: String,
    pub full_fill: bool,
    pub missed_previous: bool,
    pub location: String,
    pub notes: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The API's rules, checked here first; `to_utc` turns the local time into an instant.
pub fn fuel_input(
    d: &FuelDraft,
    vehicle_id: Uuid,
    to_utc: impl Fn(NaiveDateTime) -> chrono::DateTime<chrono::Utc>,
) -> Result<FuelLogInput, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let mut number = |field: &str, text: &str, positive: bool| -> Option<Decimal> {
        match parse_decimal(text) {
            Ok(Some(v)) if positive && v <= Decimal::ZERO => {
                errors.insert(field.to_owned(), "Must be more than 0".to_owned());
                None
            }
            Ok(Some(v)) if v.is_sign_negative() => {
                errors.insert(field.to_owned(), "Must not be negative".to_owned());
                None
            }
            Ok(v) => v,
            Err(m) => {
                errors.insert(field.to_owned(), m.to_owned());
                None
            }
        }
    };
    let odometer = number("odometerReading", &d.odometer, false);
    let trip = number("tripDistance", &d.trip, true);
    let units = number("fuelUnits", &d.units, true);
    let price = number("price", &d.price, true);
    let date_time = NaiveDateTime::parse_from_str(d.date_time.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(d.date_time.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok();
    if date_time.is_none() {
        errors.insert("dateTime".to_owned(), "Enter the date and time".to_owned());
    }
    if odometer.is_none() && trip.is_none() && !errors.contains_key("odometerReading") {
        errors.insert(
            "odometerReading".to_owned(),
            "Enter the odometer or the trip distance".to_owned(),
        );
    }
    if units.is_none() && !errors.contains_key("fuelUnits") {
        errors.insert("fuelUnits".to_owned(), "Enter how much fuel".to_owned());
    }
    if price.is_none() && !errors.contains_key("price") {
        errors.insert("price".to_owned(), "Enter the price".to_owned());
    }
    if !FILL_FUEL_TYPES.contains(&d.fuel_type.as_str()) {
        errors.insert("fuelType".to_owned(), "Choose the fuel".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (cost_per_unit, total_cost) = if d.price_mode == "total" {
        (None, price)
    } else {
        (price, None)
    };
    Ok(FuelLogInput {
        vehicle_id: Some(vehicle_id),
        date_time: date_time.map(to_utc),
        odometer_reading: odometer,
        trip_distance: trip,
        fuel_type: Some(d.fuel_type.clone()),
        fuel_grade: opt(&d.grade),
        fuel_units: units,
        cost_per_unit,
        total_cost,
        full_fill: Some(d.full_fill),
        missed_previous: Some(d.missed_previous),
        location_name: opt(&d.location),
        notes: opt(&d.notes),
        ..FuelLogInput::default()
    })
}

/// The API names the price fields; the form has one price input.
fn price_field(field: &str) -> String {
    match field {
        "costPerUnit" | "totalCost" => "price".to_owned(),
        f => f.to_owned(),
    }
}

#[component]
pub fn FuelForm() -> impl IntoView {
    let params = use_params_map();
    let vehicle_id = params
        .get_untracked()
        .get("id")
        .and_then(|s| s.parse::<Uuid>().ok());
    let log_id = params
        .get_untracked()
        .get("log")
        .and_then(|s| s.parse::<Uuid>().ok());
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
    vehicle_id: Uuid,
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
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let existing_id = e.as_ref().map(|l| l.id);

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
            <div class="grid-2">
                <Field label="Date and time" name="dateTime" errors=errors>
                    <TextInput name="dateTime" kind="datetime-local" value=date_time errors=errors />
                </Field>
                <Field label="Fuel" name="fuelType" errors=errors>
                    <Select name="fuelType" value=fuel_type options=fuel_options errors=errors />
                </Field>
                <Field label=if metric { "Odometer (km)" } else { "Odometer (mi)" } name="odometerReading" errors=errors>
                    <TextInput name="odometerReading" value=odometer errors=errors inputmode="decimal" />
                </Field>
                <Field label=if metric { "Trip distance (km, optional)" } else { "Trip distance (mi, optional)" } name="tripDistance" errors=errors>
                    <TextInput name="tripDistance" value=trip errors=errors inputmode="decimal" />
                </Field>
                <Field label=if metric { "Fuel (litres)" } else { "Fuel (gallons)" } name="fuelUnits" errors=errors>
                    <TextInput name="fuelUnits" value=units errors=errors inputmode="decimal" />
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
                    <small class="hint" data-testid="derived-price">{derived}</small>
                    <p class="field-error" id="price-error" aria-live="polite">{move || errors.get("price")}</p>
                </div>
                <Field label="Grade (optional)" name="fuelGrade" errors=errors>
                    <TextInput name="fuelGrade" value=grade errors=errors />
                </Field>
                <Field label="Station or place (optional)" name="locationName" errors=errors>
                    <TextInput name="locationName" value=location errors=errors />
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn draft() -> FuelDraft {
        FuelDraft {
            date_time: "2026-03-01T08:30".into(),
            odometer: "12,345".into(),
            fuel_type: "gasoline".into(),
            units: "10.5".into(),
            price_mode: "unit".into(),
            price: "3.459".into(),
            full_fill: true,
            ..FuelDraft::default()
        }
    }

    fn utc(t: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
        t.and_utc()
    }

    #[test]
    fn unit_price_or_total_is_sent_never_both() {
        let id = Uuid::nil();
        let body = fuel_input(&draft(), id, utc).unwrap_or_default();
        assert_eq!(body.cost_per_unit, Decimal::from_str("3.459").ok());
        assert_eq!(body.total_cost, None);
        assert_eq!(body.odometer_reading, Decimal::from_str("12345").ok());
        let mut total = draft();
        total.price_mode = "total".into();
        total.price = "36.32".into();
        let body = fuel_input(&total, id, utc).unwrap_or_default();
        assert_eq!(body.cost_per_unit, None);
        assert_eq!(body.total_cost, Decimal::from_str("36.32").ok());
    }

    #[test]
    fn missing_and_wrong_values_are_named_by_field() {
        let d = FuelDraft {
            fuel_type: "gasoline".into(),
            units: "0".into(),
            price: "abc".into(),
            ..FuelDraft::default()
        };
        let errors = fuel_input(&d, Uuid::nil(), utc).err().unwrap_or_default();
        for field in ["dateTime", "odometerReading", "fuelUnits", "price"] {
            assert!(errors.contains_key(field), "{field} missing in {errors:?}");
        }
        assert_eq!(price_field("totalCost"), "price");
        assert_eq!(price_field("odometerReading"), "odometerReading");
    }
}
