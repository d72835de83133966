//! Sign-in, sign-up (with the terms checkbox), the e-mail verification landing page with resend, and
//! the OIDC callback. With `authProvider: oidc` the sign-in page hands over to the issuer.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use mvp_types::user::{LoginRequest, SignupRequest};

use crate::api::{calls, oidc, session};
use crate::components::form::{Errors, Field, FormError, Submit, TextInput};
use crate::state::ctx;

/// Client-side rules of the sign-up form, the same as the API's.
pub fn signup_errors(email: &str, password: &str, accept: bool) -> BTreeMap<String, String> {
    let mut errors = BTreeMap::new();
    if mvp_types::Email::parse(email).is_err() {
        errors.insert(
            "email".to_owned(),
            "Enter a valid e-mail address".to_owned(),
        );
    }
    if password.chars().count() < 10 {
        errors.insert(
            "password".to_owned(),
            "Use at least 10 characters".to_owned(),
        );
    } else if password.trim().eq_ignore_ascii_case(email.trim()) {
        errors.insert(
            "password".to_owned(),
            "The password must differ from the e-mail address".to_owned(),
        );
    }
    if !accept {
        errors.insert(
            "acceptTerms".to_owned(),
            "Accept the terms to create an account".to_owned(),
        );
    }
    errors
}

/// `%2Fvehicles%3Ftab%3Dfuel` → `/vehicles?tab=fuel` (invalid escapes are kept as typed).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = &bytes[i + 1..i + 3];
            if hex.iter().all(u8::is_ascii_hexdigit) {
                let digits = std::str::from_utf8(hex).unwrap_or("00");
                out.push(u8::from_str_radix(digits, 16).unwrap_or(0));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

pub fn safe_next(next: Option<String>) -> String {
    // The router may hand the query value over still encoded.
    let next = next.map(|n| {
        if n.starts_with("%2F") || n.contains("%3F") {
            percent_decode(&n)
        } else {
            n
        }
    });
    // Only paths on this site: never an absolute URL an attacker put in the link. Judged as the
    // browser's URL parser reads it (`/\evil.example` and `/<tab>/evil.example` are `//evil.example`
    // to it), then resolved against this page's origin and compared.
    match next.map(|n| as_url_parser_reads(&n)) {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/sign-in") => {
            crate::browser::same_origin_path(&n).unwrap_or_else(|| "/".to_owned())
        }
        _ => "/".to_owned(),
    }
}

/// `url` as the WHATWG URL parser sees it: leading and trailing C0 controls and spaces dropped, tabs
/// and line breaks removed anywhere, and `\` read as `/` (it is, in http(s) URLs).
fn as_url_parser_reads(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect()
}

/// After a session starts: the current terms first if they are not accepted, then onboarding if it
/// is not done, else where the user was going.
pub async fn after_sign_in(next: String) -> String {
    match calls::user_status().await {
        Ok(status) if !status.terms_accepted => {
            format!("/accept-terms?next={}", crate::api::enc(&next))
        }
        Ok(status) if !status.onboarding_completed => "/onboarding".to_owned(),
        _ => next,
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    let c = ctx();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Read with URLSearchParams: the router's query map does not round-trip an encoded `?`.
    let next = move || safe_next(crate::browser::query_param("next"));
    let oidc_mode = move || {
        c.config
            .get()
            .map(|cfg| cfg.auth_provider == "oidc")
            .unwrap_or(false)
    };
    // Already signed in (e.g. restored after a reload): go on.
    let nav = navigate.clone();
    Effect::new(move |_| {
        if c.ready.get() && c.signed_in.get() {
            nav(&next(), Default::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut map = BTreeMap::new();
        if email.get_untracked().trim().is_empty() {
            map.insert("email".to_owned(), "Enter your e-mail address".to_owned());
        }
        if password.get_untracked().is_empty() {
            map.insert("password".to_owned(), "Enter your password".to_owned());
        }
        errors.set(map);
        form_error.set(None);
        if !errors.is_empty() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let body = LoginRequest {
                email: email.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
            };
            match calls::login(&body).await {
                Ok(tokens) => {
                    session::start(&tokens, "local");
                    let to = after_sign_in(next()).await;
                    navigate(&to, Default::default());
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        form_error.set(Some(if e.status == 401 {
                            "The e-mail address or password is wrong.".to_owned()
                        } else {
                            e.to_string()
                        }));
                    }
                }
            }
            busy.set(false);
        });
    };
    let start_oidc = move |_| {
        let next = next();
        spawn_local(async move {
            if let Err(e) = oidc::begin(&next).await {
                c.error(e.to_string());
            }
        });
    };
    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            // Which form depends on the runtime config: wait for it (or for start-up to give up on it).
            {move || {
                if !(c.config.with(Option::is_some) || c.ready.get()) {
                    return view! { <crate::components::ui::Skeleton lines=3 /> }.into_any();
                }
                if oidc_mode() {
                    return view! {
                        <p>"You will continue on the sign-in page of your identity provider."</p>
                        <button class="btn primary" on:click=start_oidc>"Continue to sign in"</button>
                    }
                    .into_any();
                }
                view! {
                    <form on:submit=on_submit.clone() novalidate>
                        <FormError message=form_error />
                        <Field label="E-mail" name="email" errors=errors>
                            <TextInput name="email" kind="email" value=email errors=errors autocomplete="username" />
                        </Field>
                        <Field label="Password" name="password" errors=errors>
                            <TextInput name="password" kind="password" value=password errors=errors autocomplete="current-password" />
                        </Field>
                        <Submit label="Sign in" busy_label="Signing in…" busy=busy />
                    </form>
                    <p class="muted"><A href="/forgot-password">"Forgot your password?"</A></p>
                    <p class="muted">"New here? " <A href="/sign-up">"Create an account"</A></p>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
pub fn SignUp() -> impl IntoView {
    let c = ctx();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let accept = RwSignal::new(false);
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let sent_to = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        errors.set(signup_errors(
            &email.get_untracked(),
            &password.get_untracked(),
            accept.get_untracked(),
        ));
        if !errors.is_empty() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let body = SignupRequest {
                email: email.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
                accept_terms: accept.get_untracked(),
            };
            match calls::signup(&body).await {
                Ok(r) => {
                    c.success("Account created");
                    sent_to.set(Some(r.email));
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
        <section class="card narrow">
            <Show
                when=move || sent_to.get().is_some()
                fallback=move || {
                    view! {
                        <h1>"Create your account"</h1>
                        <form on:submit=on_submit novalidate>
                            <FormError message=form_error />
                            <Field label="E-mail" name="email" errors=errors>
                                <TextInput name="email" kind="email" value=email errors=errors autocomplete="email" />
                            </Field>
                            <Field label="Password" name="password" errors=errors hint="At least 10 characters, not your e-mail address">
                                <TextInput name="password" kind="password" value=password errors=errors autocomplete="new-password" />
                            </Field>
                            <div class="field" class:invalid=move || errors.get("acceptTerms").is_some()>
                                <label class="check" for="acceptTerms">
                                    <input id="acceptTerms" type="checkbox" bind:checked=accept aria-describedby="acceptTerms-error" />
                                    <span>
                                        "I accept the "
                                        // A new tab, so what was typed here stays.
                                        <a href="/terms" target="_blank" rel="noopener">"terms of service"</a>
                                    </span>
                                </label>
                                <p class="field-error" id="acceptTerms-error">{move || errors.get("acceptTerms")}</p>
                            </div>
                            <Submit label="Create account" busy_label="Creating…" busy=busy />
                        </form>
                        <p class="muted">"Already have an account? " <A href="/sign-in">"Sign in"</A></p>
                    }
                }
            >
                <h1>"Check your e-mail"</h1>
                <p>
                    "We sent a link to " <strong>{move || sent_to.get()}</strong>
                    " to confirm the address. You can sign in already."
                </p>
                <ResendButton email=Signal::derive(move || sent_to.get().unwrap_or_default()) />
                <p><A href="/sign-in">"Go to sign in"</A></p>
            </Show>
        </section>
    }
}

#[component]
fn ResendButton(#[prop(into)] email: Signal<String>) -> impl IntoView {
    let c = ctx();
    let busy = RwSignal::new(false);
    let resend = move |_| {
        busy.set(true);
        spawn_local(async move {
            match calls::resend_verification(&email.get_untracked()).await {
                Ok(()) => c.success("Verification e-mail sent again"),
                Err(e) => c.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    view! {
        <button class="btn" on:click=resend disabled=move || busy.get()>
            "Resend the verification e-mail"
        </button>
    }
}

#[component]
pub fn VerifyEmail() -> impl IntoView {
    let query = use_query_map();
    let token = query.get_untracked().get("token").unwrap_or_default();
    let result = LocalResource::new(move || {
        let token = token.clone();
        async move { calls::verify_email(&token).await }
    });
    let resend_email = RwSignal::new(String::new());
    view! {
        <section class="card narrow">
            <h1>"E-mail verification"</h1>
            {move || match result.get() {
                None => view! { <p aria-busy="true">"Checking your link…"</p> }.into_any(),
                Some(Ok(r)) => view! {
                    <p class="success-text" data-verified="true">
                        "Your e-mail address " <strong>{r.email}</strong> " is confirmed."
                    </p>
                    <A href="/sign-in">"Sign in"</A>
                }.into_any(),
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">
                        "This link cannot be used: " {e.message.clone()}
                    </p>
                    <label for="resend-email">"Your e-mail address"</label>
                    <input id="resend-email" type="email" bind:value=resend_email />
                    <ResendButton email=Signal::derive(move || resend_email.get()) />
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub fn OidcCallback() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let message = RwSignal::new(None::<String>);
    let c = ctx();
    Effect::new(move |_| {
        // The config must be loaded to know the issuer.
        if c.config.get().is_none() {
            return;
        }
        let q = query.get_untracked();
        let code = q.get("code").unwrap_or_default();
        let state = q.get("state").unwrap_or_default();
        if let Some(err) = q.get("error_description").or_else(|| q.get("error")) {
            message.set(Some(err));
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            match oidc::complete(&code, &state).await {
                Ok(next) => {
                    let to = after_sign_in(safe_next(Some(next))).await;
                    navigate(&to, Default::default());
                }
                Err(e) => message.set(Some(e.to_string())),
            }
        });
    });
    view! {
        <section class="card narrow">
            <h1>"Signing in"</h1>
            {move || match message.get() {
                None => view! { <p aria-busy="true">"Finishing the sign-in…"</p> }.into_any(),
                Some(m) => view! {
                    <p class="form-error" role="alert">{m}</p>
                    <A href="/sign-in">"Try again"</A>
                }.into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signup_rules_match_the_api() {
        assert!(signup_errors("a@example.com", "long enough pw", true).is_empty());
        assert!(signup_errors("not-an-email", "long enough pw", true).contains_key("email"));
        assert!(signup_errors("a@example.com", "short", true).contains_key("password"));
        assert!(signup_errors("abcdefghij@x.io", "abcdefghij@x.io", true).contains_key("password"));
        assert!(signup_errors("a@example.com", "long enough pw", false).contains_key("acceptTerms"));
    }

    #[test]
    fn next_is_only_ever_a_local_path() {
        assert_eq!(safe_next(Some("/vehicles/1".into())), "/vehicles/1");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(
            safe_next(Some("%2Fvehicles%2Fx%3Ftab%3Dfuel".into())),
            "/vehicles/x?tab=fuel"
        );
        assert_eq!(safe_next(Some("%2F%2Fevil.example".into())), "/");
        // What browsers read as another host.
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(Some("\\/evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\t/evil.example".into())), "/");
        assert_eq!(safe_next(Some(" /\n/evil.example".into())), "/");
        assert_eq!(safe_next(Some("%2F%09%2Fevil.example".into())), "/");
        assert_eq!(
            safe_next(Some("/vehicles?tab=fuel".into())),
            "/vehicles?tab=fuel"
        );
        assert_eq!(percent_decode("a%zz%4"), "a%zz%4");
    }
}
