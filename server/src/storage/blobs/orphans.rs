//! Orphan collection: blobs that no attachment or desktop release package refers to (its record was deleted, or
//! the transaction that would have written it failed) and staged uploads left by a
//! refused request or a crash. Younger blobs are spared, since their record may still
//! be committing. On PostgreSQL an advisory lock lets one instance sweep at a time.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use tokio_util::sync::CancellationToken;

use super::{BlobKey, BlobStore};
use crate::storage::{now_ms, Backend, Db};

/// How old an unreferenced blob must be before it is collected.
const GRACE: Duration = Duration::from_secs(60 * 60);
const INTERVAL: Duration = Duration::from_secs(60 * 60);
/// The advisory lock of the sweep ("blobs" in ASCII).
const LOCK_KEY: i64 = 0x0062_6c6f_6273;

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
            BlobKey::Staged(_) => true,
            BlobKey::Stored(sha) => {
                let (refs,): (i64,) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM attachments WHERE storage_key = $1)
                          + (SELECT COUNT(*) FROM desktop_release_files WHERE storage_key = $1)",
                )
                .bind(sha)
                .fetch_one(&db.pool)
                .await?;
                refs == 0
            }
        };
        if orphan {
            blobs.delete(&key).await?;
            deleted += 1;
        }
    }
    Ok(deleted)
}
