//! Removing what can never be used again: ended portal and staff sessions (with the
//! sync bookkeeping that cascades from a portal session) and sign-in counters whose
//! window has passed. Deletes go in batches, so one round never holds a long lock.

use portal_types::SessionEnd;

use crate::domain::throttle::WINDOW_MS;
use crate::records::access_log::{self, Entry};
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
        portal_sessions: portal_sessions(db, now).await?,
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

/// Deletes ended portal sessions in batches. One that ran out rather than being ended
/// leaves an entry in its user's access log, as of when it ran out, in the same
/// transaction as its deletion: each is logged exactly once.
async fn portal_sessions(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let mut tx = db.begin_write().await?;
        let ended: Vec<(String, String, Option<i64>, i64, i64)> = sqlx::query_as(
            "SELECT id, portal_user_id, revoked_at, expires_at, last_seen_at FROM portal_sessions
             WHERE revoked_at IS NOT NULL OR expires_at <= $1 OR last_seen_at <= $2 LIMIT $3",
        )
        .bind(now)
        .bind(now - sessions::IDLE_MS)
        .bind(BATCH)
        .fetch_all(&mut **tx)
        .await?;
        for (id, user_id, revoked_at, expires_at, last_seen_at) in &ended {
            if revoked_at.is_none() {
                let ran_out = (*expires_at).min(last_seen_at + sessions::IDLE_MS);
                access_log::record_at(&mut tx, user_id, ran_out, Entry::session_ended(SessionEnd::Expired)).await?;
            }
            sqlx::query("DELETE FROM portal_sessions WHERE id = $1").bind(id).execute(&mut **tx).await?;
        }
        tx.commit().await?;
        total += ended.len() as u64;
        if ended.len() < BATCH as usize {
            return Ok(total);
        }
    }
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
