//! Database access shared by every area: connecting, migrating, write transactions,
//! change versions and attachment blobs. Queries are written once, with `$n`
//! placeholders that both SQLite and PostgreSQL accept, through sqlx's `Any` driver.

pub mod blobs;
mod connect;
pub mod reader;
pub mod watch;
mod write_tx;

pub use connect::{connect, migrate, Backend, Db};
pub use write_tx::WriteTx;

/// A new random, time-ordered identifier (UUIDv7). Time order keeps keyset
/// pagination stable; the random part keeps ids unguessable.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current time as Unix milliseconds, the storage format of every timestamp.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
