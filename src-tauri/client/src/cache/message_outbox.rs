//! Messages written on requests while offline (or not yet sent), each with the
//! idempotency key it will always be sent with: a resend after a crash, or after the
//! answer was lost, cannot post a second message.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::Cache;
use crate::error::ClientResult;
use crate::records::Row;

/// A message in the outbox, shown in its thread as "waiting to send".
#[derive(Debug, Clone, Serialize)]
pub struct QueuedMessage {
    pub idempotency_key: String,
    pub request_id: String,
    pub body: String,
    pub queued_at: String,
    /// Why the server refused it, when it did; such a message is not resent.
    pub last_error: Option<String>,
}

impl Cache {
    pub fn queue_message(&self, key: &str, request_id: &str, body: &str, now: &str) -> ClientResult<()> {
        self.conn.execute(
            "INSERT INTO message_outbox (idempotency_key, request_id, body, queued_at) VALUES (?1, ?2, ?3, ?4)",
            params![key, request_id, body, now],
        )?;
        Ok(())
    }

    /// The message outbox, oldest first.
    pub fn queued_messages(&self) -> ClientResult<Vec<QueuedMessage>> {
        queued_messages(&self.conn)
    }

    /// The server took the message: it leaves the outbox, and its request (with the
    /// thread as the server has it now) replaces the cached one, in one transaction.
    pub fn message_sent(&mut self, key: &str, request: &Row) -> ClientResult<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM message_outbox WHERE idempotency_key = ?1", [key])?;
        super::upsert(&tx, request)?;
        tx.commit()?;
        Ok(())
    }

    /// The server refused the message for good (empty, too long, request gone).
    pub fn message_refused(&self, key: &str, message: &str) -> ClientResult<()> {
        self.conn.execute("UPDATE message_outbox SET last_error = ?2 WHERE idempotency_key = ?1", [key, message])?;
        Ok(())
    }

    /// Drops a refused message the user gave up on.
    pub fn discard_message(&self, key: &str) -> ClientResult<()> {
        self.conn.execute("DELETE FROM message_outbox WHERE idempotency_key = ?1", [key])?;
        Ok(())
    }
}

/// The message outbox, oldest first, on any connection to the cache.
pub fn queued_messages(conn: &Connection) -> ClientResult<Vec<QueuedMessage>> {
    let mut statement = conn.prepare(
        "SELECT idempotency_key, request_id, body, queued_at, last_error FROM message_outbox
         ORDER BY queued_at, idempotency_key",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(QueuedMessage {
            idempotency_key: r.get(0)?,
            request_id: r.get(1)?,
            body: r.get(2)?,
            queued_at: r.get(3)?,
            last_error: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
