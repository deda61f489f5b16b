//! Photos and documents sent with a request: the UI hands over the bytes of a file
//! the user picked or dropped (the app never reads paths of its own), they go into
//! the outbox first, so nothing picked is lost offline, and are sent at once when the
//! server is reachable.

use ordinavo_client::cache::{NewFile, QueuedFile};
use percent_encoding::percent_decode_str;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;
use tracing::instrument;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Queues a file for a request and sends it when possible; returns the file outbox.
/// The payload is the file's bytes; headers name the request (`x-request-id`), the
/// file (`x-file-name`, percent-encoded) and its type (`x-content-type`).
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn attach_file(state: State<'_, AppState>, request: Request<'_>) -> CommandResult<Vec<QueuedFile>> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new("invalid_input", "The file's content did not arrive."));
    };
    let header = |name: &str| {
        let value = request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        percent_decode_str(value).decode_utf8_lossy().into_owned()
    };
    let (request_id, file_name, content_type) =
        (header("x-request-id"), header("x-file-name"), header("x-content-type"));
    if request_id.is_empty() {
        return Err(CommandError::new("invalid_input", "No request was named for the file."));
    }
    let mut guard = state.client.lock().await;
    let client = guard.as_mut().ok_or_else(CommandError::not_signed_in)?;
    let file = NewFile { request_id: &request_id, file_name: &file_name, content_type: &content_type, bytes };
    client.queue_file(&file)?;
    match client.flush_outbox(&|_| {}).await {
        Err(err) if !err.is_transient() => return Err(err.into()),
        _ => {}
    }
    Ok(client.queued_files()?)
}

/// Drops a file the server refused.
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn discard_file(state: State<'_, AppState>, idempotency_key: String) -> CommandResult<Vec<QueuedFile>> {
    let guard = state.client.lock().await;
    let client = guard.as_ref().ok_or_else(CommandError::not_signed_in)?;
    client.discard_file(&idempotency_key)?;
    Ok(client.queued_files()?)
}
