//! Orphan collection: blobs that no attachment or desktop release package refers to (its record was deleted, or
//! the transaction that would have written it failed) and staged uploads left by a
//! refused request or a crash. Younger blobs are spared, since their upload may still
//! be streaming in. On PostgreSQL an advisory lock lets one instance sweep at a time.
//!
//! Content is stored once per SHA-256, so an upload of content that is already stored
//! reuses a blob the sweep may have listed as an orphan. The sweep's reference check
//! and delete of one key, and an upload's commit of that key up to the commit of its
//! record, therefore exclude each other through the database (`hold`): both run in a
//! write transaction, which on SQLite holds the single writer slot, and on PostgreSQL
//! both take a transaction-scoped advisory lock on the key first. Whichever comes
//! second waits for the first to end: the sweep then sees the new record and keeps
//! the blob, or the upload finds the blob gone and moves its own staged copy into
//! place.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use tokio_util::sync::CancellationToken;

use super::{BlobKey, BlobStore};
use crate::storage::{now_ms, Backend, Db, WriteTx};

/// How old an unreferenced blob must be before it is collected.
const GRACE: Duration = Duration::from_secs(60 * 60);
const INTERVAL: Duration = Duration::from_secs(60 * 60);
/// The advisory lock of the sweep ("blobs" in ASCII).
const LOCK_KEY: i64 = 0x0062_6c6f_6273;
/// The space of the per-key advisory locks ("blob" in ASCII), keyed on `hashtext` of
/// the key: two 32-bit keys, a space apart from the sweep's 64-bit one. Two keys that
/// share a hash merely wait for each other.
const KEY_LOCKS: i32 = 0x626c_6f62;

/// Holds the stored blob `key` until `tx` ends, against the sweep and other uploads of
/// the same content (see the module's documentation).
pub(super) async fn hold(tx: &mut WriteTx, key: &BlobKey) -> anyhow::Result<()> {
    match tx.backend() {
        // A write transaction holds the writer slot already.
        Backend::Sqlite => {}
        Backend::Postgres => {
            // Wrapped, since the `Any` driver cannot read the lock function's `void`.
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1, hashtext($2))) AS held")
                .bind(KEY_LOCKS)
                .bind(key.name())
                .execute(&mut ***tx)
                .await?;
        }
    }
    Ok(())
}

/// Sweeps every hour, from the server's start on, until `shutdown` is cancelled.
pub fn spawn(db: Db, blobs: Arc<dyn BlobStore>, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticks.tick() => {}
            }
            let before = now_ms() - GRACE.as_millis() as i64;
            match collect(&db, blobs.as_ref(), before).await {
                Ok(Some(deleted)) if deleted > 0 => tracing::info!(deleted, "orphaned blobs collected"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = ?err, "collecting orphaned blobs failed; trying again later"),
            }
        }
    });
}

/// Deletes the orphans last written before `before_ms` and says how many; `None` when
/// another instance holds the sweep.
pub async fn collect(db: &Db, blobs: &dyn BlobStore, before_ms: i64) -> anyhow::Result<Option<usize>> {
    let lock = match db.backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            let mut conn = db.pool.acquire().await?;
            let (locked,): (bool,) =
                sqlx::query_as("SELECT pg_try_advisory_lock($1)").bind(LOCK_KEY).fetch_one(&mut *conn).await?;
            if !locked {
                return Ok(None);
            }
            Some(conn)
        }
    };
    let swept = sweep(db, blobs, before_ms).await;
    if let Some(mut conn) = lock {
        if sqlx::query("SELECT pg_advisory_unlock($1)").bind(LOCK_KEY).execute(&mut *conn).await.is_err() {
            // Closing the session is what releases a lock that could not be released.
            let _ = conn.detach().close().await;
        }
    }
    swept.map(Some)
}

async fn sweep(db: &Db, blobs: &dyn BlobStore, before_ms: i64) -> anyhow::Result<usize> {
    let mut deleted = 0;
    for key in blobs.list_older_than(before_ms).await? {
        let orphan = match &key {
            BlobKey::Staged(_) => {
                blobs.delete(&key).await?;
                true
            }
            BlobKey::Stored(_) => collect_blob(db, blobs, &key).await?,
        };
        deleted += usize::from(orphan);
    }
    Ok(deleted)
}

/// Deletes the stored blob `key`, listed as older than the grace period, unless a
/// record refers to it, and says whether it did. The check and the delete hold the key,
/// so an upload reusing the blob waits for them, or they for its record.
pub async fn collect_blob(db: &Db, blobs: &dyn BlobStore, key: &BlobKey) -> anyhow::Result<bool> {
    let mut tx = db.begin_write().await?;
    hold(&mut tx, key).await?;
    let (refs,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM attachments WHERE storage_key = $1)
              + (SELECT COUNT(*) FROM desktop_release_files WHERE storage_key = $1)",
    )
    .bind(key.name())
    .fetch_one(&mut **tx)
    .await?;
    let orphan = refs == 0;
    if orphan {
        blobs.delete_in(&mut tx, key).await?;
    }
    tx.commit().await?;
    Ok(orphan)
}
