//! The command line: `serve` (default), `migrate`, `healthcheck`, `admin grant <user-id-or-email>`,
//! `openapi`, `job reminders|deliver|purge|backup` (one pass of a background job, then exit), `backup
//! create|list|restore <id>`. Configuration errors exit with status 2 and a message naming the setting.

use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use clap::{Parser, Subcommand};
use mvp_core::{AppState, Config, db, telemetry};

#[derive(Debug, Parser)]
#[command(name = "mvp-backend", version, about = "MotoVaultPro API server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API (and the SPA when server.static_dir is set). The default.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Exit 0 when this machine's server answers /health with 200 (for Docker HEALTHCHECK).
    Healthcheck {
        /// Base URL to check; defaults to the local server.bind address.
        #[arg(long)]
        url: Option<String>,
    },
    /// Administrator management.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Run one pass of a background job now and exit.
    Job {
        #[arg(value_enum)]
        name: JobName,
    },
    /// The shared vehicle catalog.
    Platform {
        #[command(subcommand)]
        action: PlatformAction,
    },
    /// Whole-instance backups (the database and every stored file) under `backups/` in storage.
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
}

#[derive(Debug, Subcommand)]
enum BackupAction {
    /// Take a backup now and print what was stored.
    Create,
    /// List the backups, newest first.
    List,
    /// Put the instance back as backup `id` holds it (every table and stored file). Stop the
    /// other backends first: this command does not pause their writes.
    Restore { id: uuid::Uuid },
}

#[derive(Debug, Subcommand)]
enum PlatformAction {
    /// Load the catalog: the embedded data, or CSV files with the same columns.
    Import {
        /// year_from,year_to,make,model,trim,engine,transmission
        #[arg(long)]
        catalog: Option<std::path::PathBuf>,
        /// wmi,manufacturer,make,country
        #[arg(long)]
        wmi: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum JobName {
    /// Find due maintenance and expiring documents; queue the reminders.
    Reminders,
    /// Send the queued messages that are due.
    Deliver,
    /// Remove the bytes of documents deleted longer ago than the retention period.
    Purge,
    /// Make the scheduled backup that is due (Admin → Backups → Schedule), then apply retention.
    Backup,
}

#[derive(Debug, Subcommand)]
enum AdminAction {
    /// Grant admin to a user id (JWT sub) or an e-mail address.
    Grant { subject: String },
}

/// Entry point shared by the real binary and the test server (`extra` routes).
pub fn main(extra: Router<AppState>) -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if matches!(command, Command::Openapi) {
        println!("{}", crate::openapi::document());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("mvp-backend: {err}");
            return ExitCode::from(2);
        }
    };
    let _log = telemetry::init(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("mvp-backend: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            Command::Serve => crate::serve::run(config, extra).await,
            Command::Migrate => migrate(&config).await,
            Command::Healthcheck { url } => healthcheck(&config, url).await,
            Command::Admin {
                action: AdminAction::Grant { subject },
            } => grant(&config, &subject).await,
            Command::Openapi => Ok(()),
            Command::Platform {
                action: PlatformAction::Import { catalog, wmi },
            } => platform_import(&config, catalog, wmi).await,
            Command::Job { name } => job(config, name).await,
            Command::Backup { action } => backup(config, action).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "mvp-backend failed");
            eprintln!("mvp-backend: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let pool = db::connect(&config.database).await?;
    db::migrate(&pool).await?;
    let applied: i64 =
        sqlx::query_scalar!(r#"select count(*) as "applied!" from _sqlx_migrations where success"#)
            .fetch_one(&pool)
            .await?;
    println!("migrations applied: {applied}");
    pool.close().await;
    Ok(())
}

async fn healthcheck(config: &Config, url: Option<String>) -> anyhow::Result<()> {
    let base = url.unwrap_or_else(|| {
        let bind = config.server.bind;
        let host = if bind.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            bind.ip().to_string()
        };
        format!("http://{host}:{}", bind.port())
    });
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?
        .get(format!("{}/health", base.trim_end_matches('/')))
        .send()
        .await?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    println!(
        "{status} {}",
        body.get("status").and_then(|s| s.as_str()).unwrap_or("?")
    );
    anyhow::ensure!(status.is_success(), "health check answered {status}");
    Ok(())
}

async fn platform_import(
    config: &Config,
    catalog: Option<std::path::PathBuf>,
    wmi: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let read = |path: &Option<std::path::PathBuf>, embedded: &str| -> anyhow::Result<String> {
        match path {
            Some(p) => {
                std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
            }
            None => Ok(embedded.to_owned()),
        }
    };
    let catalog_text = read(&catalog, mvp_platform::catalog::CATALOG_CSV)?;
    let wmi_text = read(&wmi, mvp_platform::catalog::WMI_CSV)?;
    let pool = db::connect(&config.database).await?;
    db::migrate(&pool).await?;
    let cache = mvp_core::Cache::from_config(&config.redis)?;
    let source = if catalog.is_some() {
        "file"
    } else {
        "embedded"
    };
    let imported =
        mvp_platform::catalog::import(&pool, Some(&cache), source, &catalog_text, &wmi_text)
            .await?;
    let rows = mvp_platform::option_count(&pool).await?;
    if imported {
        println!("catalog imported: {rows} year/model/trim/engine/transmission rows");
    } else {
        println!("catalog already up to date: {rows} rows");
    }
    pool.close().await;
    Ok(())
}

async fn grant(config: &Config, subject: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !subject.trim().is_empty(),
        "give a user id or an e-mail address"
    );
    let pool = db::connect(&config.database).await?;
    if config.database.run_migrations {
        db::migrate(&pool).await?;
    }
    let outcome = mvp_core::admin::grant(&pool, subject, "cli").await?;
    match outcome {
        mvp_core::admin::Granted::Added => println!("granted admin to {subject}"),
        mvp_core::admin::Granted::AlreadyAdmin => println!("{subject} is already an admin"),
    }
    pool.close().await;
    Ok(())
}

async fn backup(config: Config, action: BackupAction) -> anyhow::Result<()> {
    let pool = db::connect(&config.database).await?;
    if config.database.run_migrations {
        db::migrate(&pool).await?;
    }
    match action {
        BackupAction::Create => {
            let state = AppState::new(config, pool.clone())?;
            let row =
                mvp_backup::create(&state.db, &state.storage, mvp_backup::Kind::Manual).await?;
            println!(
                "backup {}: {} bytes, sha256 {}, stored as {}",
                row.id,
                row.size_bytes.unwrap_or(0),
                row.sha256.as_deref().unwrap_or("-"),
                row.storage_key
            );
        }
        BackupAction::Restore { id } => {
            let state = AppState::new(config, pool.clone())?;
            let outcome = mvp_backup::restore(&state.db, &state.storage, id).await;
            // Running servers forget the reads they kept from before — also after a failed
            // restore, which may have changed files.
            state
                .reads
                .announce(&state.db, &mvp_core::reads::Changed::Everyone)
                .await;
            let done = outcome?;
            println!(
                "restored backup {id}: {} tables, {} rows, {} files ({} files not in the backup removed)",
                done.tables, done.rows, done.files, done.files_removed
            );
        }
        BackupAction::List => {
            let rows = mvp_backup::list(&pool).await?;
            if rows.is_empty() {
                println!("no backups yet");
            }
            for row in rows {
                println!(
                    "{}  {}  {:<9}  {:<7}  {:>12} bytes  {}",
                    row.id,
                    row.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    row.kind,
                    row.status,
                    row.size_bytes.unwrap_or(0),
                    row.error.as_deref().unwrap_or("")
                );
            }
        }
    }
    pool.close().await;
    Ok(())
}

async fn job(config: Config, name: JobName) -> anyhow::Result<()> {
    let pool = db::connect(&config.database).await?;
    if config.database.run_migrations {
        db::migrate(&pool).await?;
    }
    let now = chrono::Utc::now();
    match name {
        JobName::Reminders => {
            let report =
                mvp_notifications::run_reminders(&pool, &config.server.public_url, now).await?;
            if report.ran {
                println!(
                    "reminders: checked {}, reminded {}, queued {}",
                    report.checked, report.reminded, report.queued
                );
            } else {
                println!("reminders: another process is running them");
            }
        }
        JobName::Deliver => {
            let state = AppState::new(config, pool.clone())?;
            let report = mvp_notifications::Deliverer::from_state(&state)?
                .run(now)
                .await?;
            println!(
                "deliver: sent {}, retried {}, failed {}, held {}",
                report.sent, report.retried, report.failed, report.held
            );
        }
        JobName::Purge => {
            let state = AppState::new(config, pool.clone())?;
            let settings = &state.config.documents;
            let report =
                mvp_documents::job::purge(&state.db, &state.storage, now, settings.retention_days)
                    .await?;
            println!("purge: {} document(s) purged", report.purged);
        }
        JobName::Backup => {
            let state = AppState::new(config, pool.clone())?;
            let report = mvp_backup::run_schedule(&state.db, &state.storage, now).await?;
            match (&report.made, report.busy) {
                (_, true) => println!("backup: another backup or restore is running"),
                (Some(row), _) => println!(
                    "backup: made {} ({}, {}), {} old backup(s) removed",
                    row.id,
                    row.schedules.join(", "),
                    row.status,
                    report.expired
                ),
                (None, _) => println!("backup: none due, {} old backup(s) removed", report.expired),
            }
        }
    }
    pool.close().await;
    Ok(())
}
