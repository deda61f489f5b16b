//! Updates from the user's own server. The app checks at start and every few hours
//! against `/updates/{target}/{arch}/{current_version}` with its installation id (its
//! rollout bucket), its channel and its package kind, and with the session where the user
//! chose beta (the server honours beta only for a user whose customer staff allowed it).
//!
//! On "Install" the package downloads with progress; the updater plugin checks its
//! signature against the public key compiled in from tauri.conf.json, and that it was
//! signed for the version announced; the system's package manager installs it (dpkg or
//! rpm, elevated through pkexec or sudo); and the app restarts into the new version,
//! still signed in (the session is in the keyring, the cache on disk). A download that
//! fails or does not verify installs nothing, and the running version goes on.

use std::sync::Mutex;
use std::time::Duration;

use ordinavo_client::{installation, ServerAddress};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::utils::config::BundleType;
use tauri::utils::platform::bundle_type;
use tauri::{AppHandle, Emitter, Manager, State, Url};
use tauri_plugin_updater::{Update, UpdaterExt};
use tracing::instrument;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// How long a running app waits between two checks, after the one at start.
const CHECK_EVERY: Duration = Duration::from_secs(4 * 60 * 60);

/// The event carrying an update found by a background check.
pub const UPDATE_EVENT: &str = "update-status";

#[derive(Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UpdateStatus {
    UpToDate,
    Available { version: String, notes: Option<String> },
}

/// How an install goes, sent to the UI as it happens.
#[derive(Clone, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum InstallProgress {
    /// `total` is unknown when the server sends no length.
    Downloading { received: u64, total: Option<u64> },
    /// Downloaded and verified; the package manager is installing it.
    Installing,
    /// Installed; the app restarts into the new version.
    Restarting,
}

/// The update the last check found, which "Install" installs: the one the user saw.
#[derive(Default)]
pub struct Updates {
    found: Mutex<Option<Update>>,
    installing: tokio::sync::Mutex<()>,
}

impl Updates {
    fn keep(&self, update: Option<Update>) {
        *self.found.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = update;
    }

    fn found(&self) -> Option<Update> {
        self.found.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn check_updates(app: AppHandle) -> CommandResult<UpdateStatus> {
    check(&app).await
}

/// Downloads, verifies and installs the update the last check found, then restarts.
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn install_update(
    app: AppHandle,
    updates: State<'_, Updates>,
    progress: Channel<InstallProgress>,
) -> CommandResult<()> {
    let Ok(_one) = updates.installing.try_lock() else {
        return Err(CommandError::new("update_in_progress", "The update is already being installed."));
    };
    let update = updates
        .found()
        .ok_or_else(|| CommandError::new("no_update", "There is no update to install; check for updates first."))?;
    let mut received = 0u64;
    let bytes = update
        .download(
            |chunk, total| {
                received += chunk as u64;
                let _ = progress.send(InstallProgress::Downloading { received, total });
            },
            || {},
        )
        .await
        .map_err(download_failed)?;
    let _ = progress.send(InstallProgress::Installing);
    tracing::info!(version = %update.version, "update downloaded and verified; installing");
    let installing = update.clone();
    tauri::async_runtime::spawn_blocking(move || installing.install(bytes))
        .await
        .map_err(|_| install_failed("the installer stopped"))?
        .map_err(|err| install_failed(&err.to_string()))?;
    tracing::info!(version = %update.version, "update installed; restarting");
    let _ = progress.send(InstallProgress::Restarting);
    app.request_restart();
    Ok(())
}

/// The channels the server lets this user pick: `stable`, and `beta` where staff allow it.
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn update_channels(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    let api = state.api().await?;
    Ok(api.update_channels().await?)
}

/// Checks at start and then every few hours while signed in, telling the UI when an
/// update exists.
pub fn check_periodically(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            check_and_tell(&app).await;
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

/// One check in the background right after signing in: the one at start had no
/// session to ask with.
pub fn check_soon(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move { check_and_tell(&app).await });
}

async fn check_and_tell(app: &AppHandle) {
    match check(app).await {
        Ok(status @ UpdateStatus::Available { .. }) => {
            let _ = app.emit(UPDATE_EVENT, status);
        }
        Ok(UpdateStatus::UpToDate) => {}
        Err(err) => tracing::info!(code = %err.code, "update check skipped"),
    }
}

/// Who asks: the server signed in to, the installation, the channel and the session.
struct Caller {
    server: ServerAddress,
    installation: String,
    beta: bool,
    authorization: Option<String>,
}

async fn caller(app: &AppHandle) -> CommandResult<Caller> {
    let state = app.state::<AppState>();
    let beta = state.reader().ok().and_then(|reader| reader.settings().ok()).is_some_and(|s| s.beta_updates);
    let api = state.api().await?;
    let installation = installation::id(&state.app_dir)?;
    // The session goes along only where it is needed: for the beta channel.
    let authorization = if beta { api.authorization() } else { None };
    Ok(Caller { server: api.server().clone(), installation, beta, authorization })
}

/// The package kind this binary was installed from, as the server's `bundle` names it;
/// none for a binary run outside a package.
fn bundle() -> Option<&'static str> {
    match bundle_type()? {
        BundleType::Deb => Some("deb"),
        BundleType::Rpm => Some("rpm"),
        _ => None,
    }
}

fn endpoint(caller: &Caller) -> CommandResult<Url> {
    let mut url: Url = caller
        .server
        .url("/updates/{{target}}/{{arch}}/{{current_version}}")
        .parse()
        .map_err(|_| CommandError::new("invalid_address", "The server address cannot be used for updates."))?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("installation", &caller.installation);
        query.append_pair("channel", if caller.beta { "beta" } else { "stable" });
        if let Some(bundle) = bundle() {
            query.append_pair("bundle", bundle);
        }
    }
    Ok(url)
}

async fn check(app: &AppHandle) -> CommandResult<UpdateStatus> {
    let caller = caller(app).await?;
    let failed = |err: tauri_plugin_updater::Error| {
        CommandError::new("update_check_failed", format!("Checking for updates failed ({err}); try again later."))
    };
    let mut builder = app.updater_builder().endpoints(vec![endpoint(&caller)?]).map_err(failed)?;
    if let Some(authorization) = &caller.authorization {
        builder = builder.header("Authorization", authorization).map_err(failed)?;
    }
    let found = builder.build().map_err(failed)?.check().await.map_err(failed)?;
    let status = match &found {
        Some(update) => UpdateStatus::Available { version: update.version.clone(), notes: update.body.clone() },
        None => UpdateStatus::UpToDate,
    };
    app.state::<Updates>().keep(found);
    Ok(status)
}

fn download_failed(err: tauri_plugin_updater::Error) -> CommandError {
    use tauri_plugin_updater::Error;
    match err {
        Error::Minisign(_)
        | Error::Base64(_)
        | Error::SignatureUtf8(_)
        | Error::SignedVersionMismatch { .. }
        | Error::MissingSignedVersion => {
            tracing::warn!(error = %err, "a downloaded update failed its signature check");
            CommandError::new(
                "update_signature_invalid",
                "The downloaded update is not signed by Ordinavo and was not installed. This version keeps running.",
            )
        }
        other => CommandError::new(
            "update_download_failed",
            format!("The update could not be downloaded ({other}). This version keeps running; try again later."),
        ),
    }
}

fn install_failed(detail: &str) -> CommandError {
    CommandError::new(
        "update_install_failed",
        format!("The update could not be installed ({detail}). This version keeps running."),
    )
}
