//! Add and edit a vehicle: the platform cascade (year → make → model → trim → engine, each list loaded
//! when the previous one is chosen), "decode VIN" that fills the form (or "Scan VIN": a photo of the VIN plate, read and decoded), and a photo with a preview.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use mvp_types::ids::VehicleId;
use mvp_types::vehicle::{Vehicle, FUEL_TYPES};
use mvp_types::Vin;
use wasm_bindgen::JsCast;

use crate::api::calls;
use crate::components::form::{Errors, Field, FormError, Select, Submit, TextInput};
use crate::components::scan::{ScanButton, Scanned, ScannedMark};
use crate::components::ui::{LoadError, Skeleton};
use crate::pages::vehicle_draft::{capitalise, vehicle_input, VehicleDraft};
use crate::state::ctx;

fn names(items: Vec<mvp_types::platform::CatalogItem>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|i| (i.name.clone(), i.name))
        .collect()
}

/// The form, used by the add and edit pages and by onboarding.
#[component]
pub fn VehicleForm(
    existing: Option<Vehicle>,
    on_saved: Callback<Vehicle>,
    #[prop(default = "Save vehicle")] submit_label: &'static str,
    /// Where "Cancel" leads; no Cancel button without it (onboarding has "Skip" instead).
    #[prop(optional)]
    cancel_href: Option<String>,
) -> impl IntoView {
    let c = ctx();
    let s = |v: Option<String>| RwSignal::new(v.unwrap_or_default());
    let e = existing.clone();
    let vin = s(e.as_ref().and_then(|v| v.vin.clone()));
    let year = s(e.as_ref().map(|v| v.year.to_string()));
    let make = s(e.as_ref().map(|v| v.make.clone()));
    let model = s(e.as_ref().map(|v| v.model.clone()));
    let trim = s(e.as_ref().and_then(|v| v.trim_level.clone()));
    let engine = s(e.as_ref().and_then(|v| v.engine.clone()));
    let fuel_type = s(e
        .as_ref()
        .and_then(|v| v.fuel_type.clone())
        .or(Some("gasoline".into())));
    let nickname = s(e.as_ref().and_then(|v| v.nickname.clone()));
    let color = s(e.as_ref().and_then(|v| v.color.clone()));
    let plate = s(e.as_ref().and_then(|v| v.license_plate.clone()));
    let odometer = s(e.as_ref().map(|v| v.odometer_reading.to_string()));
    let purchase_date = s(e
        .as_ref()
        .and_then(|v| v.purchase_date.map(|d| d.to_string())));
    let purchase_price = s(e
        .as_ref()
        .and_then(|v| v.purchase_price.map(|p| p.to_string())));
    let notes = s(e.as_ref().and_then(|v| v.notes.clone()));
    let existing_id = e.as_ref().map(|v| v.id);
    let has_photo = RwSignal::new(e.as_ref().is_some_and(|v| v.has_image));
    let remove_photo = move |_| {
        let Some(id) = existing_id else { return };
        spawn_local(async move {
            match calls::delete_vehicle_image(id).await {
                Ok(()) => {
                    has_photo.try_set(false);
                    c.success("Photo removed");
                }
                Err(e) => c.error(format!("Cannot remove the photo: {e}")),
            }
        });
    };

    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let decoding = RwSignal::new(false);
    let file = StoredValue::new_local(None::<web_sys::File>);
    let preview = RwSignal::new(None::<String>);

    let years = LocalResource::new(|| async { calls::years().await.unwrap_or_default() });
    let makes = LocalResource::new(move || {
        let y = year.get().parse::<i32>().ok();
        async move {
            match y {
                Some(y) => calls::makes(y).await.map(names).unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let models = LocalResource::new(move || {
        let (y, m) = (year.get().parse::<i32>().ok(), make.get());
        async move {
            match y {
                Some(y) if !m.is_empty() => {
                    calls::models(y, &m).await.map(names).unwrap_or_default()
                }
                _ => Vec::new(),
            }
        }
    });
    let trims = LocalResource::new(move || {
        let (y, m, md) = (year.get().parse::<i32>().ok(), make.get(), model.get());
        async move {
            match y {
                Some(y) if !m.is_empty() && !md.is_empty() => calls::trims(y, &m, &md)
                    .await
                    .map(names)
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        }
    });
    let engines = LocalResource::new(move || {
        let (y, m, md, t) = (
            year.get().parse::<i32>().ok(),
            make.get(),
            model.get(),
            trim.get(),
        );
        async move {
            match y {
                Some(y) if !m.is_empty() && !md.is_empty() && !t.is_empty() => {
                    calls::engines(y, &m, &md, &t)
                        .await
                        .map(names)
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            }
        }
    });
    let year_options = Signal::derive(move || {
        years
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|y| (y.to_string(), y.to_string()))
            .collect::<Vec<_>>()
    });
    let make_options = Signal::derive(move || makes.get().unwrap_or_default());
    let model_options = Signal::derive(move || models.get().unwrap_or_default());
    let trim_options = Signal::derive(move || trims.get().unwrap_or_default());
    let engine_options = Signal::derive(move || engines.get().unwrap_or_default());
    let fuel_options = Signal::derive(|| {
        FUEL_TYPES
            .iter()
            .map(|f| ((*f).to_owned(), capitalise(f)))
            .collect::<Vec<_>>()
    });
    // Choosing a level clears the levels below it.
    let on_year = Callback::new(move |_| {
        make.set(String::new());
        model.set(String::new());
        trim.set(String::new());
        engine.set(String::new());
    });
    let on_make = Callback::new(move |_| {
        model.set(String::new());
        trim.set(String::new());
        engine.set(String::new());
    });
    let on_model = Callback::new(move |_| {
        trim.set(String::new());
        engine.set(String::new());
    });
    let on_trim = Callback::new(move |_| engine.set(String::new()));

    let run_decode = move || {
        let text = vin.get_untracked().trim().to_uppercase();
        if let Err(e) = Vin::parse(&text) {
            errors.set(BTreeMap::from([("vin".to_owned(), e.to_string())]));
            return;
        }
        errors.clear();
        decoding.set(true);
        spawn_local(async move {
            match calls::decode_vin(&text).await {
                Ok(d) => {
                    vin.set(d.vin.clone());
                    if let Some(y) = d.year {
                        year.set(y.to_string());
                    }
                    make.set(d.make.unwrap_or_default());
                    model.set(d.model.unwrap_or_default());
                    trim.set(d.trim.unwrap_or_default());
                    engine.set(d.engine.unwrap_or_default());
                    if let Some(f) = d.fuel_type.map(|f| f.to_lowercase()) {
                        if FUEL_TYPES.contains(&f.as_str()) {
                            fuel_type.set(f);
                        }
                    }
                    c.success("VIN decoded");
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        errors.set(BTreeMap::from([("vin".to_owned(), e.message.clone())]));
                    }
                }
            }
            decoding.set(false);
        });
    };
    let decode = move |_| run_decode();
    // A VIN plate photo: the VIN read goes into the field (marked as scanned), then is decoded.
    let scanned = Scanned::new();
    let on_scan = Callback::new(
        move |(read, _): (mvp_types::document::OcrExtract, web_sys::File)| {
            scanned.start(&read);
            match read.fields.vin {
                Some(found) => {
                    scanned.fill("vin", "vin", vin, found.clone());
                    c.success(format!("Read VIN {found}"));
                    run_decode();
                }
                None => {
                    c.error("No VIN could be read from that photo. Try a sharper one, or type it.")
                }
            }
        },
    );

    let on_file = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let chosen = input.and_then(|i| i.files()).and_then(|f| f.get(0));
        if let Some(old) = preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&old);
        }
        preview.set(
            chosen
                .as_ref()
                .and_then(|f| web_sys::Url::create_object_url_with_blob(f).ok()),
        );
        file.set_value(chosen);
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let draft = VehicleDraft {
            vin: vin.get_untracked(),
            year: year.get_untracked(),
            make: make.get_untracked(),
            model: model.get_untracked(),
            trim: trim.get_untracked(),
            engine: engine.get_untracked(),
            fuel_type: fuel_type.get_untracked(),
            nickname: nickname.get_untracked(),
            color: color.get_untracked(),
            plate: plate.get_untracked(),
            odometer: odometer.get_untracked(),
            purchase_date: purchase_date.get_untracked(),
            purchase_price: purchase_price.get_untracked(),
            notes: notes.get_untracked(),
        };
        let body = match vehicle_input(&draft) {
            Ok(b) => b,
            Err(map) => {
                errors.set(map);
                return;
            }
        };
        errors.clear();
        busy.set(true);
        // Read before the awaits: the form may be gone when the vehicle is saved.
        let photo = file.get_value();
        spawn_local(async move {
            let saved = match existing_id {
                Some(id) => calls::update_vehicle(id, &body).await,
                None => calls::create_vehicle(&body).await,
            };
            match saved {
                Ok(mut v) => {
                    if let Some(f) = photo {
                        match calls::upload_vehicle_image(v.id, &f).await {
                            Ok(()) => v.has_image = true,
                            Err(e) => c.error(format!("The photo was not saved: {e}")),
                        }
                    }
                    c.success(if existing_id.is_some() {
                        "Vehicle saved"
                    } else {
                        "Vehicle added"
                    });
                    on_saved.try_run(v);
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

    view! {
        <form class="vehicle-form" on:submit=on_submit novalidate>
            <FormError message=form_error />
            <fieldset>
                <legend>"Identify it"</legend>
                <div class="vin-row">
                    <Field label="VIN (optional)" name="vin" errors=errors hint="17 characters; decoding fills the form">
                        <TextInput name="vin" value=vin errors=errors placeholder="1HGCM82633A004352" />
                        <ScannedMark scanned=scanned field="vin" value=vin />
                    </Field>
                    <ScanButton kind="vin" label="Scan VIN" id="scan-vin" on_read=on_scan />
                    <button type="button" class="btn" on:click=decode disabled=move || decoding.get()>
                        {move || if decoding.get() { "Decoding…" } else { "Decode VIN" }}
                    </button>
                </div>
                <div class="grid-2">
                    <Field label="Year" name="year" errors=errors>
                        <Select name="year" value=year options=year_options placeholder="Choose a year" errors=errors on_change=on_year />
                    </Field>
                    <Field label="Make" name="make" errors=errors>
                        <Select name="make" value=make options=make_options placeholder="Choose a make" errors=errors on_change=on_make
                            disabled=Signal::derive(move || year.get().is_empty()) />
                    </Field>
                    <Field label="Model" name="model" errors=errors>
                        <Select name="model" value=model options=model_options placeholder="Choose a model" errors=errors on_change=on_model
                            disabled=Signal::derive(move || make.get().is_empty()) />
                    </Field>
                    <Field label="Trim" name="trimLevel" errors=errors>
                        <Select name="trimLevel" value=trim options=trim_options placeholder="Any trim" on_change=on_trim
                            disabled=Signal::derive(move || model.get().is_empty()) />
                    </Field>
                    <Field label="Engine" name="engine" errors=errors>
                        <Select name="engine" value=engine options=engine_options placeholder="Any engine"
                            disabled=Signal::derive(move || trim.get().is_empty()) />
                    </Field>
                    <Field label="Fuel" name="fuelType" errors=errors>
                        <Select name="fuelType" value=fuel_type options=fuel_options />
                    </Field>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Details"</legend>
                <div class="grid-2">
                    <Field label="Nickname" name="nickname" errors=errors>
                        <TextInput name="nickname" value=nickname errors=errors />
                    </Field>
                    <Field label="Odometer" name="odometerReading" errors=errors hint=if c.metric() { "km" } else { "miles" }>
                        <TextInput name="odometerReading" value=odometer errors=errors inputmode="numeric" />
                    </Field>
                    <Field label="Colour" name="color" errors=errors>
                        <TextInput name="color" value=color errors=errors />
                    </Field>
                    <Field label="Licence plate" name="licensePlate" errors=errors>
                        <TextInput name="licensePlate" value=plate errors=errors />
                    </Field>
                    <Field label="Purchase date" name="purchaseDate" errors=errors>
                        <TextInput name="purchaseDate" kind="date" value=purchase_date errors=errors />
                    </Field>
                    <Field label="Purchase price" name="purchasePrice" errors=errors>
                        <TextInput name="purchasePrice" value=purchase_price errors=errors inputmode="decimal" />
                    </Field>
                </div>
                <div class="field">
                    <label for="notes">"Notes"</label>
                    <textarea id="notes" rows="2" bind:value=notes></textarea>
                </div>
                <div class="field">
                    <label for="image">"Photo"</label>
                    <input id="image" type="file" accept="image/jpeg,image/png,image/webp" on:change=on_file />
                    {move || preview.get().map(|src| view! { <img class="preview" src=src alt="Preview of the chosen photo" /> })}
                    <Show when=move || has_photo.get() && preview.get().is_none()>
                        <button type="button" class="btn small danger" on:click=remove_photo>"Remove the current photo"</button>
                    </Show>
                </div>
            </fieldset>
            <div class="actions">
                {cancel_href.map(|href| view! { <a class="btn" href=href>"Cancel"</a> })}
                <Submit label=submit_label busy_label="Saving…" busy=busy />
            </div>
        </form>
    }
}

#[component]
pub fn NewVehicle() -> impl IntoView {
    let navigate = use_navigate();
    let on_saved = Callback::new(move |v: Vehicle| {
        navigate(&format!("/vehicles/{}", v.id), Default::default())
    });
    view! {
        <section class="card">
            <h1>"Add a vehicle"</h1>
            <VehicleForm existing=None on_saved=on_saved submit_label="Add vehicle" cancel_href="/vehicles".to_owned() />
        </section>
    }
}

#[component]
pub fn EditVehicle() -> impl IntoView {
    let params = use_params_map();
    let navigate = use_navigate();
    let id = move || {
        params
            .get()
            .get("id")
            .and_then(|s| s.parse::<VehicleId>().ok())
    };
    let vehicle = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => calls::vehicle(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <section class="card">
            <h1>"Edit vehicle"</h1>
            {move || match vehicle.get() {
                None => view! { <Skeleton lines=6 /> }.into_any(),
                Some(Ok(Some(v))) => {
                    let navigate = navigate.clone();
                    let on_saved = Callback::new(move |v: Vehicle| navigate(&format!("/vehicles/{}", v.id), Default::default()));
                    let back = format!("/vehicles/{}", v.id);
                    view! { <VehicleForm existing=Some(v) on_saved=on_saved cancel_href=back /> }.into_any()
                }
                Some(Ok(None)) => view! { <LoadError message="No such vehicle".to_owned() /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
            }}
        </section>
    }
}
