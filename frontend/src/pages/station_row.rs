//! One station in the search results (stations.rs): distance, latest prices (also shown for saved
//! stations), an "open in maps" link, save and favourite, and the inline form that reports a price.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::station::{
    PriceReportInput, SavedStationInput, Station, StationPrice, StationSource, STATION_FUEL_TYPES,
};

use crate::api::calls;
use crate::components::form::{Errors, Field, Select, Submit, TextInput};
use crate::format;
use crate::pages::vehicle_draft::capitalise;
use crate::state::ctx;

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
pub(super) fn Prices(prices: Vec<StationPrice>) -> impl IntoView {
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
pub(super) fn StationRow(station: Station, metric: bool, reload: Callback<()>) -> impl IntoView {
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
