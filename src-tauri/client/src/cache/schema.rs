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
    // 2: window filters from the view bodies, and an index for each window's order.
    // Rows cached before this step are re-derived at open (see `Cache::open`).
    "ALTER TABLE records ADD COLUMN location_id TEXT;
     ALTER TABLE records ADD COLUMN status TEXT;
     ALTER TABLE records ADD COLUMN ends_at TEXT;
     ALTER TABLE records ADD COLUMN span INTEGER;
     ALTER TABLE records ADD COLUMN related TEXT;
     ALTER TABLE records ADD COLUMN search TEXT;
     DROP INDEX records_sorted;
     CREATE INDEX records_ordered ON records (kind, sort_key, id);
     CREATE INDEX records_by_location ON records (kind, location_id, sort_key, id);
     CREATE INDEX records_by_related ON records (kind, related, sort_key, id) WHERE related IS NOT NULL;
     CREATE INDEX records_by_span ON records (kind, span) WHERE span IS NOT NULL;
     INSERT INTO meta (key, value) SELECT 'rederive', '1' WHERE EXISTS (SELECT 1 FROM records);",
    // 3: messages written on requests, waiting to be sent.
    "CREATE TABLE message_outbox (
         idempotency_key TEXT PRIMARY KEY,
         request_id TEXT NOT NULL,
         body TEXT NOT NULL,
         queued_at TEXT NOT NULL,
         last_error TEXT
     );",
    // 4: files picked for requests, waiting to be sent. Requests cached before the
    // portal listed their messages and files get empty lists until they sync again.
    "CREATE TABLE file_outbox (
         idempotency_key TEXT PRIMARY KEY,
         request_id TEXT NOT NULL,
         file_name TEXT NOT NULL,
         content_type TEXT NOT NULL,
         bytes BLOB NOT NULL,
         queued_at TEXT NOT NULL,
         last_error TEXT
     );
     UPDATE records SET body = json_set(body, '$.messages', json('[]'))
         WHERE kind = 'request' AND json_type(body, '$.messages') IS NULL;
     UPDATE records SET body = json_set(body, '$.attachments', json('[]'))
         WHERE kind = 'request' AND json_type(body, '$.attachments') IS NULL;",
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

    #[test]
    fn requests_cached_before_messages_and_files_get_empty_lists() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &STEPS[..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        let old = r#"{"id":"r1","title":"Dock door"}"#;
        let with_thread = r#"{"id":"r2","messages":[{"id":"m1"}]}"#;
        for (id, body) in [("r1", old), ("r2", with_thread)] {
            conn.execute("INSERT INTO records (kind, id, sort_key, body) VALUES ('request', ?1, ?1, ?2)", [id, body])
                .unwrap();
        }
        migrate(&mut conn).unwrap();
        let body = |id: &str| -> serde_json::Value {
            let text: String = conn.query_row("SELECT body FROM records WHERE id = ?1", [id], |r| r.get(0)).unwrap();
            serde_json::from_str(&text).unwrap()
        };
        assert_eq!(
            body("r1"),
            serde_json::json!({ "id": "r1", "title": "Dock door", "messages": [], "attachments": [] })
        );
        assert_eq!(body("r2")["messages"], serde_json::json!([{ "id": "m1" }]), "what was there stays");
    }
}
