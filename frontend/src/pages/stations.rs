//! Gas stations: search near the device's location (or a typed place), within a chosen radius,
//! nearest first with distance in the user's units, the latest prices and an "open in maps" link;
//! save and favourite a station, report a price, report a station search does not know; the user's
//! saved stations and their reports with their review status.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::station::{
    CommunityStation, CommunityStationInput, CommunityStatus, PriceReportInput, SavedStation,
    SavedStationInput, Station, StationPrice, StationSource, STATION_FUEL_TYPES,
};

use crate::api::calls;
use crate::components::form::{Errors, Field, FormError, Select, Submit, TextInput};
use crate::components::ui::{Empty, LoadError, Skeleton};
use crate::format;
use crate::pages::vehicle_draft::capitalise;
use crate::state::ctx;

/// Radius choices in the user's unit: `(label, metres)`.
fn radii(metric: bool) -> Vec<(String, String)> {
    let list: &[(u32, &str)] = if metric {
        &[
            (1_000, "1 km"),
            (2_000, "2 km"),
            (5_000, "5 km"),
            (10_000, "10 km"),
            (25_000, "25 km"),
            (50_000, "50 km"),
        ]
    } else {
        &[
            (1_609, "1 mi"),
            (3_219, "2 mi"),
            (8_047, "5 mi"),
            (16_093, "10 mi"),
            (40_234, "25 mi"),
        ]
    };
    list.iter()
        .map(|(m, label)| (m.to_string(), (*label).to_owned()))
        .collect()
}

fn maps_link(s: &Station) -> String {
    let mut url = format!(
        "https://www.google.com/maps/search/?api=1&query={},{}",
        s.latitude, s.longitude
    );
    if s.source == StationSource::Google {
        url.push_str("&query_place_id=");
        url.push_str(&String::from(js_sys::encode_uri_component(&s.place_id)));
    }
    url
}

#[component]
fn Prices(prices: Vec<StationPrice>) -> impl IntoView {
    let c = ctx();
    let currency = c.currency();
    let now = crate::browser::now();
    (!prices.is_empty()).then(|| {
        view! {
            <ul class="prices">
                {prices.into_iter().map(|p| {
                    let age = format::ago((now - p.reported_at).num_seconds());
                    view! {
                        <li data-fuel=p.fuel_type.clone()>
                            <strong>{capitalise(&p.fuel_type)}</strong>" "
                            <span class="price">{format!("{} {}", format::decimal(p.price, 3), currency)}</span>
                            <small class="muted">{format!(" · {age}")}</small>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// The inline price report of one station.
#[component]
fn PriceForm(place_id: String, on_done: Callback<()>) -> impl IntoView {
    let c = ctx();
    let fuel = RwSignal::new("regular".to_owned());
    let price = RwSignal::new(String::new());
    let errors = Errors::new();
    let busy = RwSignal::new(false);
    let options = Signal::derive(|| {
        STATION_FUEL_TYPES
            .iter()
            .map(|f| ((*f).to_owned(), capitalise(f)))
            .collect::<Vec<_>>()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let amount = match format::parse_decimal(&price.get_untracked()) {
            Ok(Some(p)) => p,
            _ => {
                errors.set([("price".to_owned(), "Enter the price per unit".to_owned())].into());
                return;
            }
        };
        let body = PriceReportInput {
            fuel_type: Some(fuel.get_untracked()),
            price: Some(amount),
        };
        let place_id = place_id.clone();
        busy.set(true);
        spawn_local(async move {
            match calls::report_price(&place_id, &body).await {
                Ok(_) => {
                    c.success("Price reported — thank you");
                    on_done.try_run(());
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        c.error(e.to_string());
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <form class="price-form inline-form" on:submit=submit novalidate>
            <Field label="Fuel" name="priceFuelType" errors=errors>
                <Select name="priceFuelType" value=fuel options=options errors=errors />
            </Field>
            <Field label="Price per unit" name="price" errors=errors>
                <TextInput name="price" value=price errors=errors inputmode="decimal" />
            </Field>
            <Submit label="Report price" busy_label="Sending…" busy=busy />
        </form>
    }
}

fn saved_input(s: &Station, favourite: bool) -> SavedStationInput {
    SavedStationInput {
        place_id: Some(s.place_id.clone()),
        name: Some(s.name.clone()),
        address: Some(s.address.clone()),
        latitude: Some(s.latitude),
        longitude: Some(s.longitude),
        nickname: s.nickname.clone(),
        is_favorite: Some(favourite),
        ..SavedStationInput::default()
    }
}

#[component]
fn StationRow(station: Station, metric: bool, reload: Callback<()>) -> impl IntoView {
    let c = ctx();
    let reporting = RwSignal::new(false);
    let s = StoredValue::new(station.clone());
    let save = move |favourite: bool| {
        let station = s.get_value();
        spawn_local(async move {
            let body = saved_input(&station, favourite);
            let result = if station.is_saved {
                calls::update_saved_station(&station.place_id, &body).await
            } else {
                calls::save_station(&body).await
            };
            match result {
                Ok(_) => {
                    c.success(if favourite {
                        "Added to favourites"
                    } else {
                        "Station saved"
                    });
                    reload.try_run(());
                }
                Err(e) => c.error(format!("Cannot save it: {e}")),
            }
        });
    };
    let title = station.nickname.clone().map_or_else(
        || station.name.clone(),
        |n| format!("{n} ({})", station.name),
    );
    let distance = station.distance_meters.map(|d| format::meters(d, metric));
    let place_id = station.place_id.clone();
    view! {
        <li class="station" data-place-id=station.place_id.clone() data-source=station.source.as_str()>
            <div class="station-head">
                <div>
                    <strong class="station-name">{title}</strong>
                    {station.is_favorite.then(|| view! { <span class="badge ok" title="Favourite">"★"</span> })}
                    {station.pending.then(|| view! { <span class="badge warn">"pending review"</span> })}
                    <div class="muted">{station.address.clone()}</div>
                </div>
                <div class="station-distance">{distance}</div>
            </div>
            <Prices prices=station.prices.clone() />
            <div class="actions">
                <a class="btn small" href=maps_link(&station) target="_blank" rel="noopener">"Open in maps"</a>
                {if station.is_saved {
                    view! { <span class="badge">"Saved"</span> }.into_any()
                } else {
                    view! { <button class="btn small" on:click=move |_| save(false)>"Save"</button> }.into_any()
                }}
                {(!station.is_favorite).then(|| view! {
                    <button class="btn small" on:click=move |_| save(true)>"☆ Favourite"</button>
                })}
                <button class="btn small" on:click=move |_| reporting.update(|r| *r = !*r)>"Report a price"</button>
            </div>
            <Show when=move || reporting.get()>
                <PriceForm place_id=place_id.clone() on_done=Callback::new(move |()| { reporting.set(false); reload.run(()); }) />
            </Show>
        </li>
    }
}

/// "Report a station": name, address, location (the search point to start with), brand, fuels.
#[component]
fn ReportStation(at: RwSignal<Option<(f64, f64)>>, on_done: Callback<()>) -> impl IntoView {
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

fn status_badge(status: CommunityStatus) -> (&'static str, &'static str) {
    match status {
        CommunityStatus::Pending => ("warn", "pending review"),
        CommunityStatus::Approved => ("ok", "approved"),
        CommunityStatus::Rejected => ("bad", "rejected"),
    }
}

#[component]
pub fn StationsPage() -> impl IntoView {
    let c = ctx();
    let metric = c.metric();
    let radius = RwSignal::new(if metric { "5000" } else { "8047" }.to_owned());
    let place = RwSignal::new(String::new());
    let at = RwSignal::new(None::<(f64, f64)>);
    let locating = RwSignal::new(true);
    let location_note = RwSignal::new(None::<String>);
    let results = RwSignal::new(None::<Result<(Vec<Station>, bool), String>>);
    let saved = RwSignal::new(None::<Result<Vec<SavedStation>, String>>);
    let mine = RwSignal::new(None::<Result<Vec<CommunityStation>, String>>);
    let reporting = RwSignal::new(false);

    // Also runs after awaits (the location prompt, a save): the page may be gone by then.
    let search = move || {
        let (Some(point), Some(query), Some(radius)) = (
            at.try_get_untracked(),
            place.try_get_untracked(),
            radius.try_get_untracked(),
        ) else {
            return;
        };
        let radius_m = radius.parse::<u32>().unwrap_or(5_000);
        if point.is_none() && query.trim().is_empty() {
            results.set(Some(Ok((Vec::new(), false))));
            return;
        }
        results.set(None);
        spawn_local(async move {
            results.set(Some(
                calls::search_stations(point, radius_m, &query)
                    .await
                    .map_err(|e| e.to_string()),
            ));
        });
    };
    let load_lists = move || {
        spawn_local(async move {
            saved.set(Some(
                calls::saved_stations().await.map_err(|e| e.to_string()),
            ));
            mine.set(Some(
                calls::my_station_reports().await.map_err(|e| e.to_string()),
            ));
        });
    };
    let reload = Callback::new(move |()| {
        search();
        load_lists();
    });
    spawn_local(async move {
        match crate::browser::current_position().await {
            Ok(p) => at.set(Some(p)),
            Err(why) => location_note.set(Some(format!(
                "Your location is not available ({why}). Type a place or a station name instead."
            ))),
        }
        locating.set(false);
        search();
    });
    load_lists();

    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        search();
    };
    let radius_options = Signal::derive(move || radii(metric));
    let unsave = move |place_id: String| {
        spawn_local(async move {
            match calls::delete_saved_station(&place_id).await {
                Ok(()) => {
                    c.success("Station removed");
                    reload.try_run(());
                }
                Err(e) => c.error(format!("Cannot remove it: {e}")),
            }
        });
    };
    view! {
        <section class="card stations">
            <h1>"Gas stations"</h1>
            <form class="station-search" on:submit=on_search>
                <div class="grid-2">
                    <div class="field">
                        <label for="place">"Place or station name"</label>
                        <input id="place" name="place" type="search" bind:value=place
                            placeholder=move || if at.get().is_some() { "Near you — or type a name" } else { "e.g. Shell Main St" } />
                    </div>
                    <div class="field">
                        <label for="radius">"Within"</label>
                        <Select name="radius" value=radius options=radius_options
                            on_change=Callback::new(move |_| search()) />
                    </div>
                </div>
                <div class="actions">
                    <button class="btn primary" type="submit">"Search"</button>
                    <Show when=move || at.get().is_some()>
                        <small class="muted" data-testid="located">"Using your location"</small>
                    </Show>
                </div>
            </form>
            {move || location_note.get().map(|n| view! { <p class="notice" data-testid="location-note">{n}</p> })}
            {move || match results.get() {
                _ if locating.get() => view! { <p class="muted">"Finding your location…"</p> }.into_any(),
                None => view! { <Skeleton lines=4 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok((list, degraded))) => view! {
                    {degraded.then(|| view! {
                        <p class="notice" data-testid="degraded">"Google Maps could not be asked just now: showing saved and community stations, and earlier results where there are some."</p>
                    })}
                    {if list.is_empty() {
                        view! { <Empty text="No stations found here. Try a larger radius, another place, or report a station below." /> }.into_any()
                    } else {
                        view! {
                            <ul class="station-list">
                                {list.into_iter().map(|s| view! { <StationRow station=s metric=metric reload=reload /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }.into_any(),
            }}
            <div class="actions">
                <button class="btn" on:click=move |_| reporting.update(|r| *r = !*r)>
                    {move || if reporting.get() { "Close the report" } else { "Report a station that is missing" }}
                </button>
            </div>
            <Show when=move || reporting.get()>
                <ReportStation at=at on_done=Callback::new(move |()| { reporting.set(false); reload.run(()); }) />
            </Show>
        </section>
        <section class="card">
            <h2>"Saved stations"</h2>
            {move || match saved.get() {
                None => view! { <Skeleton lines=2 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text="Save a station from the search to find it here and in the fill-up form." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="saved-list">
                        {list.into_iter().map(|s| {
                            let id = s.place_id.clone();
                            view! {
                                <li data-saved=s.place_id.clone()>
                                    <strong>{s.nickname.clone().unwrap_or_else(|| s.name.clone())}</strong>
                                    {s.is_favorite.then(|| view! { <span class="badge ok">"★"</span> })}
                                    <div class="muted">{s.address.clone()}</div>
                                    <Prices prices=s.prices.clone() />
                                    <button class="btn small" on:click=move |_| unsave(id.clone())>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        <section class="card">
            <h2>"Your reports"</h2>
            {move || match mine.get() {
                None => view! { <Skeleton lines=2 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text="Stations you report appear here with their review status." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="report-list">
                        {list.into_iter().map(|r| {
                            let (class, label) = status_badge(r.status);
                            view! {
                                <li data-report=r.place_id.clone()>
                                    <strong>{r.name.clone()}</strong>" "
                                    <span class=format!("badge {class}") data-status=r.status.as_str()>{label}</span>
                                    <div class="muted">{r.address.clone()}</div>
                                    {r.reason.clone().map(|why| view! { <small>{format!("Reason: {why}")}</small> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
