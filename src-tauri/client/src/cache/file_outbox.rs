//! Photos and documents picked for a request while offline (or not yet sent), each
//! with its bytes and the idempotency key it will always be sent with: a resend after
//! a crash, or after the answer was lost, cannot attach the file twice.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::Cache;
use crate::error::ClientResult;
use crate::records::Row;

/// A file in the outbox, shown on its request as "waiting to send".
#[derive(Debug, Clone, Serialize)]
pub struct QueuedFile {
    pub idempotency_key: String,
    pub request_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub queued_at: String,
    /// Why the server refused it, when it did; such a file is not resent.
    pub last_error: Option<String>,
}

/// A file to put in the outbox.
pub struct NewFile<'a> {
    pub request_id: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

impl Cache {
    pub fn queue_file(&self, key: &str, file: &NewFile, now: &str) -> ClientResult<()> {
        self.conn.execute(
            "INSERT INTO file_outbox (idempotency_key, request_id, file_name, content_type, bytes, queued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![key, file.request_id, file.file_name, file.content_type, file.bytes, now],
        )?;
        Ok(())
    }

    /// The file outbox, oldest first.
    pub fn queued_files(&self) -> ClientResult<Vec<QueuedFile>> {
        queued_files(&self.conn)
    }

    /// The bytes of a queued file, read only when it is sent.
    pub fn queued_file_bytes(&self, key: &str) -> ClientResult<Option<Vec<u8>>> {
        let query = "SELECT bytes FROM file_outbox WHERE idempotency_key = ?1";
        Ok(self.conn.query_row(query, [key], |r| r.get(0)).optional()?)
    }

    /// The server took the file: it leaves the outbox, and its request (listing the
    /// file as the server has it now) replaces the cached one, in one transaction.
    pub fn file_sent(&mut self, key: &str, request: &Row) -> ClientResult<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM file_outbox WHERE idempotency_key = ?1", [key])?;
        super::upsert(&tx, request)?;
        tx.commit()?;
        Ok(())
    }

    /// The server refused the file for good (its type, its size, the request gone).
    pub fn file_refused(&self, key: &str, message: &str) -> ClientResult<()> {
        self.conn.execute("UPDATE file_outbox SET last_error = ?2 WHERE idempotency_key = ?1", [key, message])?;
        Ok(())
    }

    /// Drops a refused file the user gave up on.
    pub fn discard_file(&self, key: &str) -> ClientResult<()> {
        self.conn.execute("DELETE FROM file_outbox WHERE idempotency_key = ?1", [key])?;
        Ok(())
    }
}

/// The file outbox, oldest first, on any connection to the cache (without the bytes).
pub fn queued_files(conn: &Connection) -> ClientResult<Vec<QueuedFile>> {
    let mut statement = conn.prepare(
        "SELECT idempotency_key, request_id, file_name, content_type, length(bytes), queued_at, last_error
         FROM file_outbox ORDER BY queued_at, idempotency_key",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(QueuedFile {
            idempotency_key: r.get(0)?,
            request_id: r.get(1)?,
            file_name: r.get(2)?,
            content_type: r.get(3)?,
            size_bytes: r.get(4)?,
            queued_at: r.get(5)?,
            last_error: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
