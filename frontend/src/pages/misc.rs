//! The not-found page and the terms of service text the sign-up form links to.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <A href="/">"Back to the dashboard"</A>
        </section>
    }
}

#[component]
pub fn Terms() -> impl IntoView {
    view! {
        <article class="card narrow prose">
            <h1>"Terms of service"</h1>
            <p>
                "MotoVaultPro keeps the records you enter about your vehicles: fill-ups, maintenance, "
                "documents and photos. Your data is yours: you can export it at any time and delete your "
                "account. We do not sell or share it."
            </p>
            <p>
                "The service is provided as is. Reminders are a convenience, not a guarantee: check your "
                "vehicle's manual for the maintenance it needs."
            </p>
            <p>"When you sign up we record the time, your IP address and browser with your acceptance."</p>
            <A href="/sign-up">"Back to sign-up"</A>
        </article>
    }
}

/// An address the signed-in user may not open (the admin area for a non-admin).
#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <section class="card narrow" data-testid="forbidden">
            <h1>"Not allowed"</h1>
            <p>"This part of MotoVaultPro is for administrators. Ask one to give you access if you need it."</p>
            <A href="/">"Back to the dashboard"</A>
        </section>
    }
}
