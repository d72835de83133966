//! Small presentational components: skeletons, empty states, toasts, status badges, the confirmation
//! dialog and the vehicle photo (fetched with the token, shown from an object URL).

use leptos::prelude::*;
use mvp_types::vehicle::Vehicle;

use crate::api::calls;
use crate::state::{ctx, ToastKind};

/// Grey placeholder blocks while data loads.
#[component]
pub fn Skeleton(#[prop(default = 3)] lines: usize) -> impl IntoView {
    view! {
        <div class="skeleton-block" aria-busy="true" aria-label="Loading">
            {(0..lines).map(|_| view! { <div class="skeleton"></div> }).collect_view()}
        </div>
    }
}

/// What a list says when it has nothing yet, with the way to add the first item.
#[component]
pub fn Empty(text: &'static str, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="empty">
            <p>{text}</p>
            {children.map(|c| c())}
        </div>
    }
}

/// A failed load: the message and a way to try again (`retry`, else reloading the page).
#[component]
pub fn LoadError(message: String, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    let again = move |_| match retry {
        Some(retry) => retry.run(()),
        None => reload_page(),
    };
    view! {
        <div class="form-error load-error" role="alert">
            <span>{message}</span>
            " "
            <button type="button" class="btn small" on:click=again>"Try again"</button>
        </div>
    }
}

/// Loads the current page afresh (the session survives: its refresh token is in sessionStorage).
pub fn reload_page() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

#[component]
pub fn Toasts() -> impl IntoView {
    let c = ctx();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || c.toasts.get() key=|t| t.id let:t>
                <div class=match t.kind {
                    ToastKind::Success => "toast success",
                    ToastKind::Error => "toast error",
                }>{t.text.clone()}</div>
            </For>
        </div>
    }
}

/// `ok` / `due_soon` / `overdue` with its colour.
#[component]
pub fn StatusBadge(status: mvp_types::maintenance::ScheduleStatus) -> impl IntoView {
    use mvp_types::maintenance::ScheduleStatus;
    let (class, text) = match status {
        ScheduleStatus::Overdue => ("badge overdue", "Overdue"),
        ScheduleStatus::DueSoon => ("badge due-soon", "Due soon"),
        ScheduleStatus::Ok => ("badge ok", "OK"),
    };
    view! { <span class=class data-status=status.as_str()>{text}</span> }
}

/// A modal confirmation. `open` shows it; `on_confirm` runs when the user agrees.
#[component]
pub fn Confirm(
    open: RwSignal<bool>,
    title: &'static str,
    #[prop(into)] message: Signal<String>,
    confirm_label: &'static str,
    on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <div
                class="modal-backdrop"
                on:click=move |_| open.set(false)
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        open.set(false);
                    }
                }
            >
                <div
                    class="modal"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="confirm-title"
                    on:click=|ev| ev.stop_propagation()
                >
                    <h2 id="confirm-title">{title}</h2>
                    <p>{move || message.get()}</p>
                    <div class="actions">
                        <button class="btn" autofocus on:click=move |_| open.set(false)>
                            "Cancel"
                        </button>
                        <button
                            class="btn danger"
                            on:click=move |_| {
                                open.set(false);
                                on_confirm.run(());
                            }
                        >
                            {confirm_label}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// The vehicle's photo or a drawn placeholder.
#[component]
pub fn VehiclePhoto(
    vehicle: Vehicle,
    #[prop(default = "thumb")] class: &'static str,
) -> impl IntoView {
    let id = vehicle.id;
    let has_image = vehicle.has_image;
    let alt = format!("{} {} {}", vehicle.year, vehicle.make, vehicle.model);
    let url = LocalResource::new(move || async move {
        if has_image {
            // Cards show the thumbnail; the detail page the photo itself.
            calls::vehicle_image_url(id, class == "thumb").await.ok()
        } else {
            None
        }
    });
    on_cleanup(move || {
        if let Some(Some(object_url)) = url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&object_url);
        }
    });
    view! {
        {move || match url.get().flatten() {
            Some(src) => view! { <img class=class src=src alt=alt.clone() /> }.into_any(),
            None => view! {
                <div class=format!("{class} placeholder") aria-hidden="true">
                    <svg viewBox="0 0 64 40" width="64" height="40">
                        <path d="M6 28 L12 16 Q14 12 20 12 L44 12 Q50 12 52 16 L58 28 Z" fill="currentColor" opacity="0.35"></path>
                        <circle cx="18" cy="30" r="6" fill="currentColor"></circle>
                        <circle cx="46" cy="30" r="6" fill="currentColor"></circle>
                    </svg>
                </div>
            }.into_any(),
        }}
    }
}

/// The display name of a vehicle: its nickname, or year make model.
pub fn vehicle_name(v: &Vehicle) -> String {
    match v.nickname.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(n) => n.to_owned(),
        None => format!("{} {} {}", v.year, v.make, v.model),
    }
}

/// A vehicle's odometer in the user's current unit. The API stores every reading with the unit it
/// was typed in and shows it converted, so the vehicle's own reading is always in the unit named.
#[component]
pub fn Odometer(reading: i64) -> impl IntoView {
    let c = ctx();
    move || {
        let unit = if c.metric() { "km" } else { "mi" };
        crate::format::distance(reading.into(), unit)
    }
}
