//! One thin, traced command per UI action; each calls into `ordinavo-client`.
//! Passwords and tokens are never traced (`skip_all`).

use ordinavo_client::attention::{Attention, Group};
use ordinavo_client::cache::window::{Slice, Window};
use ordinavo_client::cache::{Queued, QueuedFile, QueuedMessage};
use ordinavo_client::notices::Settings;
use ordinavo_client::session::Account;
use ordinavo_client::sync::engine::Outcome;
use ordinavo_client::{Client, ServerAddress};
use portal_types::{
    AcceptInvitation, AccessLogEntryView, NewRequestInput, Page, PasswordChange, RequestView, StatusLabels, SyncKind,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};
use tracing::instrument;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// What the UI shows around the cached lists.
#[derive(Serialize)]
pub struct Overview {
    pub account: Option<Account>,
    /// The user's name from the server, once known.
    pub display_name: Option<String>,
    /// The user manages their colleagues' access (the Colleagues screen).
    pub customer_admin: bool,
    pub last_synced_at: Option<String>,
    /// Requests waiting to send, or refused with a reason.
    pub outbox: Vec<Queued>,
    /// Messages on requests waiting to send, or refused with a reason.
    pub message_outbox: Vec<QueuedMessage>,
    /// Files for requests waiting to send, or refused with a reason.
    pub file_outbox: Vec<QueuedFile>,
    /// The company's status wording, once a sync brought it (the UI's own words before).
    pub status_labels: Option<StatusLabels>,
    /// The cache could not be unlocked at start (its key left the system keyring), so
    /// it was discarded and is being downloaded again.
    pub cache_rebuilt: bool,
    /// What needs the user's attention, as the tray and the window title count it.
    pub attention: Attention,
}

#[derive(Clone, Serialize)]
pub struct Progress {
    pub received: u64,
    pub total: u64,
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    server: String,
    email: String,
    password: String,
) -> CommandResult<Account> {
    let server = ServerAddress::parse(&server)?;
    let client = Client::sign_in(&state.app_dir, &server, &email, &password, crate::notifier(&app)).await?;
    signed_in(&app, &state, client).await
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn accept_invitation(
    app: AppHandle,
    state: State<'_, AppState>,
    server: String,
    code: String,
    display_name: String,
    password: String,
) -> CommandResult<Account> {
    let server = ServerAddress::parse(&server)?;
    let input = AcceptInvitation { code, display_name, password };
    let client = Client::accept_invitation(&state.app_dir, &server, &input, crate::notifier(&app)).await?;
    signed_in(&app, &state, client).await
}

/// The invitation code of the last `ordinavo://invite/…` link, once.
#[tauri::command]
#[instrument(skip_all)]
pub fn take_invitation(state: State<'_, AppState>) -> Option<String> {
    state.invitation.lock().ok().and_then(|mut slot| slot.take())
}

/// Returns as soon as the session is stored; the first sync runs in the background
/// and reports its progress.
async fn signed_in(app: &AppHandle, state: &AppState, client: Client) -> CommandResult<Account> {
    let account = client.account().clone();
    state.sign_in(app, client).await;
    crate::updates::check_soon(app);
    Ok(account)
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    let client = state.take_client().await.ok_or_else(CommandError::not_signed_in)?;
    crate::tray::show_attention(&app);
    Ok(client.sign_out().await?)
}

/// Signs out on every device of this user; this one keeps nothing either.
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn sign_out_everywhere(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    let client = state.take_client().await.ok_or_else(CommandError::not_signed_in)?;
    crate::tray::show_attention(&app);
    Ok(client.sign_out_everywhere().await?)
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn change_password(
    state: State<'_, AppState>,
    current_password: String,
    new_password: String,
) -> CommandResult<()> {
    // The cache is not shared across threads, so only the API client crosses the await.
    let api = state.api().await?;
    let input = PasswordChange { current_password, new_password };
    Ok(api.change_password(&input).await?)
}

/// A page of the access log, read from the server: it is not kept on this computer.
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn access_log(state: State<'_, AppState>, after: Option<String>) -> CommandResult<Page<AccessLogEntryView>> {
    let api = state.api().await?;
    Ok(api.access_log(after.as_deref()).await?)
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn overview(state: State<'_, AppState>) -> CommandResult<Overview> {
    let Some(reading) = state.reading() else {
        return Ok(Overview {
            account: None,
            display_name: None,
            customer_admin: false,
            last_synced_at: None,
            outbox: Vec::new(),
            message_outbox: Vec::new(),
            file_outbox: Vec::new(),
            status_labels: None,
            cache_rebuilt: false,
            attention: Attention::default(),
        });
    };
    Ok(Overview {
        account: Some(reading.account),
        display_name: reading.reader.display_name()?,
        customer_admin: reading.reader.customer_admin()?,
        last_synced_at: reading.reader.last_synced_at()?,
        outbox: reading.reader.outbox()?,
        message_outbox: reading.reader.queued_messages()?,
        file_outbox: reading.reader.queued_files()?,
        status_labels: reading.reader.status_labels()?,
        cache_rebuilt: reading.rebuilt,
        attention: reading.reader.attention()?,
    })
}

/// One window of a cached list (appointments, requests, work, reports, …), read
/// while sync may be writing.
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn read_window(state: State<'_, AppState>, query: Window) -> CommandResult<Slice<Value>> {
    Ok(state.reader()?.window(&query)?)
}

/// One cached record, for a detail screen.
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn read_record(state: State<'_, AppState>, kind: SyncKind, id: String) -> CommandResult<Option<Value>> {
    Ok(state.reader()?.get(kind, &id)?)
}

/// Queues a request and sends it at once when possible; offline it waits in the outbox.
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn submit_request(state: State<'_, AppState>, input: NewRequestInput) -> CommandResult<Vec<Queued>> {
    let mut guard = state.client.lock().await;
    let client = guard.as_mut().ok_or_else(CommandError::not_signed_in)?;
    client.queue_request(&input)?;
    match client.flush_outbox(&|_| {}).await {
        Err(err) if !err.is_transient() => return Err(err.into()),
        _ => {}
    }
    Ok(client.outbox()?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn discard_request(state: State<'_, AppState>, idempotency_key: String) -> CommandResult<Vec<Queued>> {
    let guard = state.client.lock().await;
    let client = guard.as_ref().ok_or_else(CommandError::not_signed_in)?;
    client.discard_queued(&idempotency_key)?;
    Ok(client.outbox()?)
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn cancel_request(state: State<'_, AppState>, id: String) -> CommandResult<RequestView> {
    let mut guard = state.client.lock().await;
    Ok(guard.as_mut().ok_or_else(CommandError::not_signed_in)?.cancel_request(&id).await?)
}

/// A downloaded attachment and how the UI may offer it.
#[derive(Serialize)]
pub struct Downloaded {
    pub path: String,
    /// Documents and images open with the system's application; anything else is
    /// only shown in its folder.
    pub opens_directly: bool,
}

/// Downloads an attachment (or finds the kept copy), streaming progress to the UI.
#[tauri::command]
#[instrument(skip(state, progress), err(Debug))]
pub async fn download_attachment(
    state: State<'_, AppState>,
    id: String,
    progress: Channel<Progress>,
) -> CommandResult<Downloaded> {
    let mut guard = state.client.lock().await;
    let client = guard.as_mut().ok_or_else(CommandError::not_signed_in)?;
    let path = client
        .download(&id, |received, total| {
            let _ = progress.send(Progress { received, total });
        })
        .await?;
    let opens_directly = client.opens_directly(&id, &path)?;
    Ok(Downloaded { path: path.to_string_lossy().to_string(), opens_directly })
}

/// Opens a downloaded document or image with the system's default application;
/// any other type is refused (the UI offers "Show in folder" instead).
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn open_attachment(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let path = {
        let mut guard = state.client.lock().await;
        let client = guard.as_mut().ok_or_else(CommandError::not_signed_in)?;
        let path = client.download(&id, |_, _| {}).await?;
        if !client.opens_directly(&id, &path)? {
            return Err(CommandError::new(
                "not_openable",
                "This kind of file is not opened directly; show it in its folder instead.",
            ));
        }
        path
    };
    open::that_detached(&path)
        .map_err(|err| CommandError::new("open_failed", format!("No application could open the file ({err}).")))
}

/// Shows the folder holding a downloaded attachment in the system's file manager.
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn show_attachment_in_folder(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    let path = {
        let mut guard = state.client.lock().await;
        guard.as_mut().ok_or_else(CommandError::not_signed_in)?.download(&id, |_, _| {}).await?
    };
    let folder = path.parent().unwrap_or(&path);
    open::that_detached(folder)
        .map_err(|err| CommandError::new("open_failed", format!("No file manager could show the folder ({err}).")))
}

#[tauri::command]
#[instrument(skip(app, state), err(Debug))]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> CommandResult<Outcome> {
    Ok(state.sync_once(&app).await?)
}

/// The user opened the screen of `group`: what it shows no longer counts. Ignored
/// while the window is hidden in the tray or minimized, where nobody sees it.
#[tauri::command]
#[instrument(skip(app, state), err(Debug))]
pub async fn mark_seen(app: AppHandle, state: State<'_, AppState>, group: Group) -> CommandResult<Attention> {
    let shown = app
        .get_webview_window("main")
        .is_some_and(|w| w.is_visible().unwrap_or(true) && !w.is_minimized().unwrap_or(false));
    if shown {
        let guard = state.client.lock().await;
        guard.as_ref().ok_or_else(CommandError::not_signed_in)?.look(group)?;
    }
    crate::tray::show_attention(&app);
    Ok(state.reader()?.attention()?)
}

/// The user's choices in Settings: those kept in the cache, and starting at login,
/// which is the system's autostart entry.
#[derive(Debug, Serialize, Deserialize)]
pub struct AppSettings {
    #[serde(flatten)]
    pub choices: Settings,
    pub start_at_login: bool,
}

#[tauri::command]
#[instrument(skip(app, state), err(Debug))]
pub async fn get_settings(app: AppHandle, state: State<'_, AppState>) -> CommandResult<AppSettings> {
    Ok(AppSettings { choices: state.reader()?.settings()?, start_at_login: crate::autostart::enabled(&app)? })
}

#[tauri::command]
#[instrument(skip(app, state), err(Debug))]
pub async fn set_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: AppSettings,
) -> CommandResult<AppSettings> {
    {
        let guard = state.client.lock().await;
        guard.as_ref().ok_or_else(CommandError::not_signed_in)?.set_settings(&settings.choices)?;
    }
    crate::autostart::set(&app, settings.start_at_login)?;
    get_settings(app, state).await
}
