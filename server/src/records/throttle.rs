//! Counting sign-in attempts per key (account or client address) in the database,
//! with one atomic upsert per attempt, so the count holds under concurrent attempts
//! and across server instances sharing PostgreSQL.

use crate::domain::throttle::WINDOW_MS;
use crate::storage::{now_ms, Db};

/// Counts one attempt for `key`; returns the attempts in the current window and when it started.
pub async fn count_attempt(db: &Db, key: &str) -> Result<(i64, i64), sqlx::Error> {
    let now = now_ms();
    sqlx::query_as(
        "INSERT INTO login_throttle (throttle_key, window_start, failures) VALUES ($1, $2, 1)
         ON CONFLICT (throttle_key) DO UPDATE SET
             failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END,
             window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END
         RETURNING failures, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(now - WINDOW_MS)
    .fetch_one(&db.pool)
    .await
}

/// Takes back one attempt counted for `key` that turned out to succeed: attempts are
/// counted before the password is checked, but only failures may use up a limit.
pub async fn uncount_attempt(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE throttle_key = $1 AND failures > 0")
        .bind(key)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets the attempts for `key` after a successful sign-in.
pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1").bind(key).execute(&db.pool).await?;
    Ok(())
}
