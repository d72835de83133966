//! The terms gate's page: a signed-in user who has not accepted the current terms version (an OIDC
//! sign-up at the identity provider, or anyone after the terms changed) reads and accepts them here
//! before any data page opens; then on to where they were going (onboarding first if not done).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::calls;
use crate::components::form::FormError;
use crate::pages::auth::{after_sign_in, safe_next};
use crate::state::ctx;

#[component]
pub fn AcceptTerms() -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    let accept = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    let next = move || safe_next(crate::browser::query_param("next"));
    let version = move || {
        c.config
            .get()
            .map(|cfg| cfg.terms_version)
            .unwrap_or_default()
    };
    // Not signed in: sign in first, then come back here through the gate.
    let to_sign_in = navigate.clone();
    Effect::new(move |_| {
        if c.ready.get() && !c.signed_in.get() {
            to_sign_in("/sign-in", Default::default());
        }
    });
    // Ticking the box answers the "tick the box" message.
    Effect::new(move |_| {
        if accept.get() {
            form_error.set(None);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !accept.get_untracked() {
            form_error.set(Some("Tick the box to accept the terms.".to_owned()));
            return;
        }
        form_error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match calls::accept_terms(&version()).await {
                Ok(()) => {
                    c.terms_ok.set(Some(true));
                    crate::app::load_prefs(c).await;
                    let to = after_sign_in(next()).await;
                    navigate(&to, Default::default());
                }
                Err(e) => form_error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <h1>"Terms of service"</h1>
            <p>
                "Before you continue, please read the "
                <A href="/terms" attr:target="_blank" attr:rel="noopener">"terms of service"</A>
                {move || format!(" (version {}).", version())}
            </p>
            <form on:submit=on_submit novalidate>
                <FormError message=form_error />
                <div class="field">
                    <label class="check" for="acceptCurrentTerms">
                        <input id="acceptCurrentTerms" type="checkbox" bind:checked=accept />
                        <span>"I have read and accept the terms of service"</span>
                    </label>
                </div>
                <button class="btn primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Saving…" } else { "Accept and continue" }}
                </button>
            </form>
        </section>
    }
}
