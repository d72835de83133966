//! Passwords of the built-in accounts: "Forgot your password?" (a link by e-mail), the page that
//! link opens (choose a new password), and "Change password" on the profile page. A change or a
//! reset ends every sign-in of the account; after a change this browser signs in again with the
//! new password, so only the other devices are signed out.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use mvp_types::user::LoginRequest;

use crate::api::{calls, session};
use crate::components::form::{Errors, Field, FormError, Submit, TextInput};
use crate::state::ctx;

/// A new password typed twice: the API's rules (at least 10 characters) and the two the same.
fn new_password_errors(field: &str, password: &str, again: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    if password.chars().count() < mvp_types::limits::PASSWORD_MIN {
        map.insert(
            field.to_owned(),
            format!("At least {} characters", mvp_types::limits::PASSWORD_MIN),
        );
    } else if password != again {
        map.insert(
            "passwordAgain".to_owned(),
            "The two passwords differ".to_owned(),
        );
    }
    map
}

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        form_error.set(None);
        if email.get_untracked().trim().is_empty() {
            errors.set(BTreeMap::from([(
                "email".to_owned(),
                "Enter your e-mail address".to_owned(),
            )]));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match calls::request_password_reset(email.get_untracked().trim()).await {
                Ok(()) => sent.set(true),
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
        <section class="card narrow">
            <h1>"Forgot your password?"</h1>
            <Show
                when=move || sent.get()
                fallback=move || view! {
                    <p class="muted">"Enter the address you sign in with: a link to choose a new password is mailed to it. It works once, for an hour."</p>
                    <form on:submit=on_submit novalidate>
                        <FormError message=form_error />
                        <Field label="E-mail" name="email" errors=errors>
                            <TextInput name="email" kind="email" value=email errors=errors autocomplete="username" />
                        </Field>
                        <Submit label="Send the link" busy_label="Sending…" busy=busy />
                    </form>
                }
            >
                <p class="success-text" role="status" data-testid="reset-sent">
                    "If " <strong>{move || email.get()}</strong> " has an account, the link is on its way. Check your mail."
                </p>
            </Show>
            <p class="muted"><A href="/sign-in">"Back to sign in"</A></p>
        </section>
    }
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    let token = use_query_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        errors.set(new_password_errors(
            "password",
            &password.get_untracked(),
            &again.get_untracked(),
        ));
        if !errors.is_empty() {
            return;
        }
        busy.set(true);
        let (token, navigate) = (token.clone(), navigate.clone());
        spawn_local(async move {
            match calls::confirm_password_reset(&token, &password.get_untracked()).await {
                Ok(()) => {
                    c.success("Password changed: sign in with the new one");
                    navigate("/sign-in", Default::default());
                }
                Err(e) => {
                    if e.details.iter().any(|f| f.field == "token") {
                        form_error.set(Some(
                            "This link is invalid, used or expired: ask for a new one.".to_owned(),
                        ));
                    } else if !errors.show_api(&e) {
                        form_error.set(Some(e.to_string()));
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <form on:submit=on_submit novalidate>
                <FormError message=form_error />
                <Field label="New password" name="password" errors=errors hint="At least 10 characters; not a common one">
                    <TextInput name="password" kind="password" value=password errors=errors autocomplete="new-password" />
                </Field>
                <Field label="The same again" name="passwordAgain" errors=errors>
                    <TextInput name="passwordAgain" kind="password" value=again errors=errors autocomplete="new-password" />
                </Field>
                <Submit label="Set the password" busy_label="Saving…" busy=busy />
            </form>
            <p class="muted"><A href="/forgot-password">"Ask for a new link"</A></p>
        </section>
    }
}

/// "Change password" (built-in accounts): the current password, the new one twice.
#[component]
pub fn ChangePassword(email: String) -> impl IntoView {
    let c = ctx();
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let mut map = new_password_errors(
            "newPassword",
            &password.get_untracked(),
            &again.get_untracked(),
        );
        if current.get_untracked().is_empty() {
            map.insert(
                "currentPassword".to_owned(),
                "Enter your current password".to_owned(),
            );
        }
        errors.set(map);
        if !errors.is_empty() {
            return;
        }
        busy.set(true);
        let email = email.clone();
        spawn_local(async move {
            let new = password.get_untracked();
            match calls::change_password(&current.get_untracked(), &new).await {
                Ok(()) => {
                    // Every sign-in has ended, this one too: sign this browser in again.
                    let body = LoginRequest {
                        email,
                        password: new,
                    };
                    if let Ok(tokens) = calls::login(&body).await {
                        session::start(&tokens, "local");
                    }
                    current.set(String::new());
                    password.set(String::new());
                    again.set(String::new());
                    c.success("Password changed; other devices are signed out");
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
        <form class="change-password" on:submit=on_submit novalidate>
            <FormError message=form_error />
            <Field label="Current password" name="currentPassword" errors=errors>
                <TextInput name="currentPassword" kind="password" value=current errors=errors autocomplete="current-password" />
            </Field>
            <Field label="New password" name="newPassword" errors=errors hint="At least 10 characters; not a common one">
                <TextInput name="newPassword" kind="password" value=password errors=errors autocomplete="new-password" />
            </Field>
            <Field label="The same again" name="passwordAgain" errors=errors>
                <TextInput name="passwordAgain" kind="password" value=again errors=errors autocomplete="new-password" />
            </Field>
            <Submit label="Change password" busy_label="Changing…" busy=busy />
        </form>
    }
}
