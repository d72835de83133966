//! The admin area's Backups tab: every backup with its size and state, "Back up now" (the list
//! follows it until the archive is stored), the archive's download, deletion, and a restore that
//! asks for the word "restore" typed first; below, the schedule and the upload
//! ([`super::admin_backup_schedule`]).

use leptos::prelude::*;
use leptos::task::spawn_local;
use mvp_types::admin::Backup;

use crate::api::admin as api;
use crate::components::ui::{Confirm, Empty, LoadError, Skeleton};
use crate::pages::admin::bytes;
use crate::pages::admin_backup_schedule::{BackupSchedule, UploadBackup};
use crate::state::ctx;

/// The word a restore must be confirmed with.
const RESTORE_WORD: &str = "restore";

#[component]
pub fn BackupsTab() -> impl IntoView {
    let c = ctx();
    let version = RwSignal::new(0_u32);
    let backups = LocalResource::new(move || {
        version.track();
        async move { api::backups().await.map_err(|e| e.to_string()) }
    });
    let running = move || {
        backups
            .try_get()
            .flatten()
            .and_then(Result::ok)
            .is_some_and(|list| list.iter().any(|b| b.status == "running"))
    };
    // While a backup is being made, the list is read again every two seconds.
    if let Ok(poll) = set_interval_with_handle(
        move || {
            if running() {
                version.try_update(|v| *v += 1);
            }
        },
        std::time::Duration::from_secs(2),
    ) {
        on_cleanup(move || poll.clear());
    }
    let busy = RwSignal::new(false);
    let back_up = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::back_up_now().await {
                Ok(_) => {
                    c.success("Backup started: it is listed as running until it is stored");
                    version.try_update(|v| *v += 1);
                }
                Err(e) => c.error(format!("Cannot start a backup: {e}")),
            }
            busy.try_set(false);
        });
    };
    view! {
        <section class="card">
            <div class="row-between">
                <h2>"Backups"</h2>
                <button class="btn primary" data-testid="back-up-now" disabled=move || busy.get() || running() on:click=back_up>
                    {move || if running() { "Backing up…" } else { "Back up now" }}
                </button>
            </div>
            <p class="muted">"A backup holds every table and every stored document and photo, checked against its manifest before it is restored. Keys and secrets are not in it."</p>
            {move || match backups.get() {
                None => view! { <Skeleton lines=3 /> }.into_any(),
                Some(Err(e)) => view! { <LoadError message=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text="No backups yet." /> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="list backups">
                        {list.into_iter().map(|b| view! { <BackupRow backup=b version=version /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        <BackupSchedule />
        <UploadBackup on_done=Callback::new(move |()| version.update(|v| *v += 1)) />
    }
}

/// A restore stage as the screen says it.
fn restore_stage(stage: &str) -> &'static str {
    match stage {
        "unpacking" => "unpacking the archive",
        "files" => "putting the files back",
        "database" => "refilling the database (other changes wait)",
        "cleanup" => "removing files the backup does not hold",
        _ => "working",
    }
}

#[component]
fn BackupRow(backup: Backup, version: RwSignal<u32>) -> impl IntoView {
    let c = ctx();
    let id = backup.id;
    let when = backup.created_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let ready = backup.status == "ready";
    let file = format!(
        "motovaultpro-backup-{}.tar.gz",
        backup.created_at.format("%Y%m%d-%H%M%S")
    );
    let download = move |_| {
        let file = file.clone();
        spawn_local(async move {
            match api::backup_url(id).await {
                Ok(url) => crate::browser::download_object_url(url, &file),
                Err(e) => c.error(format!("Cannot download it: {e}")),
            }
        });
    };
    let confirm_delete = RwSignal::new(false);
    let on_delete = Callback::new(move |()| {
        spawn_local(async move {
            match api::delete_backup(id).await {
                Ok(()) => {
                    c.success("Backup deleted");
                    version.try_update(|v| *v += 1);
                }
                Err(e) => c.error(format!("Cannot delete it: {e}")),
            }
        });
    });
    let restoring = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    // While a restore runs: where it is ("files", "database" …), read every second.
    let stage = RwSignal::new(None::<String>);
    let restore = move |_| {
        stage.set(Some("checking the archive".to_owned()));
        spawn_local(async move {
            let mut status = match api::restore_backup(id).await {
                Ok(started) => started,
                Err(e) => {
                    c.error(format!("Nothing was changed: {e}"));
                    stage.try_set(None);
                    return;
                }
            };
            while status.status == "running" {
                stage.try_set(Some(restore_stage(&status.stage).to_owned()));
                crate::browser::sleep(std::time::Duration::from_secs(1)).await;
                match api::restore_status().await {
                    Ok(now) => status = now,
                    Err(e) => {
                        c.error(format!("Cannot follow the restore: {e}"));
                        break;
                    }
                }
            }
            match (status.status.as_str(), &status.report) {
                ("done", Some(r)) => {
                    c.success(format!(
                        "Restored: {} tables, {} rows, {} files. Sessions started since the backup have ended: sign in again when asked.",
                        r.tables, r.rows, r.files
                    ));
                    restoring.try_set(false);
                    typed.try_set(String::new());
                    version.try_update(|v| *v += 1);
                }
                ("failed", _) => c.error(format!(
                    "The restore failed: {}",
                    status.error.clone().unwrap_or_default()
                )),
                _ => {}
            }
            stage.try_set(None);
        });
    };
    let status_class = match backup.status.as_str() {
        "ready" => "badge ok",
        "failed" => "badge bad",
        _ => "badge warn",
    };
    let field = format!("restore-{id}");
    view! {
        <li data-backup=id.to_string() data-status=backup.status.clone() data-sha256=backup.sha256.clone().unwrap_or_default()>
            <div class="grow">
                <strong>{when}</strong>" "
                <span class=status_class>{backup.status.clone()}</span>
                <div class="muted">
                    {format!("{}{} · {}",
                        crate::pages::vehicle_draft::capitalise(&backup.kind),
                        if backup.schedules.is_empty() { String::new() } else { format!(" ({})", backup.schedules.join(", ")) },
                        backup.size_bytes.map(bytes).unwrap_or_else(|| "—".to_owned()))}
                    {backup.sha256.as_deref().map(|sha| format!(" · SHA-256 {}…", &sha[..sha.len().min(12)]))}
                    {backup.error.clone().map(|e| format!(" · {e}"))}
                </div>
            </div>
            <div class="actions">
                {ready.then(|| view! {
                    <button class="btn small" on:click=download.clone()>"Download"</button>
                    <button class="btn small" aria-expanded=move || restoring.get().to_string()
                        on:click=move |_| restoring.update(|r| *r = !*r)>"Restore…"</button>
                })}
                {(backup.status != "running").then(|| view! {
                    <button class="btn small danger" on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                })}
            </div>
            <Show when=move || restoring.get()>
                <div class="restore-confirm">
                    <p>
                        "Restoring puts every table and every stored file back as this backup holds them. "
                        "Everything written since is lost, sign-ins included. Type "<strong>{RESTORE_WORD}</strong>" to go on."
                    </p>
                    <label for=field.clone()>"Confirmation"</label>
                    <input id=field.clone() type="text" autocomplete="off" bind:value=typed />
                    <button class="btn danger" data-testid="restore"
                        disabled=move || typed.get().trim() != RESTORE_WORD || stage.get().is_some()
                        on:click=restore>
                        {move || if stage.get().is_some() { "Restoring…" } else { "Restore this backup" }}
                    </button>
                    <p class="muted" role="status" aria-live="polite">
                        {move || stage.get().map(|s| format!("Restoring: {s}…"))}
                    </p>
                </div>
            </Show>
            <Confirm
                open=confirm_delete
                title="Delete this backup?"
                message=Signal::derive(move || "The archive is removed from storage.".to_owned())
                confirm_label="Delete"
                on_confirm=on_delete
            />
        </li>
    }
}
