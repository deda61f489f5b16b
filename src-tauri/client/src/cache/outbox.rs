//! The outbox: requests waiting to be sent, each with the idempotency key it will
//! always be sent with, so a resend after a crash cannot create a second request.

use portal_types::NewRequestInput;
use rusqlite::{params, Connection};
use serde::Serialize;

use super::Cache;
use crate::error::ClientResult;
use crate::records::Row;

/// A request in the outbox, shown as "waiting to send".
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    pub idempotency_key: String,
    pub input: NewRequestInput,
    pub queued_at: String,
    /// Why the server refused it, when it did; such a request is not resent.
    pub last_error: Option<String>,
}

impl Cache {
    pub fn queue(&self, key: &str, input: &NewRequestInput, now: &str) -> ClientResult<()> {
        let json = serde_json::to_string(input).unwrap_or_default();
        self.conn.execute(
            "INSERT INTO outbox (idempotency_key, input, queued_at) VALUES (?1, ?2, ?3)",
            params![key, json, now],
        )?;
        Ok(())
    }

    /// The outbox, oldest first.
    pub fn outbox(&self) -> ClientResult<Vec<Queued>> {
        queued(&self.conn)
    }

    /// The server accepted the request: it leaves the outbox and enters the cache at once.
    pub fn sent(&mut self, key: &str, request: &Row) -> ClientResult<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM outbox WHERE idempotency_key = ?1", [key])?;
        super::upsert(&tx, request)?;
        tx.commit()?;
        Ok(())
    }

    /// The server refused the request for good (for example a field is invalid).
    pub fn refused(&self, key: &str, message: &str) -> ClientResult<()> {
        self.conn.execute("UPDATE outbox SET last_error = ?2 WHERE idempotency_key = ?1", [key, message])?;
        Ok(())
    }

    /// Drops a refused request the user gave up on.
    pub fn discard(&self, key: &str) -> ClientResult<()> {
        self.conn.execute("DELETE FROM outbox WHERE idempotency_key = ?1", [key])?;
        Ok(())
    }
}

/// The outbox, oldest first, on any connection to the cache.
pub fn queued(conn: &Connection) -> ClientResult<Vec<Queued>> {
    let mut statement = conn.prepare(
        "SELECT idempotency_key, input, queued_at, last_error FROM outbox ORDER BY queued_at, idempotency_key",
    )?;
    let rows = statement
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?)))?;
    let mut list = Vec::new();
    for row in rows {
        let (idempotency_key, input, queued_at, last_error) = row?;
        if let Ok(input) = serde_json::from_str(&input) {
            list.push(Queued { idempotency_key, input, queued_at, last_error });
        }
    }
    Ok(list)
}
