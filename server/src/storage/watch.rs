//! Notices new live events, whichever server instance wrote them: one cheap query
//! per tick for the whole process, published on a watch channel that every open
//! event stream waits on.

use std::time::Duration;

use tokio::sync::watch;

use super::Db;

/// How often the newest event version is read.
pub const TICK: Duration = Duration::from_millis(100);

/// Starts the watcher; it ends by itself once every receiver is gone.
pub fn spawn(db: Db) -> watch::Receiver<i64> {
    let (sender, receiver) = watch::channel(0);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if sender.is_closed() {
                break;
            }
            match sqlx::query_as::<_, (Option<i64>,)>("SELECT MAX(version) FROM portal_events")
                .fetch_one(&db.pool)
                .await
            {
                Ok((Some(version),)) => {
                    sender.send_if_modified(|seen| std::mem::replace(seen, version) != version);
                }
                Ok((None,)) => {}
                Err(err) => tracing::warn!(error = %err, "reading the newest live event failed"),
            }
        }
    });
    receiver
}
