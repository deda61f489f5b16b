//! Shared application state handed to every handler.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::ops::metrics::Metrics;
use crate::portal::event_hub::EventHub;
use crate::storage::blobs::BlobStore;
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub blobs: Arc<dyn BlobStore>,
    /// Reads new live events once for the instance and hands them to open streams.
    pub hub: EventHub,
    /// This instance's counters; scraped per instance, so they are the one state kept here.
    pub metrics: Arc<Metrics>,
    /// Cancelled when the server shuts down: open event streams end on it.
    pub shutdown: CancellationToken,
}
