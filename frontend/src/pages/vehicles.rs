//! The vehicle list: a card per vehicle linking to its detail page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::calls;
use crate::components::ui::{vehicle_name, Empty, LoadError, Odometer, Skeleton, VehiclePhoto};
use crate::state::ctx;

#[component]
pub fn VehicleList() -> impl IntoView {
    let c = ctx();
    let vehicles = LocalResource::new(move || {
        let _ = c.prefs.get();
        calls::vehicles()
    });
    view! {
        <div class="page-head">
            <h1>"Vehicles"</h1>
            <A href="/vehicles/new" attr:class="btn primary">"Add vehicle"</A>
        </div>
        {move || match vehicles.get() {
            None => view! { <Skeleton lines=4 /> }.into_any(),
            Some(Err(e)) => view! { <LoadError message=e.to_string() /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <Empty text="No vehicles yet — add the first.">
                    <A href="/vehicles/new" attr:class="btn primary">"Add vehicle"</A>
                </Empty>
            }.into_any(),
            Some(Ok(list)) => {
                view! {
                    <ul class="cards">
                        {list.into_iter().map(|v| {
                            let href = format!("/vehicles/{}", v.id);
                            let sub = format!("{} {} {}", v.year, v.make, v.model);
                            view! {
                                <li class="card vehicle-card">
                                    <A href=href>
                                        <VehiclePhoto vehicle=v.clone() />
                                        <div>
                                            <h2>{vehicle_name(&v)}</h2>
                                            <p class="muted">{sub}</p>
                                            <p><Odometer reading=v.odometer_reading /></p>
                                        </div>
                                    </A>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
    }
}
