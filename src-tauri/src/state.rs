//! What the shell holds while it runs: the app data folder, the signed-in client
//! (shared with the background loop) and that loop's task.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ordinavo_client::runner::{self, Shared, Update};
use ordinavo_client::Client;
use tauri::{AppHandle, Emitter};

/// The event the UI listens to for sync progress and session changes.
pub const SYNC_EVENT: &str = "sync-update";

pub struct AppState {
    pub app_dir: PathBuf,
    pub client: Shared,
    /// An invitation code from a deep link, kept until the UI takes it (it may
    /// arrive before the window has loaded).
    pub invitation: Mutex<Option<String>>,
    background: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl AppState {
    pub fn new(app_dir: PathBuf, client: Option<Client>) -> AppState {
        AppState {
            app_dir,
            client: Arc::new(tokio::sync::Mutex::new(client)),
            invitation: Mutex::new(None),
            background: Mutex::new(None),
        }
    }

    /// (Re)starts the background sync loop for the current client.
    pub fn start_background(&self, app: &AppHandle) {
        self.stop_background();
        let emitter = app.clone();
        let on_update = Arc::new(move |update: Update| {
            if let Err(err) = emitter.emit(SYNC_EVENT, &update) {
                tracing::warn!(error = %err, "sync update not delivered to the window");
            }
        });
        let task = tauri::async_runtime::spawn(runner::run(self.client.clone(), runner::PERIOD, on_update));
        if let Ok(mut slot) = self.background.lock() {
            *slot = Some(task);
        }
    }

    pub fn stop_background(&self) {
        if let Some(task) = self.background.lock().ok().and_then(|mut slot| slot.take()) {
            task.abort();
        }
    }
}
