//! `serve`: wait for Postgres, migrate, grant bootstrap admins, listen, and on SIGTERM/SIGINT stop
//! accepting, let in-flight requests finish within `server.shutdown_grace_secs`, then close the pool.

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::Router;
use mvp_core::{AppState, Config, db};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Runs the server until a shutdown signal. `extra` routes are merged into the app (tests only).
pub async fn run(config: Config, extra: Router<AppState>) -> anyhow::Result<()> {
    let pool = db::connect(&config.database).await?;
    if config.database.run_migrations {
        db::migrate(&pool).await?;
        tracing::info!("database migrations are up to date");
    }
    for subject in &config.admin.bootstrap {
        mvp_core::admin::grant(&pool, subject, "config:admin.bootstrap")
            .await
            .context("granting admin.bootstrap entries failed")?;
    }
    let state = AppState::new(config, pool)?;
    if state.config.database.run_migrations {
        // Imports only when the embedded data changed; then the cached reads are dropped.
        mvp_platform::catalog::ensure_loaded(&state.db, Some(&state.cache))
            .await
            .context("loading the vehicle catalog failed")?;
    }
    spawn_jobs(&state);
    let listener = TcpListener::bind(state.config.server.bind)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (server.bind)",
                state.config.server.bind
            )
        })?;
    serve(listener, state, extra, shutdown_signal()).await
}

/// Serves `state`'s app on `listener` until `signal` resolves, then drains within the grace period.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    extra: Router<AppState>,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let grace = state.config.server.shutdown_grace();
    let pool = state.db.clone();
    // Every replica drops its near copy of the catalog when another one changes it.
    let catalog_changes = tokio::spawn(mvp_platform::catalog::listen(
        state.db.clone(),
        state.cache.clone(),
    ));
    // …and forgets a user's kept reads when another replica announces their write.
    let user_writes = tokio::spawn(mvp_core::reads::listen(
        state.db.clone(),
        state.reads.clone(),
        state.cache.clone(),
    ));
    // …and announces its users' writes only while another replica listens.
    let peers = tokio::spawn(mvp_core::reads::watch_peers(
        state.db.clone(),
        state.reads.clone(),
    ));
    let app = crate::app::build(state.clone(), extra);
    tracing::info!(
        %addr,
        auth = state.config.auth.provider.as_str(),
        cache = state.cache.backend_name(),
        spa = state.config.server.static_dir.is_some(),
        version = env!("CARGO_PKG_VERSION"),
        "listening"
    );

    let (stopping_tx, mut stopping_rx) = watch::channel(false);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        signal.await;
        tracing::info!("shutdown requested; finishing in-flight requests");
        let _ = stopping_tx.send(true);
    });

    tokio::select! {
        result = server.into_future() => result.context("server failed")?,
        () = async {
            let _ = stopping_rx.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_secs = grace.as_secs(), "grace period over; dropping remaining connections");
        }
    }
    catalog_changes.abort();
    user_writes.abort();
    peers.abort();
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Background jobs. Each takes a Postgres advisory lock, so with several replicas one runs it.
fn spawn_jobs(state: &AppState) {
    let reminders = state.clone();
    tokio::spawn(async move {
        let every = reminders.config.notifications.reminder_interval();
        let app_url = reminders.config.server.public_url.clone();
        loop {
            if let Err(err) =
                mvp_notifications::run_reminders(&reminders.db, &app_url, chrono::Utc::now()).await
            {
                tracing::warn!(error = %format!("{err:#}"), "reminder job failed");
            }
            tokio::time::sleep(every).await;
        }
    });
    match mvp_notifications::Deliverer::from_state(state) {
        Ok(deliverer) => {
            let every = state.config.mail.deliver_interval();
            tokio::spawn(async move {
                loop {
                    if let Err(err) = deliverer.run(chrono::Utc::now()).await {
                        tracing::warn!(error = %format!("{err:#}"), "deliver job failed");
                    }
                    tokio::time::sleep(every).await;
                }
            });
        }
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "the mail transport cannot be built; nothing will be delivered");
            state.components.set(
                "mail",
                mvp_types::ComponentHealth {
                    status: mvp_types::HealthStatus::Degraded,
                    latency_ms: None,
                    message: Some("the mail transport cannot be built; see the log".to_owned()),
                },
            );
        }
    }
    let backups = state.clone();
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(backups.config.backup.check_interval_secs);
        loop {
            tokio::time::sleep(every).await;
            if let Err(err) =
                mvp_backup::run_schedule(&backups.db, &backups.storage, chrono::Utc::now()).await
            {
                tracing::warn!(error = %format!("{err:#}"), "scheduled backup pass failed");
            }
        }
    });
    let files = state.clone();
    tokio::spawn(async move {
        // What a crash left behind first, then the purge of deleted documents at its interval.
        let min_age = mvp_documents::job::SWEEP_MIN_AGE;
        if let Err(err) =
            mvp_documents::job::sweep(&files.db, &files.storage, chrono::Utc::now(), min_age).await
        {
            tracing::warn!(error = %format!("{err:#}"), "document storage sweep failed");
        }
        let settings = &files.config.documents;
        let every = std::time::Duration::from_secs(settings.purge_interval_secs);
        loop {
            if let Err(err) = mvp_documents::job::purge(
                &files.db,
                &files.storage,
                chrono::Utc::now(),
                settings.retention_days,
            )
            .await
            {
                tracing::warn!(error = %format!("{err:#}"), "document purge failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
