//! The bell in the top bar: the unread count of the notification centre as a badge, and a panel
//! with what is due (maintenance) and expiring (documents) now, from `/api/notifications/summary`.
//! The summary is loaded when a session starts, when a page says something changed, and every
//! minute; the first load in a browser tab with something due says so in a toast (once per tab, not
//! on every reload).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use mvp_types::notification::{ExpiryStatus, NotificationSummary};

use crate::api::calls;
use crate::components::ui::StatusBadge;
use crate::format;
use crate::state::{ctx, Ctx};

/// "2 services due and 1 document expiring" (nothing when nothing is due).
pub fn summary_line(s: &NotificationSummary) -> Option<String> {
    let plural = |n: usize, one: &str, many: &str| format::count(n as u64, one, many);
    let services = s.maintenance.len();
    let documents = s.documents.len();
    match (services, documents) {
        (0, 0) => None,
        (n, 0) => Some(format!("{} due", plural(n, "service", "services"))),
        (0, d) => Some(format!("{} expiring", plural(d, "document", "documents"))),
        (n, d) => Some(format!(
            "{} due and {} expiring",
            plural(n, "service", "services"),
            plural(d, "document", "documents")
        )),
    }
}

async fn load(c: Ctx, toasted: StoredValue<bool>) {
    if let Ok(s) = calls::notification_summary().await {
        // The bell is gone when the user signed out meanwhile: nothing to show.
        let Some(done) = toasted.try_get_value() else {
            return;
        };
        if !done {
            toasted.set_value(true);
            if let Some(line) = summary_line(&s) {
                c.toast(
                    format!("{line} — see the bell"),
                    crate::state::ToastKind::Success,
                );
            }
        }
        c.summary.set(Some(s));
    }
}

#[component]
pub fn Bell() -> impl IntoView {
    let c = ctx();
    let open = RwSignal::new(false);
    let toasted = StoredValue::new(false);
    let active = move || c.signed_in.get() && c.terms_ok.get() == Some(true);
    Effect::new(move |_| {
        c.summary_version.track();
        if active() {
            spawn_local(load(c, toasted));
        } else {
            c.summary.set(None);
            toasted.set_value(false);
        }
    });
    if let Ok(every_minute) = set_interval_with_handle(
        move || {
            if c.signed_in.get_untracked() && c.terms_ok.get_untracked() == Some(true) {
                spawn_local(load(c, toasted));
            }
        },
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || every_minute.clear());
    }
    let unread = move || c.summary.with(|s| s.as_ref().map_or(0, |s| s.unread));
    let close = move || open.set(false);
    view! {
        <div class="bell" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button
                class="btn icon"
                data-testid="bell"
                aria-expanded=move || open.get().to_string()
                aria-label=move || format!("Notifications ({} unread)", unread())
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0z" fill="currentColor"></path>
                </svg>
                <Show when=move || { unread() > 0 }>
                    <span class="count" data-testid="unread-count">{unread}</span>
                </Show>
            </button>
            <Show when=move || open.get()>
                <div class="bell-panel" role="dialog" aria-label="Due and expiring">
                    <h2>"Due and expiring"</h2>
                    {move || {
                        let Some(s) = c.summary.get() else {
                            return view! { <p class="muted">"Loading…"</p> }.into_any();
                        };
                        if s.maintenance.is_empty() && s.documents.is_empty() {
                            return view! { <p class="muted" data-testid="nothing-due">"Nothing is due."</p> }.into_any();
                        }
                        let services = s.maintenance.into_iter().map(|m| {
                            let href = format!("/vehicles/{}?tab=maintenance", m.vehicle_id);
                            let when = m.due_date.map(|d| format!("due {}", format::date(d))).unwrap_or_default();
                            view! {
                                <li data-due=m.schedule_id.to_string()>
                                    <A href=href on:click=move |_| close()>{m.title.clone()}</A>
                                    <span class="muted">{format!(" · {} {when}", m.vehicle_name)}</span>
                                    " "<StatusBadge status=m.status />
                                </li>
                            }
                        }).collect_view();
                        let documents = s.documents.into_iter().map(|d| {
                            let href = format!("/vehicles/{}", d.vehicle_id);
                            let (class, label) = match d.status {
                                ExpiryStatus::Expired => ("badge overdue", "Expired"),
                                ExpiryStatus::Expiring => ("badge due-soon", "Expiring"),
                            };
                            view! {
                                <li data-expiring=d.document_id.to_string()>
                                    <A href=href on:click=move |_| close()>{d.title.clone()}</A>
                                    <span class="muted">{format!(" · {} · {}", d.vehicle_name, format::date(d.expiration_date))}</span>
                                    " "<span class=class>{label}</span>
                                </li>
                            }
                        }).collect_view();
                        view! { <ul class="due-list">{services}{documents}</ul> }.into_any()
                    }}
                    <A href="/notifications" on:click=move |_| close()>"Open the notification centre"</A>
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_counts_services_and_documents() {
        let mut s = NotificationSummary {
            maintenance: Vec::new(),
            documents: Vec::new(),
            unread: 0,
        };
        assert_eq!(summary_line(&s), None);
        let json = serde_json::json!({"vehicleId": "0190b3a4-0000-7000-8000-000000000000",
            "scheduleId": "0190b3a4-0000-7000-8000-000000000001", "title": "Oil", "vehicleName": "Civic",
            "status": "overdue", "dueDate": null, "dueOdometer": 1000});
        let due = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        s.maintenance = vec![due];
        assert_eq!(summary_line(&s).as_deref(), Some("1 service due"));
        s.maintenance.push(s.maintenance[0].clone());
        let doc = serde_json::from_value(serde_json::json!({"vehicleId": "0190b3a4-0000-7000-8000-000000000000",
            "documentId": "0190b3a4-0000-7000-8000-000000000002", "title": "Insurance", "vehicleName": "Civic",
            "expirationDate": "2026-12-31", "status": "expiring"}))
        .unwrap_or_else(|e| panic!("{e}"));
        s.documents = vec![doc];
        assert_eq!(
            summary_line(&s).as_deref(),
            Some("2 services due and 1 document expiring")
        );
    }
}
