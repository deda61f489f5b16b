//! Removing what can never be used again: ended portal and staff sessions (with the
//! sync bookkeeping that cascades from a portal session) and sign-in counters whose
//! window has passed. Deletes go in batches, so one round never holds a long lock.

use crate::domain::throttle::WINDOW_MS;
use crate::records::{sessions, staff_sessions};
use crate::storage::Db;

/// Rows deleted per statement.
const BATCH: i64 = 1000;

/// What one clean-up removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub portal_sessions: u64,
    pub staff_sessions: u64,
    pub throttle_windows: u64,
}

/// Deletes everything that had ended by `now` (Unix ms).
pub async fn purge(db: &Db, now: i64) -> Result<Purged, sqlx::Error> {
    Ok(Purged {
        portal_sessions: in_batches(
            db,
            "DELETE FROM portal_sessions WHERE id IN (SELECT id FROM portal_sessions
             WHERE revoked_at IS NOT NULL OR expires_at <= $1 OR last_seen_at <= $2 LIMIT $3)",
            &[now, now - sessions::IDLE_MS],
        )
        .await?,
        staff_sessions: in_batches(
            db,
            "DELETE FROM staff_sessions WHERE id IN (SELECT id FROM staff_sessions
             WHERE revoked_at IS NOT NULL OR expires_at <= $1 OR last_seen_at <= $2 LIMIT $3)",
            &[now, now - staff_sessions::IDLE_MS],
        )
        .await?,
        throttle_windows: in_batches(
            db,
            "DELETE FROM login_throttle WHERE throttle_key IN (SELECT throttle_key FROM login_throttle
             WHERE window_start <= $1 LIMIT $2)",
            &[now - WINDOW_MS],
        )
        .await?,
    })
}

/// Runs `sql` with `binds` and then the batch size as its last parameter, until a
/// batch comes back short.
async fn in_batches(db: &Db, sql: &str, binds: &[i64]) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let mut tx = db.begin_write().await?;
        let query = binds.iter().fold(sqlx::query(sql), |query, value| query.bind(*value));
        let deleted = query.bind(BATCH).execute(&mut **tx).await?.rows_affected();
        tx.commit().await?;
        total += deleted;
        if deleted < BATCH as u64 {
            return Ok(total);
        }
    }
}
