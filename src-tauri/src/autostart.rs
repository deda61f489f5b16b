//! Starting at login, through the official autostart plugin (an XDG autostart entry
//! on Linux, a launch agent on macOS, the Run key on Windows). The entry starts the
//! app with `--minimized`, so it waits in the tray instead of opening its window.

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Wry};
use tauri_plugin_autostart::{MacosLauncher, ManagerExt};

use crate::error::{CommandError, CommandResult};

/// The argument of a start at login: the window stays hidden.
pub const MINIMIZED: &str = "--minimized";

pub fn plugin() -> TauriPlugin<Wry> {
    tauri_plugin_autostart::init(MacosLauncher::LaunchAgent, Some(vec![MINIMIZED]))
}

/// True when this run was started at login.
pub fn started_minimized() -> bool {
    std::env::args().any(|arg| arg == MINIMIZED)
}

pub fn enabled(app: &AppHandle) -> CommandResult<bool> {
    app.autolaunch().is_enabled().map_err(failed)
}

/// Adds or removes the app's entry among the programs started at login.
pub fn set(app: &AppHandle, start_at_login: bool) -> CommandResult<()> {
    let launcher = app.autolaunch();
    if launcher.is_enabled().map_err(failed)? == start_at_login {
        return Ok(());
    }
    let result = if start_at_login { launcher.enable() } else { launcher.disable() };
    result.map_err(failed)
}

fn failed(err: tauri_plugin_autostart::Error) -> CommandError {
    CommandError::new("autostart_failed", format!("Starting at login could not be changed ({err})."))
}
