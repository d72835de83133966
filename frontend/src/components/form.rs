//! Form building blocks. Field errors are keyed by the API's field names (`odometerReading`), so a
//! 400's `details` land next to the right input, whichever side found the problem.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::api::ApiError;

/// The error line of each field of one form.
#[derive(Clone, Copy)]
pub struct Errors(RwSignal<BTreeMap<String, String>>);

impl Errors {
    pub fn new() -> Self {
        Self(RwSignal::new(BTreeMap::new()))
    }

    pub fn get(&self, field: &str) -> Option<String> {
        self.0.with(|m| m.get(field).cloned())
    }

    pub fn clear(&self) {
        self.0.set(BTreeMap::new());
    }

    pub fn set(&self, errors: BTreeMap<String, String>) {
        self.0.set(errors);
    }

    pub fn is_empty(&self) -> bool {
        self.0.with(BTreeMap::is_empty)
    }

    /// Puts the API's `details` next to their fields; true when there were any.
    pub fn show_api(&self, error: &ApiError) -> bool {
        let map: BTreeMap<String, String> = error
            .details
            .iter()
            .map(|d| (d.field.clone(), d.message.clone()))
            .collect();
        let any = !map.is_empty();
        self.0.set(map);
        any
    }
}

/// A labelled field: the label, the control (children, whose `id` must be `name`), a hint and the
/// error line, which is announced to screen readers.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    errors: Errors,
    #[prop(optional)] hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:invalid=move || errors.get(name).is_some() data-field=name>
            <label for=name>{label}</label>
            {children()}
            {hint.map(|h| view! { <small class="hint">{h}</small> })}
            <p class="field-error" id=format!("{name}-error") aria-live="polite">
                {move || errors.get(name)}
            </p>
        </div>
    }
}

/// A text-like input bound to a signal.
#[component]
pub fn TextInput(
    name: &'static str,
    value: RwSignal<String>,
    errors: Errors,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] step: &'static str,
) -> impl IntoView {
    view! {
        <input
            id=name
            name=name
            type=kind
            placeholder=placeholder
            autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
            inputmode=(!inputmode.is_empty()).then_some(inputmode)
            step=(!step.is_empty()).then_some(step)
            aria-invalid=move || if errors.get(name).is_some() { "true" } else { "false" }
            aria-describedby=format!("{name}-error")
            bind:value=value
        />
    }
}

/// A `<select>` whose options may arrive later; the chosen value stays selected when they do.
#[component]
pub fn Select(
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] errors: Option<Errors>,
    /// Runs after the user picks a value (not when the value is set by code).
    #[prop(optional)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    view! {
        <select
            id=name
            name=name
            disabled=move || disabled.get()
            aria-invalid=move || {
                if errors.and_then(|e| e.get(name)).is_some() { "true" } else { "false" }
            }
            aria-describedby=format!("{name}-error")
            on:change=move |ev| {
                let v = event_target_value(&ev);
                value.set(v.clone());
                if let Some(f) = on_change {
                    f.run(v);
                }
            }
        >
            {(!placeholder.is_empty())
                .then(|| {
                    view! {
                        <option value="" selected=move || value.get().is_empty()>
                            {placeholder}
                        </option>
                    }
                })}
            {move || {
                let current = value.get();
                let mut opts = options.get();
                if !current.is_empty() && !opts.iter().any(|(v, _)| *v == current) {
                    opts.insert(0, (current.clone(), current.clone()));
                }
                opts.into_iter()
                    .map(|(v, label)| {
                        let selected = v == current;
                        view! { <option value=v prop:selected=selected>{label}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}

/// A checkbox with its label beside it.
#[component]
pub fn Check(name: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="check" for=name>
            <input id=name name=name type="checkbox" bind:checked=value />
            <span>{label}</span>
        </label>
    }
}

/// The submit button: disabled and saying so while the form is being sent.
#[component]
pub fn Submit(
    label: &'static str,
    busy_label: &'static str,
    busy: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <button type="submit" class="btn primary" disabled=move || busy.get() aria-busy=move || busy.get().to_string()>
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}

/// A form-level error (one not tied to a field).
#[component]
pub fn FormError(message: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <div class="form-error" role="alert">{move || message.get()}</div>
        </Show>
    }
}
