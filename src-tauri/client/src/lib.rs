//! The Ordinavo desktop client without Tauri: the portal API client, the session in
//! the OS keyring, the offline cache with delta sync, the request outbox, native
//! notifications and attachment downloads. The Tauri shell is a thin layer over this.

pub mod address;
pub mod api;
pub mod attention;
pub mod cache;
pub mod client;
pub mod download;
pub mod error;
pub mod installation;
pub mod live;
pub mod notices;
pub mod notifier;
pub mod opening;
pub mod records;
pub mod runner;
pub mod session;
pub mod sync;
pub mod upload;

pub use address::ServerAddress;
pub use client::Client;
pub use error::{ClientError, ClientResult};

/// Now as an RFC 3339 UTC instant, the format of every instant on the wire.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
