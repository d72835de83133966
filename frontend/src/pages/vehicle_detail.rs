//! One vehicle: its header (photo, facts, edit, delete with confirmation) and the tabs — fuel logs,
//! fuel charts, maintenance. The tab is in the query (`?tab=charts`) so it survives a reload; the
//! tabs are plain links (`aria-current` on the open one), so they work with the keyboard and history.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use mvp_types::ids::VehicleId;

use crate::api::calls;
use crate::components::ui::{vehicle_name, Confirm, LoadError, Odometer, Skeleton, VehiclePhoto};
use crate::pages::fuel_tab::{ChartsTab, FuelTab};
use crate::pages::maintenance_tab::MaintenanceTab;
use crate::state::ctx;

#[component]
pub fn VehicleDetail() -> impl IntoView {
    let c = ctx();
    let params = use_params_map();
    let query = use_query_map();
    let navigate = use_navigate();
    let id = Memo::new(move |_| {
        params
            .get()
            .get("id")
            .and_then(|s| s.parse::<VehicleId>().ok())
    });
    let tab = Memo::new(move |_| query.get().get("tab").unwrap_or_else(|| "fuel".to_owned()));
    let vehicle = LocalResource::new(move || {
        let id = id.get();
        let _ = c.prefs.get();
        async move {
            match id {
                Some(id) => calls::vehicle(id).await,
                None => Err(crate::api::ApiError {
                    status: 404,
                    code: None,
                    message: "No such vehicle".to_owned(),
                    details: Vec::new(),
                }),
            }
        }
    });
    let confirm_open = RwSignal::new(false);
    let nav = navigate.clone();
    let on_delete = Callback::new(move |_| {
        let Some(id) = id.get_untracked() else { return };
        let nav = nav.clone();
        spawn_local(async move {
            match calls::delete_vehicle(id).await {
                Ok(()) => {
                    c.success("Vehicle deleted");
                    nav("/vehicles", Default::default());
                }
                Err(e) => c.error(e.to_string()),
            }
        });
    });
    let tab_link = move |key: &'static str, label: &'static str| {
        view! {
            <A
                href=move || format!("/vehicles/{}?tab={key}", id.get().map(|i| i.to_string()).unwrap_or_default())
                attr:aria-current=move || (tab.get() == key).then_some("page")
                attr:class=move || if tab.get() == key { "tab active" } else { "tab" }
            >
                {label}
            </A>
        }
    };
    view! {
        {move || match vehicle.get() {
            None => view! { <Skeleton lines=5 /> }.into_any(),
            Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
            Some(Ok(v)) => {
                let name = vehicle_name(&v);
                let confirm_text = format!("Delete {name}? Its fill-ups and maintenance records go with it.");
                let vid = v.id;
                view! {
                    <section class="card vehicle-head">
                        <VehiclePhoto vehicle=v.clone() class="photo" />
                        <div class="grow">
                            <h1>{name.clone()}</h1>
                            <p class="muted">
                                {format!("{} {} {}", v.year, v.make, v.model)}
                                {v.trim_level.clone().map(|t| format!(" · {t}"))}
                                {v.engine.clone().map(|t| format!(" · {t}"))}
                            </p>
                            <p>
                                <span data-testid="vehicle-odometer"><Odometer reading=v.odometer_reading /></span>
                                {v.vin.clone().map(|vin| view! { <span class="muted">" · VIN " {vin}</span> })}
                            </p>
                        </div>
                        <div class="actions">
                            <A href=format!("/vehicles/{vid}/edit") attr:class="btn">"Edit"</A>
                            <button class="btn danger" on:click=move |_| confirm_open.set(true)>"Delete"</button>
                        </div>
                    </section>
                    <Confirm
                        open=confirm_open
                        title="Delete this vehicle?"
                        message=Signal::derive(move || confirm_text.clone())
                        confirm_label="Delete"
                        on_confirm=on_delete
                    />
                    <nav class="tabs" aria-label="Vehicle sections">
                        {tab_link("fuel", "Fuel logs")}
                        {tab_link("charts", "Charts")}
                        {tab_link("maintenance", "Maintenance")}
                        {tab_link("documents", "Documents")}
                    </nav>
                    <div class="tab-panel">
                        {move || match tab.get().as_str() {
                            "charts" => view! { <ChartsTab vehicle_id=vid /> }.into_any(),
                            "maintenance" => view! { <MaintenanceTab vehicle_id=vid /> }.into_any(),
                            "documents" => view! { <crate::pages::documents::DocumentsTab vehicle=v.clone() /> }.into_any(),
                            _ => view! { <FuelTab vehicle_id=vid /> }.into_any(),
                        }}
                    </div>
                }.into_any()
            }
        }}
    }
}
