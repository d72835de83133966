//! The shell: start-up (runtime config, session restore), the router, the navigation bar, the guard
//! that sends signed-out visitors to sign-in with the page remembered, and the dark-mode switch.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

use crate::api::{calls, oidc, session};
use crate::browser;
use crate::components::ui::Toasts;
use crate::pages;
use crate::state::{ctx, Ctx};

#[component]
pub fn App() -> impl IntoView {
    let c = Ctx::new();
    provide_context(c);
    // Dark mode follows the preference (and the system until preferences load).
    Effect::new(move |_| {
        let dark = match c.prefs.get() {
            Some(p) => p.dark_mode,
            None => web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .map(|m| m.matches())
                .unwrap_or(false),
        };
        browser::set_dark(dark);
    });
    // Whenever a session starts: has the user accepted the current terms? Then the preferences.
    Effect::new(move |_| {
        if c.signed_in.get() {
            spawn_local(async move {
                // A failed status check lets the pages try: the API itself holds the door.
                let status = calls::user_status().await.ok();
                let accepted = status.as_ref().is_none_or(|s| s.terms_accepted);
                c.is_admin
                    .set(Some(status.as_ref().is_some_and(|s| s.is_admin)));
                c.terms_ok.set(Some(accepted));
                if accepted {
                    load_prefs(c).await;
                }
            });
        } else {
            c.prefs.set(None);
            c.terms_ok.set(None);
            c.is_admin.set(None);
        }
    });
    view! {
        <Router>
            <Boot />
            <a class="skip" href="#main">"Skip to content"</a>
            <Nav />
            <main id="main" class="container">
                <Routes fallback=|| view! { <pages::misc::NotFound /> }>
                    <Route path=path!("/sign-in") view=pages::auth::SignIn />
                    <Route path=path!("/sign-up") view=pages::auth::SignUp />
                    <Route path=path!("/verify-email") view=pages::auth::VerifyEmail />
                    <Route path=path!("/forgot-password") view=pages::password::ForgotPassword />
                    <Route path=path!("/reset-password") view=pages::password::ResetPassword />
                    <Route path=path!("/callback") view=pages::auth::OidcCallback />
                    <Route path=path!("/terms") view=pages::misc::Terms />
                    <Route path=path!("/accept-terms") view=pages::terms::AcceptTerms />
                    <Route path=path!("/") view=|| view! { <Protected><pages::dashboard::Dashboard /></Protected> } />
                    <Route path=path!("/onboarding") view=|| view! { <Protected><pages::onboarding::Onboarding /></Protected> } />
                    <Route path=path!("/vehicles") view=|| view! { <Protected><pages::vehicles::VehicleList /></Protected> } />
                    <Route path=path!("/vehicles/new") view=|| view! { <Protected><pages::vehicle_form::NewVehicle /></Protected> } />
                    <Route path=path!("/vehicles/:id") view=|| view! { <Protected><pages::vehicle_detail::VehicleDetail /></Protected> } />
                    <Route path=path!("/vehicles/:id/edit") view=|| view! { <Protected><pages::vehicle_form::EditVehicle /></Protected> } />
                    <Route path=path!("/vehicles/:id/fuel/new") view=|| view! { <Protected><pages::fuel_form::FuelForm /></Protected> } />
                    <Route path=path!("/vehicles/:id/fuel/:log/edit") view=|| view! { <Protected><pages::fuel_form::FuelForm /></Protected> } />
                    <Route path=path!("/preferences") view=|| view! { <Protected><pages::preferences::Preferences /></Protected> } />
                    <Route path=path!("/profile") view=|| view! { <Protected><pages::profile::ProfilePage /></Protected> } />
                    <Route path=path!("/your-data") view=|| view! { <Protected><pages::your_data::YourDataPage /></Protected> } />
                    <Route path=path!("/documents") view=|| view! { <Protected><pages::documents::DocumentsPage /></Protected> } />
                    <Route path=path!("/stations") view=|| view! { <Protected><pages::stations::StationsPage /></Protected> } />
                    <Route path=path!("/notifications") view=|| view! { <Protected><pages::notifications::NotificationCentre /></Protected> } />
                    <Route path=path!("/admin") view=|| view! { <Protected><pages::admin::AdminPage /></Protected> } />
                </Routes>
            </main>
            <Toasts />
        </Router>
    }
}

/// Goes to sign-in remembering the current page (once: both the guard and the session's 401 handler
/// call this, and the second call finds the browser already there).
/// Loads the preferences pages wait for (time zone, units); on failure they get the defaults.
pub async fn load_prefs(c: Ctx) {
    match calls::preferences().await {
        Ok(p) => c.prefs.set(Some(p)),
        Err(e) => {
            if e.status != 401 {
                c.error(format!("Cannot load your preferences: {e}"));
            }
            c.prefs.set(Some(crate::state::default_prefs()));
        }
    }
}

fn to_sign_in(navigate: &impl Fn(&str, leptos_router::NavigateOptions)) {
    let next = browser::current_path();
    if !next.starts_with("/sign-in") {
        navigate(
            &format!("/sign-in?next={}", crate::api::enc(&next)),
            Default::default(),
        );
    }
}

/// Loads the runtime config, wires the session to the UI and restores a session after a reload.
#[component]
fn Boot() -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    session::set_listeners(
        move |signed_in| c.signed_in.set(signed_in),
        move || to_sign_in(&navigate),
    );
    spawn_local(async move {
        match calls::config().await {
            Ok(cfg) => {
                oidc::configure(&cfg);
                c.config.set(Some(cfg));
            }
            Err(e) => c.error(format!("Cannot load the configuration: {e}")),
        }
        if session::refresh_token().is_some() {
            session::refresh().await;
        }
        c.ready.set(true);
    });
}

/// Renders its children only with a session and its preferences (forms read the time zone and units
/// when they are built); without a session it goes to sign-in, remembering the page.
#[component]
fn Protected(children: ChildrenFn) -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if c.ready.get() && !c.signed_in.get() {
            to_sign_in(&navigate);
        } else if c.ready.get() && c.terms_ok.get() == Some(false) {
            let next = browser::current_path();
            navigate(
                &format!("/accept-terms?next={}", crate::api::enc(&next)),
                Default::default(),
            );
        }
    });
    view! {
        <Show
            when=move || {
                c.ready.get()
                    && c.signed_in.get()
                    && c.terms_ok.get() == Some(true)
                    && c.prefs.with(Option::is_some)
            }
            fallback=|| view! { <crate::components::ui::Skeleton lines=4 /> }
        >
            {children()}
        </Show>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if !session::sign_out().await {
                navigate("/sign-in", Default::default());
            }
        });
    };
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                    <path d="M3 15 L6 9 Q7 7 10 7 L15 7 Q18 7 19 9 L21 15 Z" fill="currentColor"></path>
                    <circle cx="7" cy="16" r="2.5" fill="currentColor"></circle>
                    <circle cx="17" cy="16" r="2.5" fill="currentColor"></circle>
                </svg>
                <span>"MotoVaultPro"</span>
            </A>
            <Show when=move || c.signed_in.get()>
                <crate::components::bell::Bell />
                <nav aria-label="Main">
                    <A href="/" exact=true>"Dashboard"</A>
                    <A href="/vehicles">"Vehicles"</A>
                    <A href="/documents">"Documents"</A>
                    <A href="/stations">"Stations"</A>
                    <A href="/preferences">"Preferences"</A>
                    <A href="/profile">"Profile"</A>
                    <Show when=move || c.is_admin.get() == Some(true)>
                        <A href="/admin">"Admin"</A>
                    </Show>
                    <button class="btn link" on:click=sign_out.clone()>"Sign out"</button>
                </nav>
            </Show>
        </header>
    }
}
