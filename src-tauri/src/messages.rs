//! Messages on requests: written into the outbox first, so that nothing typed is lost
//! offline, and sent at once when the server is reachable.

use ordinavo_client::cache::QueuedMessage;
use tauri::State;
use tracing::instrument;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Queues a message on a request and sends it when possible; returns the message outbox.
#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn send_message(
    state: State<'_, AppState>,
    request_id: String,
    body: String,
) -> CommandResult<Vec<QueuedMessage>> {
    let mut guard = state.client.lock().await;
    let client = guard.as_mut().ok_or_else(CommandError::not_signed_in)?;
    client.queue_message(&request_id, &body)?;
    match client.flush_outbox(&|_| {}).await {
        Err(err) if !err.is_transient() => return Err(err.into()),
        _ => {}
    }
    Ok(client.queued_messages()?)
}

/// Drops a message the server refused.
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn discard_message(state: State<'_, AppState>, idempotency_key: String) -> CommandResult<Vec<QueuedMessage>> {
    let guard = state.client.lock().await;
    let client = guard.as_ref().ok_or_else(CommandError::not_signed_in)?;
    client.discard_message(&idempotency_key)?;
    Ok(client.queued_messages()?)
}
