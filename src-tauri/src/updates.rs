//! Update checks against the signed manifests the user's own server hosts at
//! `/updates/{target}/{arch}/{current_version}`; signatures are checked with the
//! public key in tauri.conf.json.

use ordinavo_client::ServerAddress;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_updater::UpdaterExt;
use tracing::instrument;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[derive(Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UpdateStatus {
    UpToDate,
    Available { version: String, notes: Option<String> },
}

/// The event carrying the result of the check at start.
pub const UPDATE_EVENT: &str = "update-status";

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn check_updates(app: AppHandle, state: State<'_, AppState>) -> CommandResult<UpdateStatus> {
    let server = {
        let guard = state.client.lock().await;
        guard.as_ref().ok_or_else(CommandError::not_signed_in)?.api().server().clone()
    };
    check(&app, &server).await
}

/// Checks once at start, telling the UI only when an update exists.
pub fn check_at_start(app: &AppHandle, server: ServerAddress) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match check(&app, &server).await {
            Ok(status @ UpdateStatus::Available { .. }) => {
                let _ = app.emit(UPDATE_EVENT, status);
            }
            Ok(UpdateStatus::UpToDate) => {}
            Err(err) => tracing::info!(code = %err.code, "update check at start skipped"),
        }
    });
}

async fn check(app: &AppHandle, server: &ServerAddress) -> CommandResult<UpdateStatus> {
    let endpoint = server
        .url("/updates/{{target}}/{{arch}}/{{current_version}}")
        .parse()
        .map_err(|_| CommandError::new("invalid_address", "The server address cannot be used for updates."))?;
    let failed = |err: tauri_plugin_updater::Error| {
        CommandError::new("update_check_failed", format!("Checking for updates failed ({err}); try again later."))
    };
    let updater = app.updater_builder().endpoints(vec![endpoint]).map_err(failed)?.build().map_err(failed)?;
    Ok(match updater.check().await.map_err(failed)? {
        Some(update) => UpdateStatus::Available { version: update.version.clone(), notes: update.body.clone() },
        None => UpdateStatus::UpToDate,
    })
}
