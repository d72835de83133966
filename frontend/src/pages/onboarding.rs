//! Onboarding after the first sign-in: preferences, the first vehicle (or skip), done.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::calls;
use crate::pages::preferences::{starting_prefs, PreferencesForm};
use crate::pages::vehicle_form::VehicleForm;
use crate::state::ctx;

#[component]
pub fn Onboarding() -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    let step = RwSignal::new(1u8);
    let finishing = RwSignal::new(false);
    let finish = move || {
        finishing.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match calls::onboarding_complete().await {
                Ok(_) => {
                    c.success("You're all set");
                    navigate("/", Default::default());
                }
                Err(e) => c.error(e.to_string()),
            }
            finishing.set(false);
        });
    };
    let finish2 = finish.clone();
    view! {
        <section class="card onboarding">
            <ol class="steps" aria-label="Onboarding steps">
                <li class:current=move || step.get() == 1>"Preferences"</li>
                <li class:current=move || step.get() == 2>"First vehicle"</li>
                <li class:current=move || step.get() == 3>"Done"</li>
            </ol>
            {move || match step.get() {
                1 => view! {
                    <h1>"Welcome to MotoVaultPro"</h1>
                    <p class="muted">"How should we show distances, fuel and money?"</p>
                    <PreferencesForm
                        initial=starting_prefs(c.prefs.get_untracked())
                        onboarding=true
                        submit_label="Continue"
                        on_saved=Callback::new(move |_| step.set(2))
                    />
                }.into_any(),
                2 => view! {
                    <h1>"Add your first vehicle"</h1>
                    <VehicleForm existing=None submit_label="Add vehicle" on_saved=Callback::new(move |_| step.set(3)) />
                    <button class="btn link" on:click=move |_| step.set(3)>"Skip for now"</button>
                }.into_any(),
                _ => {
                    let finish = finish2.clone();
                    view! {
                        <h1>"All set"</h1>
                        <p>"Your dashboard shows each vehicle, its economy and the maintenance that is due."</p>
                        <button class="btn primary" on:click=move |_| finish() disabled=move || finishing.get()>
                            "Go to the dashboard"
                        </button>
                    }.into_any()
                }
            }}
        </section>
    }
}
