//! The cache's schema, versioned with `PRAGMA user_version`: each step runs once,
//! in order, inside a transaction, so an old cache upgrades itself at start.

use rusqlite::Connection;

/// Schema steps; index + 1 is the version a step leads to. Never edit a shipped step.
const STEPS: &[&str] = &[
    // 1: portal views, downloaded files, sync state, outbox, notification ledger.
    "CREATE TABLE records (
         kind TEXT NOT NULL,
         id TEXT NOT NULL,
         sort_key TEXT NOT NULL,
         body TEXT NOT NULL,
         PRIMARY KEY (kind, id)
     );
     CREATE INDEX records_sorted ON records (kind, sort_key);
     CREATE TABLE files (
         attachment_id TEXT PRIMARY KEY,
         path TEXT NOT NULL,
         sha256 TEXT NOT NULL
     );
     CREATE TABLE meta (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );
     CREATE TABLE outbox (
         idempotency_key TEXT PRIMARY KEY,
         input TEXT NOT NULL,
         queued_at TEXT NOT NULL,
         last_error TEXT
     );
     CREATE TABLE notified (
         event_id TEXT PRIMARY KEY,
         shown INTEGER NOT NULL CHECK (shown IN (0, 1))
     );",
];

/// Brings the database to the newest schema.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, step) in STEPS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
        assert_eq!(version, STEPS.len());
    }
}
