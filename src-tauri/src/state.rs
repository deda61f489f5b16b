//! What the shell holds while it runs: the app data folder, the signed-in client
//! (shared with the background loop), a read-only connection to its cache for the
//! UI's reads, and that loop's task.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use ordinavo_client::api::Api;
use ordinavo_client::cache::Reader;
use ordinavo_client::runner::{self, Shared, Update};
use ordinavo_client::session::Account;
use ordinavo_client::sync::engine::Outcome;
use ordinavo_client::{Client, ClientError, ClientResult};
use tauri::{AppHandle, Emitter};

use crate::error::{CommandError, CommandResult};

/// The event the UI listens to for sync progress and session changes.
pub const SYNC_EVENT: &str = "sync-update";

/// The signed-in account and its read connection; reads never take the client's
/// lock, which sync holds while a page applies.
#[derive(Clone)]
pub struct Reading {
    pub account: Account,
    pub reader: Arc<Reader>,
    /// The cache could not be unlocked at start and is being filled afresh.
    pub rebuilt: bool,
}

type ReadSlot = Arc<RwLock<Option<Reading>>>;

pub struct AppState {
    pub app_dir: PathBuf,
    pub client: Shared,
    reading: ReadSlot,
    /// An invitation code from a deep link, kept until the UI takes it (it may
    /// arrive before the window has loaded).
    pub invitation: Mutex<Option<String>>,
    background: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl AppState {
    pub fn new(app_dir: PathBuf, client: Option<Client>) -> AppState {
        let reading = client.as_ref().and_then(reading_of);
        AppState {
            app_dir,
            client: Arc::new(tokio::sync::Mutex::new(client)),
            reading: Arc::new(RwLock::new(reading)),
            invitation: Mutex::new(None),
            background: Mutex::new(None),
        }
    }

    /// The signed-in client's API, for calls that need no cache: the client's lock is
    /// held only to copy it, never across the request.
    pub async fn api(&self) -> CommandResult<Api> {
        let guard = self.client.lock().await;
        Ok(guard.as_ref().ok_or_else(CommandError::not_signed_in)?.api().clone())
    }

    /// The signed-in account's reader, without waiting for sync.
    pub fn reading(&self) -> Option<Reading> {
        self.reading.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub fn reader(&self) -> CommandResult<Arc<Reader>> {
        self.reading().map(|r| r.reader).ok_or_else(CommandError::not_signed_in)
    }

    /// Installs a freshly signed-in client and starts its background sync.
    pub async fn sign_in(&self, app: &AppHandle, client: Client) {
        self.stop_background();
        set(&self.reading, reading_of(&client));
        *self.client.lock().await = Some(client);
        self.start_background(app);
    }

    /// Takes the client away, for signing out; its reader goes first.
    pub async fn take_client(&self) -> Option<Client> {
        self.stop_background();
        set(&self.reading, None);
        self.client.lock().await.take()
    }

    /// Forgets the client whose session the server ended (its data is already wiped).
    pub fn session_ended(&self, client: &mut Option<Client>) {
        set(&self.reading, None);
        *client = None;
    }

    /// (Re)starts the background sync loop for the current client.
    pub fn start_background(&self, app: &AppHandle) {
        self.stop_background();
        let emitter = app.clone();
        let reading = self.reading.clone();
        let on_update = Arc::new(move |update: Update| {
            if let Update::SessionEnded { .. } = update {
                set(&reading, None);
            }
            crate::tray::show_attention(&emitter);
            if let Err(err) = emitter.emit(SYNC_EVENT, &update) {
                tracing::warn!(error = %err, "sync update not delivered to the window");
            }
        });
        let task = tauri::async_runtime::spawn(runner::run(self.client.clone(), runner::PERIOD, on_update));
        if let Ok(mut slot) = self.background.lock() {
            *slot = Some(task);
        }
    }

    /// One sync to the end now ("Sync now" in the window or the tray); the count follows.
    pub async fn sync_once(&self, app: &AppHandle) -> ClientResult<Outcome> {
        let mut guard = self.client.lock().await;
        let client = guard.as_mut().ok_or(ClientError::NotSignedIn)?;
        let result = client.sync().await;
        if let Err(ClientError::SessionEnded) = &result {
            self.session_ended(&mut guard);
        }
        drop(guard);
        crate::tray::show_attention(app);
        result
    }

    pub fn stop_background(&self) {
        if let Some(task) = self.background.lock().ok().and_then(|mut slot| slot.take()) {
            task.abort();
        }
    }
}

fn reading_of(client: &Client) -> Option<Reading> {
    match client.reader() {
        Ok(reader) => {
            Some(Reading { account: client.account().clone(), reader: Arc::new(reader), rebuilt: client.rebuilt() })
        }
        Err(err) => {
            tracing::warn!(code = err.code(), "the cache could not be opened for reading");
            None
        }
    }
}

fn set(slot: &ReadSlot, reading: Option<Reading>) {
    *slot.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = reading;
}
