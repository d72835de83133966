//! The notification centre: every reminder (newest first), unread ones marked, each can be marked
//! read, or all at once; the bell's count follows.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use mvp_types::notification::Notification;

use crate::api::calls;
use crate::components::ui::{Empty, LoadError, Skeleton};
use crate::format;
use crate::state::ctx;

#[component]
pub fn NotificationCentre() -> impl IntoView {
    let c = ctx();
    let items = RwSignal::new(None::<Result<Vec<Notification>, String>>);
    let reload = move || {
        spawn_local(async move {
            items.set(Some(
                calls::notifications(100).await.map_err(|e| e.to_string()),
            ));
        });
    };
    reload();
    let mark = move |id| {
        spawn_local(async move {
            match calls::mark_read(id).await {
                Ok(()) => {
                    items.update(|list| {
                        if let Some(Ok(list)) = list {
                            for n in list.iter_mut().filter(|n| n.id == id) {
                                n.read_at = Some(crate::browser::now());
                            }
                        }
                    });
                    c.notify_changed();
                }
                Err(e) => c.error(format!("Cannot mark it read: {e}")),
            }
        });
    };
    let mark_all = move |_| {
        spawn_local(async move {
            match calls::mark_all_read().await {
                Ok(done) => {
                    reload();
                    c.notify_changed();
                    c.success(format!("{} marked read", done.marked));
                }
                Err(e) => c.error(format!("Cannot mark them read: {e}")),
            }
        });
    };
    let zone = c.time_zone();
    view! {
        <section class="card">
            <div class="row-between">
                <h1>"Notifications"</h1>
                <button class="btn" on:click=mark_all>"Mark all read"</button>
            </div>
            {move || match items.get() {
                None => view! { <Skeleton lines=4 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <Empty text="No notifications yet. Reminders about due maintenance and expiring documents appear here." />
                }.into_any(),
                Some(Ok(list)) => {
                    let zone = zone.clone();
                    view! {
                        <ul class="notification-list">
                            {list.into_iter().map(|n| {
                                let id = n.id;
                                let unread = n.read_at.is_none();
                                let when = format::date_time(crate::browser::to_local(n.created_at, &zone));
                                view! {
                                    <li class:unread=unread data-notification=id.to_string() data-unread=unread.to_string()>
                                        <div>
                                            <strong>{n.title.clone()}</strong>
                                            <p>{n.body.clone()}</p>
                                            <small class="muted">{when}</small>
                                            {n.vehicle_id.map(|v| view! { " · "<A href=format!("/vehicles/{v}?tab=maintenance")>"Open the vehicle"</A> })}
                                        </div>
                                        <Show when=move || unread>
                                            <button class="btn small" on:click=move |_| mark(id)>"Mark read"</button>
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}
