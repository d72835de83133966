//! Preferences (units, economy unit, currency, time zone, dark mode). Saving replaces the preferences
//! in the app state, and every screen re-reads its numbers in the new units.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::user::{UnitSystem, UpdatePreferences, UserPreferences};
use serde_json::Value;

use crate::api::calls;
use crate::browser;
use crate::components::form::{Check, Errors, Field, FormError, Select, Submit};
use crate::components::ui::Skeleton;
use crate::state::{ctx, default_prefs};

pub const CURRENCIES: &[&str] = &[
    "USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY",
    "INR", "MXN", "BRL", "ZAR", "KRW",
];

/// The body of a preferences update from the form's values.
pub fn preferences_body(
    unit_system: &str,
    efficiency: &str,
    currency: &str,
    zone: &str,
    dark: bool,
) -> UpdatePreferences {
    UpdatePreferences {
        unit_system: Some(Value::from(unit_system)),
        currency_code: Some(Value::from(currency)),
        time_zone: Some(Value::from(zone)),
        dark_mode: Some(Value::from(dark)),
        efficiency_unit: Some(Value::from(if efficiency.is_empty() {
            "auto"
        } else {
            efficiency
        })),
    }
}

/// The preference fields; `onboarding` posts to the onboarding route instead.
#[component]
pub fn PreferencesForm(
    initial: UserPreferences,
    on_saved: Callback<UserPreferences>,
    #[prop(default = false)] onboarding: bool,
    #[prop(default = "Save preferences")] submit_label: &'static str,
) -> impl IntoView {
    let c = ctx();
    let unit_system = RwSignal::new(initial.unit_system.as_str().to_owned());
    let efficiency = RwSignal::new(initial.efficiency_unit.clone().unwrap_or_default());
    let currency = RwSignal::new(initial.currency_code.clone());
    let zone = RwSignal::new(initial.time_zone.clone());
    let dark = RwSignal::new(initial.dark_mode);
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let systems = Signal::derive(|| {
        vec![
            (
                "imperial".to_owned(),
                "Imperial (miles, US gallons)".to_owned(),
            ),
            (
                "metric".to_owned(),
                "Metric (kilometres, litres)".to_owned(),
            ),
        ]
    });
    let efficiencies = Signal::derive(|| {
        vec![
            (String::new(), "Usual for the unit system".to_owned()),
            ("mpg".to_owned(), "mpg".to_owned()),
            ("l_per_100km".to_owned(), "L/100 km".to_owned()),
            ("km_per_l".to_owned(), "km/L".to_owned()),
        ]
    });
    let currencies = Signal::derive(|| {
        CURRENCIES
            .iter()
            .map(|c| ((*c).to_owned(), (*c).to_owned()))
            .collect::<Vec<_>>()
    });
    let zones = Signal::derive(browser::time_zone_choices);
    // A system change resets an explicit economy unit of the other system to the usual one.
    let on_system = Callback::new(move |_| efficiency.set(String::new()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        errors.clear();
        let body = preferences_body(
            &unit_system.get_untracked(),
            &efficiency.get_untracked(),
            &currency.get_untracked(),
            &zone.get_untracked(),
            dark.get_untracked(),
        );
        busy.set(true);
        spawn_local(async move {
            let result = if onboarding {
                match calls::onboarding_preferences(&body).await {
                    Ok(_) => calls::preferences().await,
                    Err(e) => Err(e),
                }
            } else {
                calls::update_preferences(&body).await
            };
            match result {
                Ok(p) => {
                    c.prefs.set(Some(p.clone()));
                    if !onboarding {
                        c.success("Preferences saved");
                    }
                    on_saved.try_run(p);
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
        <form class="prefs-form" on:submit=on_submit novalidate>
            <FormError message=form_error />
            <div class="grid-2">
                <Field label="Units" name="unitSystem" errors=errors>
                    <Select name="unitSystem" value=unit_system options=systems errors=errors on_change=on_system />
                </Field>
                <Field label="Fuel economy shown as" name="efficiencyUnit" errors=errors>
                    <Select name="efficiencyUnit" value=efficiency options=efficiencies errors=errors />
                </Field>
                <Field label="Currency" name="currencyCode" errors=errors>
                    <Select name="currencyCode" value=currency options=currencies errors=errors />
                </Field>
                <Field label="Time zone" name="timeZone" errors=errors>
                    <Select name="timeZone" value=zone options=zones errors=errors />
                </Field>
            </div>
            <Check name="darkMode" label="Dark mode" value=dark />
            <Submit label=submit_label busy_label="Saving…" busy=busy />
        </form>
    }
}

#[component]
pub fn Preferences() -> impl IntoView {
    let c = ctx();
    view! {
        <section class="card narrow">
            <h1>"Preferences"</h1>
            {move || match c.prefs.get() {
                None => view! { <Skeleton lines=4 /> }.into_any(),
                Some(p) => view! { <PreferencesForm initial=p on_saved=Callback::new(|_| ()) /> }.into_any(),
            }}
        </section>
        <section class="card narrow">
            <h2>"Your data"</h2>
            <p class="muted">"Download everything, import from LubeLogger, Fuelly, Fuelio or a spreadsheet, or delete your account."</p>
            <a class="btn" href="/your-data" data-testid="your-data-link">"Your data"</a>
        </section>
    }
}

/// Preferences for onboarding: what is stored, or the browser's zone and imperial units.
pub fn starting_prefs(current: Option<UserPreferences>) -> UserPreferences {
    current.unwrap_or_else(|| UserPreferences {
        unit_system: UnitSystem::Imperial,
        ..default_prefs()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_names_every_field_and_auto_for_the_usual_unit() {
        let body = preferences_body("metric", "", "EUR", "Europe/Berlin", true);
        let json = serde_json::to_value(&body).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"unitSystem":"metric","currencyCode":"EUR","timeZone":"Europe/Berlin",
                "darkMode":true,"efficiencyUnit":"auto"})
        );
    }
}
