//! The background loop of a signed-in app: sync at start, on every live event,
//! every few minutes, and as soon as the connection comes back, with backoff while
//! offline. Waiting requests are sent before each sync. The client is locked one
//! page at a time, so the app's own actions wait for a page at most, and progress
//! is reported after every page that has more behind it.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, Mutex};

use crate::api::Api;
use crate::error::ClientError;
use crate::live::{backoff, listen};
use crate::sync::engine::{Outcome, Progress};
use crate::Client;

/// The signed-in client shared by the app and this loop; `None` once signed out.
pub type Shared = Arc<Mutex<Option<Client>>>;

/// What the loop tells the app after each round.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Update {
    /// The live event connection is open: changes arrive within moments.
    Connected,
    /// A page of a sync is stored and more follow; what it brought is readable now.
    Progress {
        progress: Progress,
    },
    Synced {
        outcome: Outcome,
        sent: usize,
    },
    Offline {
        message: String,
    },
    Failed {
        code: String,
        message: String,
    },
    /// The server ended the session; the user's data is gone and they must sign in.
    SessionEnded {
        message: String,
    },
}

/// Runs until the client is signed out or its session ends.
pub async fn run(shared: Shared, period: Duration, on_update: Arc<dyn Fn(Update) + Send + Sync>) {
    let (api, last_event) = match shared.lock().await.as_ref() {
        Some(client) => (client.api().clone(), client.last_event_id().ok().flatten()),
        None => return,
    };
    let (wake, mut woken) = mpsc::unbounded_channel::<Option<String>>();
    // Dropped with this future, so aborting the loop also ends the live connection.
    let _live = AbortOnDrop(tokio::spawn(follow(api, last_event, wake.clone(), on_update.clone())));
    let _ = wake.send(None);
    let mut failures = 0u32;
    loop {
        let wait = if failures == 0 { period } else { backoff(failures).min(period) };
        let mut event_id = tokio::select! {
            woke = woken.recv() => woke.flatten(),
            _ = tokio::time::sleep(wait) => None,
        };
        while let Ok(woke) = woken.try_recv() {
            event_id = woke.or(event_id);
        }
        let sent = match shared.lock().await.as_mut() {
            Some(client) => client.flush_outbox(&|_| {}).await,
            None => break,
        };
        let synced = sync(&shared, on_update.as_ref()).await;
        let mut guard = shared.lock().await;
        let Some(client) = guard.as_mut() else { break };
        let update = match (sent, synced) {
            (Err(ClientError::SessionEnded), _) | (_, Err(ClientError::SessionEnded)) => {
                *guard = None;
                on_update(Update::SessionEnded { message: ClientError::SessionEnded.to_string() });
                break;
            }
            (sent, Ok(outcome)) => {
                failures = 0;
                if let Some(id) = event_id {
                    if let Err(err) = client.set_last_event_id(&id) {
                        tracing::warn!(error = %err, "live event position not stored");
                    }
                }
                Update::Synced { outcome, sent: sent.unwrap_or(0) }
            }
            (_, Err(err)) if err.is_transient() => {
                failures += 1;
                Update::Offline { message: err.to_string() }
            }
            (_, Err(err)) => {
                failures += 1;
                Update::Failed { code: err.code().to_string(), message: err.to_string() }
            }
        };
        drop(guard);
        on_update(update);
    }
}

/// One sync to the end, taking the client for one page at a time.
async fn sync(shared: &Shared, on_update: &(dyn Fn(Update) + Send + Sync)) -> Result<Outcome, ClientError> {
    let mut run = match shared.lock().await.as_ref() {
        Some(client) => client.begin_sync()?,
        None => return Err(ClientError::NotSignedIn),
    };
    loop {
        let more = match shared.lock().await.as_mut() {
            Some(client) => client.sync_step(&mut run).await?,
            None => return Err(ClientError::NotSignedIn),
        };
        if !more {
            return Ok(run.outcome);
        }
        on_update(Update::Progress { progress: run.progress });
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Keeps a live event connection open, waking the loop on every event and whenever a
/// connection opens (the network is back), reconnecting with backoff.
async fn follow(
    api: Api,
    mut last: Option<String>,
    wake: mpsc::UnboundedSender<Option<String>>,
    on_update: Arc<dyn Fn(Update) + Send + Sync>,
) {
    let mut failures = 0u32;
    loop {
        let resume = last.clone();
        let result = listen(
            &api,
            resume.as_deref(),
            || {
                failures = 0;
                let _ = wake.send(None);
                on_update(Update::Connected);
            },
            |event| {
                last = Some(event.id.clone());
                let _ = wake.send(Some(event.id));
            },
        )
        .await;
        if let Err(ClientError::SessionEnded) = result {
            // The loop's next sync finds out too and stops everything.
            let _ = wake.send(None);
            return;
        }
        if wake.is_closed() {
            return;
        }
        tokio::time::sleep(backoff(failures)).await;
        failures += 1;
    }
}

/// How often the loop syncs without a live event.
pub const PERIOD: Duration = Duration::from_secs(5 * 60);
