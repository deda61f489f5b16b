//! Update checks against the signed manifests the user's own server hosts at
//! `/updates/{target}/{arch}/{current_version}`; signatures are checked with the
//! public key in tauri.conf.json.

use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_updater::UpdaterExt;
use tracing::instrument;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UpdateStatus {
    UpToDate,
    Available { version: String, notes: Option<String> },
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn check_updates(app: AppHandle, state: State<'_, AppState>) -> CommandResult<UpdateStatus> {
    let server = {
        let guard = state.client.lock().await;
        guard.as_ref().ok_or_else(CommandError::not_signed_in)?.api().server().clone()
    };
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
