//! Gas stations: search near the device's location (or a typed place), within a chosen radius,
//! nearest first with distance in the user's units, the latest prices and an "open in maps" link;
//! save and favourite a station, report a price, report a station search does not know; the user's
//! saved stations and their reports with their review status.
//! One search result is in station_row.rs, the station report form in station_report.rs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::station::{CommunityStation, CommunityStatus, SavedStation, Station};

use crate::api::calls;
use crate::components::form::Select;
use crate::components::ui::{Empty, LoadError, Skeleton};
use crate::pages::station_report::ReportStation;
use crate::pages::station_row::{Prices, StationRow};
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
