//! Claiming a round of periodic work, so that with many instances on one database
//! only one does each round. The claim is a conditional UPDATE of the task's row in
//! `background_rounds`: on PostgreSQL a concurrent claimant waits on the row lock and
//! then sees the new `next_run_at`, so it updates nothing; SQLite has one writer anyway.

use std::time::Duration;

use crate::storage::Db;

/// Claims the round of `task` due at `now` (Unix ms) for `holder`; the next round is
/// due `every` later. `false`: another instance already has this round.
pub async fn claim(db: &Db, task: &str, holder: &str, now: i64, every: Duration) -> Result<bool, sqlx::Error> {
    let next = now + i64::try_from(every.as_millis()).unwrap_or(i64::MAX / 2);
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE background_rounds SET next_run_at = $1, claimed_by = $2, claimed_at = $3
         WHERE task = $4 AND next_run_at <= $3",
    )
    .bind(next)
    .bind(holder)
    .bind(now)
    .bind(task)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(claimed == 1)
}
