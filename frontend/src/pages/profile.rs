//! The profile page: display name and notification e-mail; the reminder channels (e-mail on/off,
//! an ntfy topic, a signed webhook, how early documents count as expiring) with a test-message
//! button; and the calendar feed's secret address with a copy button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::notification::{NotificationSettings, UpdateNotificationSettings};
use mvp_types::user::{UpdateProfile, UserProfile};

use crate::api::calls;
use crate::components::form::{Check, Errors, Field, FormError, Submit, TextInput};
use crate::components::ui::{Confirm, LoadError, Skeleton};
use crate::state::ctx;

/// An optional text field's value for the API: blank means none.
fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let c = crate::state::ctx();
    let profile = RwSignal::new(None::<Result<UserProfile, String>>);
    let settings = RwSignal::new(None::<Result<NotificationSettings, String>>);
    spawn_local(async move {
        profile.set(Some(calls::profile().await.map_err(|e| e.to_string())));
        settings.set(Some(
            calls::notification_settings()
                .await
                .map_err(|e| e.to_string()),
        ));
    });
    view! {
        <section class="card narrow">
            <h1>"Profile"</h1>
            {move || match profile.get() {
                None => view! { <Skeleton lines=3 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(p)) => view! { <ProfileForm initial=p settings=settings /> }.into_any(),
            }}
        </section>
        <section class="card narrow">
            <h2>"Reminders"</h2>
            {move || match settings.get() {
                None => view! { <Skeleton lines=4 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(s)) => view! { <SettingsForm initial=s settings=settings /> }.into_any(),
            }}
        </section>
        <section class="card narrow">
            <h2>"Calendar"</h2>
            <CalendarFeed />
        </section>
        <section class="card narrow">
            <h2>"Your data"</h2>
            <p class="muted">"Export, import from another app, or delete your account."</p>
            <a class="btn" href="/your-data">"Your data"</a>
        </section>
        {move || {
            let local = c.config.get().is_some_and(|cfg| cfg.auth_provider == "local");
            let email = profile.get().and_then(Result::ok).and_then(|p| p.email);
            match (local, email) {
                (true, Some(email)) => Some(view! {
                    <section class="card narrow">
                        <h2>"Password"</h2>
                        <crate::pages::password::ChangePassword email=email />
                    </section>
                }),
                _ => None,
            }
        }}
    }
}

#[component]
fn ProfileForm(
    initial: UserProfile,
    settings: RwSignal<Option<Result<NotificationSettings, String>>>,
) -> impl IntoView {
    let c = ctx();
    let display_name = RwSignal::new(initial.display_name.clone().unwrap_or_default());
    let notification_email = RwSignal::new(initial.notification_email.clone().unwrap_or_default());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        form_error.set(None);
        let body = UpdateProfile {
            id: None,
            email: None,
            created_at: None,
            display_name: optional(&display_name.get_untracked()),
            notification_email: optional(&notification_email.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            match calls::update_profile(&body).await {
                Ok(_) => {
                    c.success("Profile saved");
                    // Where reminders go may have changed.
                    if let Ok(s) = calls::notification_settings().await {
                        settings.set(Some(Ok(s)));
                    }
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
        <form on:submit=on_submit novalidate>
            <FormError message=form_error />
            <p class="muted">"Signed in as " <span data-testid="signin-email">{initial.email.clone().unwrap_or_default()}</span></p>
            <Field label="Display name" name="displayName" errors=errors>
                <TextInput name="displayName" value=display_name errors=errors autocomplete="nickname" />
            </Field>
            <Field label="Notification e-mail" name="notificationEmail" errors=errors
                hint="Reminders go here; leave it empty to use the address you sign in with.">
                <TextInput name="notificationEmail" value=notification_email errors=errors kind="email" autocomplete="email" />
            </Field>
            <Submit label="Save profile" busy_label="Saving…" busy=busy />
        </form>
    }
}

#[component]
fn SettingsForm(
    initial: NotificationSettings,
    settings: RwSignal<Option<Result<NotificationSettings, String>>>,
) -> impl IntoView {
    let c = ctx();
    let email = RwSignal::new(initial.email);
    let ntfy = RwSignal::new(initial.ntfy_url.clone().unwrap_or_default());
    let webhook = RwSignal::new(initial.webhook_url.clone().unwrap_or_default());
    let days = RwSignal::new(initial.due_soon_days.to_string());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let testing = RwSignal::new(false);
    let address = initial.email_address.clone();
    let secret = initial.webhook_secret.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        form_error.set(None);
        let due_soon_days = match days.get_untracked().trim().parse::<i64>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.set(
                    [(
                        "dueSoonDays".to_owned(),
                        "Enter a number of days".to_owned(),
                    )]
                    .into(),
                );
                return;
            }
        };
        let body = UpdateNotificationSettings {
            email: Some(email.get_untracked()),
            ntfy_url: Some(ntfy.get_untracked().trim().to_owned()),
            webhook_url: Some(webhook.get_untracked().trim().to_owned()),
            due_soon_days,
            ..Default::default()
        };
        busy.set(true);
        spawn_local(async move {
            match calls::update_notification_settings(&body).await {
                Ok(s) => {
                    c.success("Reminder settings saved");
                    settings.set(Some(Ok(s)));
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
    let send_test = move |_| {
        testing.set(true);
        spawn_local(async move {
            match calls::send_test_message().await {
                Ok(sent) => {
                    c.success(format!("Test message sent to {}", sent.channels.join(", ")));
                    c.notify_changed();
                }
                Err(e) => c.error(e.to_string()),
            }
            testing.set(false);
        });
    };
    view! {
        <form on:submit=on_submit novalidate>
            <FormError message=form_error />
            <Check name="emailReminders" label="E-mail reminders" value=email />
            <p class="muted" data-testid="reminder-address">
                {match address {
                    Some(a) => format!("E-mail goes to {a}."),
                    None => "Add a notification e-mail above to get e-mail.".to_owned(),
                }}
            </p>
            <Field label="ntfy topic URL" name="ntfyUrl" errors=errors hint="e.g. https://ntfy.sh/my-garage — push to your phone with the ntfy app.">
                <TextInput name="ntfyUrl" value=ntfy errors=errors kind="url" inputmode="url" />
            </Field>
            <Field label="Webhook URL" name="webhookUrl" errors=errors hint="Each reminder is POSTed as JSON, signed in X-MVP-Signature (HMAC-SHA256).">
                <TextInput name="webhookUrl" value=webhook errors=errors kind="url" inputmode="url" />
            </Field>
            {secret.map(|s| view! {
                <div class="field">
                    <label for="webhookSecret">"Webhook signing key"</label>
                    <input id="webhookSecret" readonly value=s />
                </div>
            })}
            <Field label="Documents count as expiring this many days ahead" name="dueSoonDays" errors=errors>
                <TextInput name="dueSoonDays" value=days errors=errors kind="number" inputmode="numeric" />
            </Field>
            <div class="actions">
                <Submit label="Save reminder settings" busy_label="Saving…" busy=busy />
                <button type="button" class="btn" disabled=move || testing.get() on:click=send_test>
                    "Send a test message"
                </button>
            </div>
        </form>
    }
}

#[component]
fn CalendarFeed() -> impl IntoView {
    let c = ctx();
    let url = RwSignal::new(None::<Result<String, String>>);
    let confirm = RwSignal::new(false);
    spawn_local(async move {
        url.set(Some(
            calls::calendar()
                .await
                .map(|f| f.url)
                .map_err(|e| e.to_string()),
        ));
    });
    let copy = move |_| {
        let Some(Ok(text)) = url.get_untracked() else {
            return;
        };
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&text);
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => c.success("Calendar address copied"),
                Err(_) => c.error("Cannot copy here; select the address and copy it yourself"),
            }
        });
    };
    let rotate = Callback::new(move |()| {
        spawn_local(async move {
            match calls::rotate_calendar().await {
                Ok(feed) => {
                    url.set(Some(Ok(feed.url)));
                    c.success("New calendar address made; the old one no longer works");
                }
                Err(e) => c.error(e.to_string()),
            }
        });
    });
    view! {
        <p class="muted">
            "Subscribe to this address in your calendar app to see due maintenance and document expiry dates. Keep it private: anyone with it can read those dates."
        </p>
        {move || match url.get() {
            None => view! { <Skeleton lines=1 /> }.into_any(),
            Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
            Some(Ok(u)) => view! {
                <div class="field">
                    <label for="calendarUrl">"Calendar address"</label>
                    <input id="calendarUrl" readonly value=u />
                </div>
            }.into_any(),
        }}
        <div class="actions">
            <button type="button" class="btn primary" on:click=copy>"Copy"</button>
            <button type="button" class="btn" on:click=move |_| confirm.set(true)>"Replace the address"</button>
        </div>
        <Confirm
            open=confirm
            title="Replace the calendar address?"
            message="Calendars subscribed to the current address stop updating until you subscribe to the new one."
            confirm_label="Replace"
            on_confirm=rotate
        />
    }
}
