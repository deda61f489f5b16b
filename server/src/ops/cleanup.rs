//! The periodic expiry clean-up (`records::expiry`). Every instance keeps the timer;
//! each round is claimed in the database first (`ops::rounds`), so with many
//! instances one of them does the work each round and the others skip it.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::rounds;
use crate::records::expiry::{self, Purged};
use crate::storage::{new_id, now_ms, Db};

/// The task's row in `background_rounds`.
const TASK: &str = "expiry_cleanup";
/// How often a round is due.
pub const EVERY: Duration = Duration::from_secs(15 * 60);

/// Runs the round due at `now` if this caller claims it; `None`: another instance has it.
pub async fn run_round(db: &Db, holder: &str, now: i64) -> Result<Option<Purged>, sqlx::Error> {
    if !rounds::claim(db, TASK, holder, now, EVERY).await? {
        return Ok(None);
    }
    expiry::purge(db, now).await.map(Some)
}

/// Starts the timer; it stops when `shutdown` is cancelled. The first round is due one
/// period after start, so a fleet restarting together does not clean up at once.
pub fn spawn(db: Db, shutdown: CancellationToken) {
    let holder = format!("pid {} ({})", std::process::id(), new_id());
    tokio::spawn(async move {
        let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + EVERY, EVERY);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = timer.tick() => {}
            }
            match run_round(&db, &holder, now_ms()).await {
                Ok(Some(purged)) => tracing::info!(?purged, "expired sessions and sign-in counters removed"),
                Ok(None) => tracing::debug!("another instance runs this clean-up round"),
                Err(err) => tracing::warn!(error = %err, "expiry clean-up failed; retried next round"),
            }
        }
    });
}
