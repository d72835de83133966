//! Two admin tabs: community stations waiting for review (approve, or reject with a reason the
//! reporter sees, with a link to the spot on a map), and the e-mail templates (edit with the
//! variables each may use, preview rendered with sample data, save).

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::ids::CommunityStationId;
use mvp_types::notification::{EmailPreview, EmailTemplate, UpdateEmailTemplate};
use mvp_types::station::{CommunityStation, CommunityStatus};

use crate::api::admin as api;
use crate::components::form::{Errors, Field, FormError};
use crate::components::ui::{Empty, LoadError, Skeleton};
use crate::format;
use crate::state::ctx;

#[component]
pub fn StationsTab() -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let pending = LocalResource::new(move || {
        version.track();
        async move { api::pending_stations().await.map_err(|e| e.to_string()) }
    });
    view! {
        <section class="card">
            <h2>"Stations waiting for review"</h2>
            <p class="muted">"Users report stations the search does not know. Approved ones appear in everyone's search; the reporter sees a rejection's reason."</p>
            {move || match pending.get() {
                None => view! { <Skeleton lines=3 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok((list, _))) if list.is_empty() => view! { <Empty text="Nothing is waiting for review." /> }.into_any(),
                Some(Ok((list, total))) => view! {
                    <p>{format!("{total} waiting, oldest first.")}</p>
                    <ul class="review-list">
                        {list.into_iter().map(|s| view! { <PendingStation station=s version=version /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PendingStation(station: CommunityStation, version: RwSignal<u32>) -> impl IntoView {
    let c = ctx();
    let id: CommunityStationId = station.id;
    let rejecting = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let errors = Errors::new();
    let busy = RwSignal::new(false);
    let decide = move |status: CommunityStatus| {
        let why = Some(reason.get_untracked().trim().to_owned()).filter(|r| !r.is_empty());
        busy.set(true);
        spawn_local(async move {
            match api::moderate_station(id, status, why).await {
                Ok(s) => {
                    c.success(format!("{} {}", s.name, status.as_str()));
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        c.error(format!("Cannot review it: {e}"));
                    }
                }
            }
            busy.set(false);
        });
    };
    let map = format!(
        "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}",
        lat = station.latitude,
        lon = station.longitude
    );
    let reported = format::date(station.created_at.date_naive());
    let field = format!("reason-{id}");
    view! {
        <li class="review" data-station=station.name.clone()>
            <div>
                <strong>{station.name.clone()}</strong>
                {station.brand.clone().map(|b| view! { <span class="muted">{format!(" · {b}")}</span> })}
                <br />{station.address.clone()}
                <br /><small class="muted">{format!("Reported {reported} · sells {}", station.fuel_types.join(", "))}</small>
                " · "<a href=map target="_blank" rel="noopener noreferrer">"See the spot on a map"</a>
            </div>
            <div class="actions">
                <button class="btn primary" disabled=move || busy.get()
                    on:click=move |_| decide(CommunityStatus::Approved)>"Approve"</button>
                <button class="btn" aria-expanded=move || rejecting.get().to_string()
                    on:click=move |_| rejecting.update(|r| *r = !*r)>"Reject…"</button>
            </div>
            <Show when=move || rejecting.get()>
                <form class="row" on:submit=move |ev| {
                    ev.prevent_default();
                    decide(CommunityStatus::Rejected);
                }>
                    <div class="field grow" class:invalid=move || errors.get("reason").is_some()>
                        <label for=field.clone()>"Why (the reporter sees this)"</label>
                        <input id=field.clone() maxlength="500" bind:value=reason
                            aria-invalid=move || errors.get("reason").is_some().to_string() />
                        <p class="field-error" aria-live="polite">{move || errors.get("reason")}</p>
                    </div>
                    <button class="btn danger" type="submit" disabled=move || busy.get()>"Reject"</button>
                </form>
            </Show>
        </li>
    }
}

#[component]
pub fn TemplatesTab() -> impl IntoView {
    let templates =
        LocalResource::new(
            || async move { api::email_templates().await.map_err(|e| e.to_string()) },
        );
    let chosen = RwSignal::new(None::<EmailTemplate>);
    view! {
        <section class="card">
            <h2>"E-mail templates"</h2>
            {move || match templates.get() {
                None => view! { <Skeleton lines=3 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="entry-list" aria-label="Templates">
                        {list.into_iter().map(|t| {
                            let key = t.key.clone();
                            let pick = t.clone();
                            view! {
                                <li class:chosen=move || chosen.get().is_some_and(|c| c.key == key)>
                                    <button class="btn link" on:click=move |_| chosen.set(Some(pick.clone()))>{t.key.clone()}</button>
                                    <span class="muted">{format!(" · {}", t.subject)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        {move || chosen.get().map(|t| view! { <TemplateEditor template=t /> })}
    }
}

#[component]
fn TemplateEditor(template: EmailTemplate) -> impl IntoView {
    let c = ctx();
    let key = template.key.clone();
    let subject = RwSignal::new(template.subject.clone());
    let text_body = RwSignal::new(template.text_body.clone());
    let html_body = RwSignal::new(template.html_body.clone());
    let preview = RwSignal::new(None::<EmailPreview>);
    let errors = Errors::new();
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let body = move || UpdateEmailTemplate {
        subject: Some(subject.get_untracked()),
        text_body: Some(text_body.get_untracked()),
        html_body: Some(html_body.get_untracked()),
        ..Default::default()
    };
    let key_preview = key.clone();
    let on_preview = move |_| {
        let (key, changes) = (key_preview.clone(), body());
        spawn_local(async move {
            match api::preview_email_template(&key, &changes).await {
                Ok(p) => {
                    errors.clear();
                    form_error.set(None);
                    preview.set(Some(p));
                }
                Err(e) => {
                    if !errors.show_api(&e) {
                        form_error.set(Some(e.to_string()));
                    }
                }
            }
        });
    };
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (key, changes) = (key.clone(), body());
        busy.set(true);
        spawn_local(async move {
            match api::save_email_template(&key, &changes).await {
                Ok(t) => {
                    errors.clear();
                    form_error.set(None);
                    c.success(format!("{} saved", t.key));
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
    let variables = template
        .variables
        .iter()
        .map(|v| format!("{{{{ {v} }}}}"))
        .collect::<Vec<_>>()
        .join("  ");
    view! {
        <section class="card">
            <h2>{format!("Edit “{}”", template.key)}</h2>
            <p class="muted">"Variables this template may use: "<code>{variables}</code></p>
            <form on:submit=on_save>
                <FormError message=form_error />
                <Field label="Subject" name="subject" errors=errors>
                    <input id="subject" bind:value=subject />
                </Field>
                <Field label="Text body" name="textBody" errors=errors>
                    <textarea id="textBody" rows="8" bind:value=text_body></textarea>
                </Field>
                <Field label="HTML body" name="htmlBody" errors=errors>
                    <textarea id="htmlBody" rows="8" bind:value=html_body></textarea>
                </Field>
                <div class="actions">
                    <button type="button" class="btn" on:click=on_preview>"Preview"</button>
                    <button type="submit" class="btn primary" disabled=move || busy.get()>"Save"</button>
                </div>
            </form>
            {move || preview.get().map(|p| view! {
                <div class="email-preview" role="region" aria-label="Preview with sample data">
                    <h3>{p.subject.clone()}</h3>
                    <pre class="preview-text">{p.text_body.clone()}</pre>
                    <iframe title="HTML preview" sandbox="" srcdoc=p.html_body.clone()></iframe>
                </div>
            })}
        </section>
    }
}
