//! Shared application state handed to every handler.

use std::sync::Arc;

use crate::config::Config;
use crate::storage::blobs::BlobStore;
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub blobs: Arc<dyn BlobStore>,
    /// The newest live event version, updated by `storage::watch`.
    pub events: tokio::sync::watch::Receiver<i64>,
}
