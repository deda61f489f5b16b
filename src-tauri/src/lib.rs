//! Desktop shell of the Ordinavo Customer Portal on Tauri v2: a thin layer of
//! commands over `ordinavo-client`, the background sync loop, invitation deep links
//! (`ordinavo://invite/<code>`, handed over by a second launch), updates checked and
//! installed, the tray with the attention count, and starting at login.

mod autostart;
mod colleagues;
mod commands;
mod error;
mod files;
mod messages;
mod state;
mod tray;
mod updates;

use std::sync::Arc;

use ordinavo_client::notifier::{ClickableNotifier, Notifier};
use ordinavo_client::Client;
use portal_types::TimelineKind;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::state::AppState;

/// The event carrying an invitation code from an `ordinavo://invite/…` link to the UI.
const INVITE_EVENT: &str = "invite-link";
/// The event asking the UI to show what a clicked notification is about.
const OPEN_EVENT: &str = "open-item";

/// The follow-up, report or appointment a clicked notification is about; both
/// `None` for a digest of several, which opens the home screen.
#[derive(Clone, Serialize)]
struct OpenItem {
    kind: Option<TimelineKind>,
    subject_id: Option<String>,
}

/// Builds the Tauri app and runs it until its last window closes.
///
/// # Panics
///
/// Panics if the Tauri runtime cannot start, for example without a display.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("ORDINAVO_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    tauri::Builder::default()
        // First, so a second launch hands its arguments (and deep link) over and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| focus(app)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(autostart::plugin())
        .setup(|app| {
            let app_dir = app.path().app_data_dir()?;
            let client = match Client::resume(&app_dir, notifier(app.handle())) {
                Ok(client) => client,
                Err(err) => {
                    tracing::warn!(code = err.code(), "the stored session could not be opened");
                    None
                }
            };
            let signed_in = client.is_some();
            let state = AppState::new(app_dir, client);
            if signed_in {
                state.start_background(app.handle());
            }
            app.manage(state);
            app.manage(updates::Updates::default());
            updates::check_periodically(app.handle());
            let in_tray = tray::build(app.handle());
            tray::show_attention(app.handle());
            // The window is created hidden: shown now, unless started at login into the tray.
            if !(in_tray && autostart::started_minimized()) {
                focus(app.handle());
            }
            #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
            if let Err(err) = app.deep_link().register_all() {
                tracing::warn!(error = %err, "ordinavo:// links could not be registered");
            }
            // Also delivers the link the app was started with.
            let handle = app.handle().clone();
            tracing::info!(signed_in, "desktop app started");
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    hand_over_invitation(&handle, url.as_str());
                }
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                if keeps_running(window.app_handle()) {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::sign_in,
            commands::accept_invitation,
            commands::take_invitation,
            commands::sign_out,
            commands::sign_out_everywhere,
            commands::change_password,
            commands::access_log,
            colleagues::colleagues,
            colleagues::invite_colleague,
            colleagues::colleague_action,
            commands::overview,
            commands::read_window,
            commands::read_record,
            commands::submit_request,
            commands::discard_request,
            commands::cancel_request,
            messages::send_message,
            messages::discard_message,
            files::attach_file,
            files::discard_file,
            commands::download_attachment,
            commands::open_attachment,
            commands::show_attachment_in_folder,
            commands::sync_now,
            commands::mark_seen,
            commands::get_settings,
            commands::set_settings,
            updates::check_updates,
            updates::install_update,
            updates::update_channels,
        ])
        .run(tauri::generate_context!())
        .expect("failed to run the Ordinavo desktop app");
}

/// Native notifications whose click brings the window up on the related item.
fn notifier(app: &AppHandle) -> Arc<dyn Notifier> {
    let app = app.clone();
    Arc::new(ClickableNotifier::new(move |notice| {
        focus(&app);
        let (kind, subject_id) = notice.subject.clone().unzip();
        let item = OpenItem { kind, subject_id };
        if let Err(err) = app.emit(OPEN_EVENT, item) {
            tracing::warn!(error = %err, "notification click not delivered to the window");
        }
    }))
}

/// The invitation code of an `ordinavo://invite/<code>` link.
fn invitation_code(url: &str) -> Option<&str> {
    let code = url.strip_prefix("ordinavo://invite/")?.trim_end_matches('/');
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(code)
}

fn hand_over_invitation(app: &AppHandle, url: &str) {
    match invitation_code(url) {
        Some(code) => {
            focus(app);
            tracing::info!("invitation link received");
            if let Some(state) = app.try_state::<AppState>() {
                if let Ok(mut slot) = state.invitation.lock() {
                    *slot = Some(code.to_string());
                }
            }
            if let Err(err) = app.emit(INVITE_EVENT, code) {
                tracing::warn!(error = %err, "invitation not delivered to the window");
            }
        }
        None => tracing::warn!("ignored a link that is not an invitation"),
    }
}

/// Whether closing the window leaves the app running in the tray: the user chose so,
/// and there is a tray to come back from.
fn keeps_running(app: &AppHandle) -> bool {
    let chosen = app
        .try_state::<AppState>()
        .and_then(|state| state.reading())
        .and_then(|reading| reading.reader.settings().map(|s| s.keep_in_tray).ok());
    chosen.unwrap_or(false) && tray::present(app)
}

/// Brings the window up, also out of the tray.
fn focus(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    use super::invitation_code;

    #[test]
    fn only_invitation_links_yield_a_code() {
        assert_eq!(invitation_code("ordinavo://invite/abc_DEF-123"), Some("abc_DEF-123"));
        assert_eq!(invitation_code("ordinavo://invite/abc/"), Some("abc"));
        assert_eq!(invitation_code("ordinavo://invite/"), None);
        assert_eq!(invitation_code("ordinavo://settings"), None);
        assert_eq!(invitation_code("ordinavo://invite/a?b=<script>"), None);
    }
}
