//! `ordinavo-server`: serve the portal, admin web and integration API, or run an
//! administrative command. Configuration comes from `ORDINAVO_*` variables.

use std::future::IntoFuture;
use std::io::{BufRead, IsTerminal};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use ordinavo_server::config::Config;
use ordinavo_server::records::{api_keys, staff};
use ordinavo_server::storage::blobs::{self, BlobStoreSpec};
use ordinavo_server::updates::publish::{self, PublishInput};
use ordinavo_server::{app, demo, open, ops};

#[derive(Parser)]
#[command(name = "ordinavo-server", version, about = "Ordinavo Customer Portal server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP on ORDINAVO_BIND (the default command).
    Serve {
        /// Seed demo data first, if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff users.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Manage integration API keys.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Manage attachment storage.
    Blobs {
        #[command(subcommand)]
        command: BlobsCommand,
    },
    /// Manage desktop app releases.
    Release {
        #[command(subcommand)]
        command: ReleaseCommand,
    },
}

#[derive(Subcommand)]
enum ReleaseCommand {
    /// Publish one platform's signed package of a desktop release; run it again with
    /// another --target/--arch/--bundle (same --notes and --channel) to add a platform.
    Publish {
        /// The app version in the package, e.g. 1.4.0
        #[arg(long)]
        version: String,
        /// The package (.deb or .rpm) the Tauri CLI built
        #[arg(long)]
        file: std::path::PathBuf,
        /// The package's updater signature: the .sig file next to it, or its text
        #[arg(long)]
        signature: String,
        /// What is new, shown to users before they install
        #[arg(long)]
        notes: String,
        /// stable or beta (beta reaches only customers staff allow it for)
        #[arg(long, default_value = "stable")]
        channel: String,
        /// The percentage of installations offered it (0–100); change it later on the admin page
        #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
        rollout: i64,
        #[arg(long, default_value = "linux")]
        target: String,
        #[arg(long, default_value = "x86_64")]
        arch: String,
        /// deb or rpm
        #[arg(long, default_value = "deb")]
        bundle: String,
    },
}

#[derive(Subcommand)]
enum BlobsCommand {
    /// Copy every attachment's blob from the configured store (ORDINAVO_BLOB_STORE) to
    /// another, checking each SHA-256; safe to run again. Then point ORDINAVO_BLOB_STORE
    /// at the new store and restart.
    Migrate {
        /// fs, database or s3://bucket?endpoint=…&region=…
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff user; the password is read from standard input or prompted for.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin or dispatcher
        #[arg(long, value_parser = ["admin", "dispatcher"])]
        role: String,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create a key and print it once.
    Create {
        #[arg(long)]
        name: String,
    },
    /// Revoke a key by id or name.
    Revoke {
        /// The key's id or name
        key: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ORDINAVO_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Migrate => {
            open(config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Staff { command: StaffCommand::Add { email, name, role } } => {
            let state = open(config).await?;
            let password = read_password()?;
            let role = staff::Role::parse(&role).context("role must be admin or dispatcher")?;
            let input = staff::NewStaff { email: &email, name: &name, role, password: &password };
            match staff::create(&state.db, input).await {
                Ok(id) => {
                    println!("staff user {email} created ({id})");
                    Ok(())
                }
                Err(err) => bail!("{}", describe(err)),
            }
        }
        Command::ApiKey { command: ApiKeyCommand::Create { name } } => {
            let name = name.trim();
            if name.is_empty() {
                bail!("--name must not be empty");
            }
            let state = open(config).await?;
            let key = api_keys::create(&state.db, name).await?;
            eprintln!("API key {name:?} created ({}). It is shown only now; store it safely:", key.id);
            println!("{}", key.secret);
            Ok(())
        }
        Command::Blobs { command: BlobsCommand::Migrate { to } } => {
            let spec = BlobStoreSpec::parse(&to, |name| std::env::var(name).ok().filter(|v| !v.is_empty())).map_err(
                |err| match err.name {
                    "ORDINAVO_BLOB_STORE" => anyhow::anyhow!("--to: {}", err.message),
                    name => anyhow::anyhow!("--to: {name}: {}", err.message),
                },
            )?;
            let state = open(config).await?;
            let target = blobs::open(Some(&spec), &state.config.data_dir, &state.db)?;
            let report = blobs::migrate::run(&state.db, state.blobs.as_ref(), &target).await?;
            println!("{} blobs copied, {} already there", report.copied, report.already_there);
            if !report.broken.is_empty() {
                bail!(
                    "{} blobs are missing from the source store or do not match their SHA-256, and were not copied: {}",
                    report.broken.len(),
                    report.broken.join(", ")
                );
            }
            Ok(())
        }
        Command::Release {
            command: ReleaseCommand::Publish { version, file, signature, notes, channel, rollout, target, arch, bundle },
        } => {
            let state = open(config).await?;
            let input = PublishInput { version, file, signature, notes, channel, rollout, target, arch, bundle };
            let platform = format!("{}-{} {}", input.target, input.arch, input.bundle);
            let version = input.version.clone();
            match publish::publish(&state, input).await {
                Ok(published) if published.new_release => {
                    println!("release {version} published for {platform} ({})", published.release_id);
                    Ok(())
                }
                Ok(published) => {
                    println!("{platform} added to release {version} ({})", published.release_id);
                    Ok(())
                }
                Err(err) => bail!("{}", describe(err)),
            }
        }
        Command::ApiKey { command: ApiKeyCommand::Revoke { key } } => {
            let state = open(config).await?;
            if api_keys::revoke(&state.db, &key).await? {
                println!("API key {key} revoked");
                Ok(())
            } else {
                bail!("no active API key with id or name {key:?}")
            }
        }
    }
}

async fn serve(config: Config, with_demo: bool) -> anyhow::Result<()> {
    let bind = config.bind;
    let metrics_bind = config.metrics_bind;
    let public_url = config.public_url.clone();
    let state = open(config).await?;
    if with_demo {
        if demo::seed(&state).await? {
            tracing::info!("demo data seeded");
        } else {
            tracing::info!("database not empty; demo data not seeded again");
        }
    }
    let shutdown = state.shutdown.clone();
    ops::shutdown::cancel_on_signal(shutdown.clone());
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("binding {bind}"))?;
    let metrics_listener = match metrics_bind {
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?),
        None => None,
    };
    tracing::info!(%public_url, "listening on {}", listener.local_addr()?);
    ops::cleanup::spawn(state.db.clone(), shutdown.clone());
    blobs::orphans::spawn(state.db.clone(), state.blobs.clone(), shutdown.clone());
    let metrics = match metrics_listener {
        Some(listener) => {
            tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
            let service = ops::metrics::router(state.metrics.clone());
            let served = axum::serve(listener, service).with_graceful_shutdown(shutdown.clone().cancelled_owned());
            Some(tokio::spawn(served.into_future()))
        }
        None => None,
    };
    let db = state.db.clone();
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served =
        axum::serve(listener, service).with_graceful_shutdown(shutdown.clone().cancelled_owned()).into_future();
    tokio::select! {
        served = served => served.context("serving HTTP")?,
        () = ops::shutdown::drain_deadline(shutdown) => {
            tracing::warn!("requests still in flight after {:?}; exiting anyway", ops::shutdown::DRAIN);
        }
    }
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    // Closing the pool lets SQLite checkpoint its WAL and PostgreSQL end the sessions cleanly.
    db.pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Reads a password from a pipe, or prompts without echo on a terminal.
fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(password)
}

/// Turns a validation error into one readable line for the terminal.
fn describe(err: ordinavo_server::error::AppError) -> String {
    match err {
        ordinavo_server::error::AppError::Invalid { fields, .. } if !fields.is_empty() => {
            fields.iter().map(|(field, problem)| format!("{field} {problem}")).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}
