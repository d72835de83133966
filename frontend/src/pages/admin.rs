//! The admin area (`/admin?tab=…`), shown only to admins (others get the 403 page; the API refuses
//! them too): users with grant and revoke, the audit log with each change's before and after, and
//! the catalog, station, e-mail template and backup tabs (admin_catalog.rs, admin_review.rs,
//! admin_backups.rs).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use mvp_types::admin::{AdminUserSummary, AuditLog};
use serde_json::Value;

use crate::api::admin::{self as api, PAGE};
use crate::components::ui::{Confirm, Empty, LoadError, Skeleton};
use crate::format;
use crate::pages::admin_backups::BackupsTab;
use crate::pages::admin_catalog::CatalogTab;
use crate::pages::admin_review::{StationsTab, TemplatesTab};
use crate::state::ctx;

const TABS: [(&str, &str); 6] = [
    ("users", "Users"),
    ("audit", "Audit log"),
    ("catalog", "Catalog"),
    ("stations", "Stations"),
    ("templates", "E-mail templates"),
    ("backups", "Backups"),
];

#[component]
pub fn AdminPage() -> impl IntoView {
    let c = ctx();
    let query = use_query_map();
    let tab = Memo::new(move |_| query.get().get("tab").unwrap_or_else(|| "users".to_owned()));
    move || match c.is_admin.get() {
        None => view! { <Skeleton lines=3 /> }.into_any(),
        Some(false) => view! { <crate::pages::misc::Forbidden /> }.into_any(),
        Some(true) => view! {
            <section class="card">
                <h1>"Admin"</h1>
                <nav class="tabs" aria-label="Admin sections">
                    {TABS.into_iter().map(|(key, label)| view! {
                        <A
                            href=format!("/admin?tab={key}")
                            attr:aria-current=move || (tab.get() == key).then_some("page")
                            attr:class=move || if tab.get() == key { "tab active" } else { "tab" }
                        >
                            {label}
                        </A>
                    }).collect_view()}
                </nav>
            </section>
            {move || match tab.get().as_str() {
                "audit" => view! { <AuditTab /> }.into_any(),
                "catalog" => view! { <CatalogTab /> }.into_any(),
                "stations" => view! { <StationsTab /> }.into_any(),
                "templates" => view! { <TemplatesTab /> }.into_any(),
                "backups" => view! { <BackupsTab /> }.into_any(),
                _ => view! { <UsersTab /> }.into_any(),
            }}
        }
        .into_any(),
    }
}

/// "12.3 MB" (decimal units, as disks are sold).
pub fn bytes(n: i64) -> String {
    let n = n.max(0) as f64;
    match n {
        n if n >= 1e9 => format!("{:.1} GB", n / 1e9),
        n if n >= 1e6 => format!("{:.1} MB", n / 1e6),
        n if n >= 1e3 => format!("{:.0} kB", n / 1e3),
        n => format!("{n} B"),
    }
}

/// Previous / next for a list of `total` rows shown `PAGE` at a time from `offset`.
#[component]
fn Pager(offset: RwSignal<i64>, total: Signal<i64>) -> impl IntoView {
    view! {
        <div class="row-between pager">
            <button class="btn small" disabled=move || offset.get() == 0
                on:click=move |_| offset.update(|o| *o = (*o - PAGE).max(0))>"Previous"</button>
            <span class="muted">{move || {
                let (o, t) = (offset.get(), total.get());
                if t == 0 { "None".to_owned() } else { format!("{}–{} of {t}", o + 1, (o + PAGE).min(t)) }
            }}</span>
            <button class="btn small" disabled=move || { offset.get() + PAGE >= total.get() }
                on:click=move |_| offset.update(|o| *o += PAGE)>"Next"</button>
        </div>
    }
}

#[component]
fn UsersTab() -> impl IntoView {
    let c = ctx();
    let search = RwSignal::new(String::new());
    let applied = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let version = RwSignal::new(0_u32);
    let users = LocalResource::new(move || {
        let (q, o) = (applied.get(), offset.get());
        version.track();
        async move { api::users(&q, o).await.map_err(|e| e.to_string()) }
    });
    let total = Signal::derive(move || users.get().and_then(|r| r.ok()).map_or(0, |(_, t)| t));
    let revoking = RwSignal::new(None::<AdminUserSummary>);
    let confirm_open = RwSignal::new(false);
    let grant = move |id: String| {
        spawn_local(async move {
            match api::grant(&id).await {
                Ok(_) => {
                    c.success("Admin granted");
                    version.update(|v| *v += 1);
                }
                Err(e) => c.error(format!("Cannot grant admin: {e}")),
            }
        });
    };
    let revoke = Callback::new(move |()| {
        let Some(user) = revoking.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::revoke(&user.id).await {
                Ok(()) => {
                    c.success("Admin removed");
                    version.update(|v| *v += 1);
                }
                Err(e) => c.error(format!("Cannot remove admin: {e}")),
            }
        });
    });
    let zone = c.time_zone();
    view! {
        <section class="card">
            <h2>"Users"</h2>
            <form class="row" role="search" on:submit=move |ev| {
                ev.prevent_default();
                offset.set(0);
                applied.set(search.get_untracked().trim().to_owned());
            }>
                <label for="user-search" class="sr-only">"Search users by e-mail or id"</label>
                <input id="user-search" type="search" placeholder="E-mail or user id" bind:value=search />
                <button class="btn" type="submit">"Search"</button>
            </form>
            {move || match users.get() {
                None => view! { <Skeleton lines=4 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok((list, _))) if list.is_empty() => view! { <Empty text="No users match." /> }.into_any(),
                Some(Ok((list, _))) => {
                    let zone = zone.clone();
                    view! {
                        <div class="table-wrap">
                        <table class="data users">
                            <thead><tr>
                                <th scope="col">"User"</th><th scope="col">"Joined"</th><th scope="col">"Last seen"</th>
                                <th scope="col">"Vehicles"</th><th scope="col">"Fill-ups"</th><th scope="col">"Documents"</th>
                                <th scope="col">"Storage"</th><th scope="col">"Admin"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let when = |t| format::date_time(crate::browser::to_local(t, &zone));
                                    let id = u.id.clone();
                                    let row = u.clone();
                                    view! {
                                        <tr data-user=u.id.clone()>
                                            <td class="user">
                                                <strong>{u.email.clone().unwrap_or_else(|| "(no e-mail)".to_owned())}</strong>
                                                <br /><small class="muted">{u.id.clone()}</small>
                                            </td>
                                            <td>{format::date(crate::browser::to_local(u.created_at, &zone).date())}</td>
                                            <td>{u.last_seen_at.map(when).unwrap_or_else(|| "—".to_owned())}</td>
                                            <td class="num">{u.vehicle_count}</td>
                                            <td class="num">{u.fuel_log_count}</td>
                                            <td class="num">{u.document_count}</td>
                                            <td class="num">{bytes(u.bytes_used)}</td>
                                            <td class="admin">
                                                {if u.is_admin {
                                                    view! {
                                                        <span class="badge ok">"Admin"</span>" "
                                                        <button class="btn small" on:click=move |_| {
                                                            revoking.set(Some(row.clone()));
                                                            confirm_open.set(true);
                                                        }>"Remove admin"</button>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <button class="btn small" on:click=move |_| grant(id.clone())>"Make admin"</button>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any()
                }
            }}
            <Pager offset=offset total=total />
        </section>
        <Confirm
            open=confirm_open
            title="Remove this admin?"
            message=Signal::derive(move || {
                let who = revoking.get().map(|u| u.email.unwrap_or(u.id)).unwrap_or_default();
                format!("{who} will no longer reach the admin area.")
            })
            confirm_label="Remove admin"
            on_confirm=revoke
        />
    }
}

/// The audit actions, by family, for the filter.
const FAMILIES: [(&str, &str); 5] = [
    ("", "Every action"),
    ("admin", "Admin grants"),
    ("catalog", "Catalog"),
    ("station", "Stations"),
    ("email_template", "E-mail templates"),
];

/// The JSON value of `key` as a short line.
fn show(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Each top-level field of `before` and `after`: `(field, before, after, changed)`.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<(String, String, String, bool)> {
    let mut keys: Vec<String> = Vec::new();
    for side in [before, after].into_iter().flatten() {
        if let Value::Object(map) = side {
            for k in map.keys() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    keys.into_iter()
        .map(|k| {
            let b = before.and_then(|v| v.get(&k));
            let a = after.and_then(|v| v.get(&k));
            let changed = b != a;
            (k, show(b), show(a), changed)
        })
        .collect()
}

#[component]
fn AuditRow(row: AuditLog, zone: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let when = format::date_time(crate::browser::to_local(row.created_at, &zone));
    let target = format!(
        "{} {}",
        row.target_type,
        row.target_id.clone().unwrap_or_default()
    );
    let fields = diff(row.before.as_ref(), row.after.as_ref());
    let id = row.id.to_string();
    view! {
        <li class="audit-row" data-audit=row.action.clone()>
            <div class="row-between">
                <div>
                    <strong>{row.action.clone()}</strong>" · "<span>{target}</span>
                    <br /><small class="muted">{format!("{when} · by {}{}", row.actor_id,
                        row.ip.clone().map(|ip| format!(" from {ip}")).unwrap_or_default())}</small>
                </div>
                <button class="btn small" aria-expanded=move || open.get().to_string()
                    aria-controls=format!("audit-{id}")
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { "Hide changes" } else { "Show changes" }}
                </button>
            </div>
            <Show when=move || open.get()>
                <table class="data diff" id=format!("audit-{}", row.id)>
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>
                        {fields.clone().into_iter().map(|(k, b, a, changed)| view! {
                            <tr class:changed=changed>
                                <th scope="row">{k}</th><td>{b}</td><td>{a}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </li>
    }
}

#[component]
fn AuditTab() -> impl IntoView {
    let c = ctx();
    let family = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let applied_actor = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let rows = LocalResource::new(move || {
        let (f, a, o) = (family.get(), applied_actor.get(), offset.get());
        async move { api::audit_logs(&f, &a, o).await.map_err(|e| e.to_string()) }
    });
    let total = Signal::derive(move || rows.get().and_then(|r| r.ok()).map_or(0, |(_, t)| t));
    let zone = c.time_zone();
    view! {
        <section class="card">
            <h2>"Audit log"</h2>
            <form class="row" on:submit=move |ev| {
                ev.prevent_default();
                offset.set(0);
                applied_actor.set(actor.get_untracked().trim().to_owned());
            }>
                <label for="audit-action">"Action"</label>
                <select id="audit-action" on:change=move |ev| {
                    offset.set(0);
                    family.set(event_target_value(&ev));
                }>
                    {FAMILIES.into_iter().map(|(v, label)| view! {
                        <option value=v selected=move || family.get() == v>{label}</option>
                    }).collect_view()}
                </select>
                <label for="audit-actor">"By user id"</label>
                <input id="audit-actor" type="search" bind:value=actor />
                <button class="btn" type="submit">"Filter"</button>
            </form>
            {move || match rows.get() {
                None => view! { <Skeleton lines=4 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok((list, _))) if list.is_empty() => view! { <Empty text="Nothing recorded yet." /> }.into_any(),
                Some(Ok((list, _))) => {
                    let zone = zone.clone();
                    view! {
                        <ul class="audit-list">
                            {list.into_iter().map(|row| view! { <AuditRow row=row zone=zone.clone() /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <Pager offset=offset total=total />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_diff_lists_every_field_and_marks_the_changed_ones() {
        let before = json!({"name": "Aptera", "id": 4});
        let after = json!({"name": "Aptera Motors", "id": 4, "make": null});
        let rows = diff(Some(&before), Some(&after));
        assert_eq!(
            rows,
            vec![
                ("id".to_owned(), "4".to_owned(), "4".to_owned(), false),
                (
                    "name".to_owned(),
                    "Aptera".to_owned(),
                    "Aptera Motors".to_owned(),
                    true
                ),
                ("make".to_owned(), "—".to_owned(), "—".to_owned(), true),
            ]
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(12_300_000), "12.3 MB");
    }
}
