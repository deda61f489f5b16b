//! One reader of live events per instance. On each change `storage::watch` notices,
//! the hub reads the new batch of `portal_events` once, re-reads the sessions and
//! grants of every open stream at once, asks in one query which subscribed users may
//! see which event, and hands the events to the matching streams in memory. So one
//! change costs a few queries however many desktops are connected.
//!
//! Each stream has a bounded queue; a stream that falls behind is closed and told
//! so, and its client resumes from its last event id, so a slow reader never holds
//! back the others.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use portal_types::LiveEventView;
use tokio::sync::{mpsc, watch};
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

use crate::domain::scope::Scope;
use crate::error::AppResult;
use crate::ops::metrics::{EventQuery, Metrics};
use crate::projection::event_batch::{self, Candidate, NewEvent};
use crate::projection::events::{self, EventCursor, PAGE};
use crate::projection::Viewer;
use crate::records::{portal_access, sessions};
use crate::storage::watch::TICK;
use crate::storage::Db;

/// How long the hub lets open streams go without re-checking their sessions and grants.
pub const RECHECK: Duration = Duration::from_secs(10);

/// Events a stream may have queued before it counts as fallen behind.
const QUEUE: usize = 1024;

/// The instance's hub; cheap to clone, and shared by every stream.
#[derive(Clone)]
pub struct EventHub {
    streams: Arc<Mutex<Streams>>,
}

#[derive(Default)]
struct Streams {
    /// Counts every subscription ever made: the hub's shortcut for an instance without
    /// streams must know that nobody subscribed while it looked.
    made: u64,
    open: HashMap<u64, Subscriber>,
}

struct Subscriber {
    session_id: String,
    user_id: String,
    queue: mpsc::Sender<Arc<LiveEventView>>,
    lagging: Arc<AtomicBool>,
}

/// A stream's place in the hub. Events arrive on `events` in stream order; the queue
/// closes when the session or the grants are gone, or when the stream fell behind.
pub struct Subscription {
    id: u64,
    pub events: mpsc::Receiver<Arc<LiveEventView>>,
    lagging: Arc<AtomicBool>,
    streams: Weak<Mutex<Streams>>,
}

impl Subscription {
    /// Whether the hub closed this stream because it fell behind.
    pub fn fell_behind(&self) -> bool {
        self.lagging.load(Ordering::Acquire)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(streams) = self.streams.upgrade() {
            lock(&streams).open.remove(&self.id);
        }
    }
}

fn lock(streams: &Mutex<Streams>) -> std::sync::MutexGuard<'_, Streams> {
    // The map stays consistent at every await-free step, so a panic elsewhere leaves it usable.
    streams.lock().unwrap_or_else(PoisonError::into_inner)
}

impl EventHub {
    /// Starts the hub on `changes`, from the events stored now; it stops on shutdown
    /// or once the hub is dropped.
    pub async fn start(
        db: Db,
        changes: watch::Receiver<i64>,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> AppResult<Self> {
        let cursor = events::latest(&db).await?;
        let hub = EventHub { streams: Arc::default() };
        let reader = Reader { db, streams: Arc::downgrade(&hub.streams), metrics };
        tokio::spawn(reader.run(cursor, changes, shutdown));
        Ok(hub)
    }

    /// Subscribes a stream of `session_id`, signed in as `user_id`. It receives what
    /// the hub reads from now on; what came before is the stream's own to read.
    pub fn subscribe(&self, session_id: &str, user_id: &str) -> Subscription {
        let (queue, events) = mpsc::channel(QUEUE);
        let lagging = Arc::new(AtomicBool::new(false));
        let mut streams = lock(&self.streams);
        streams.made += 1;
        let id = streams.made;
        let subscriber = Subscriber {
            session_id: session_id.to_string(),
            user_id: user_id.to_string(),
            queue,
            lagging: Arc::clone(&lagging),
        };
        streams.open.insert(id, subscriber);
        Subscription { id, events, lagging, streams: Arc::downgrade(&self.streams) }
    }
}

/// The hub's task.
struct Reader {
    db: Db,
    streams: Weak<Mutex<Streams>>,
    metrics: Arc<Metrics>,
}

impl Reader {
    async fn run(self, mut cursor: EventCursor, mut changes: watch::Receiver<i64>, shutdown: CancellationToken) {
        let mut checked = Instant::now();
        let mut failed = false;
        loop {
            // After a failed read the hub retries soon: no new change may come to wake it.
            let wait = if failed { TICK } else { RECHECK.saturating_sub(checked.elapsed()) };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                changed = changes.changed() => if changed.is_err() { return },
                _ = sleep(wait) => {}
            }
            let Some(streams) = self.streams.upgrade() else { return };
            let result = self.round(&streams, &mut cursor, &mut checked).await;
            failed = result.is_err();
            if let Err(err) = result {
                tracing::warn!(error = %err, "reading new live events failed");
            }
        }
    }

    /// Reads and hands out every event after `cursor`, a page at a time.
    async fn round(&self, streams: &Mutex<Streams>, cursor: &mut EventCursor, checked: &mut Instant) -> AppResult<()> {
        loop {
            let made = {
                let streams = lock(streams);
                streams.open.is_empty().then_some(streams.made)
            };
            if let Some(made) = made {
                // Nobody listens: skip ahead, unless someone subscribed meanwhile.
                let latest = events::latest(&self.db).await?;
                let streams = lock(streams);
                if streams.open.is_empty() && streams.made == made {
                    *cursor = latest;
                    // Nobody to re-check either; without this the idle hub would not wait.
                    *checked = Instant::now();
                    return Ok(());
                }
            }
            self.metrics.event_queried(EventQuery::Batch);
            let batch = event_batch::read_after(&self.db, cursor).await?;
            if batch.is_empty() && checked.elapsed() < RECHECK {
                return Ok(());
            }
            // Taken after the read: a stream that subscribes later has seen these
            // events committed before it read its own start.
            let listening = Listening::of(&lock(streams));
            *checked = Instant::now();
            let viewers = self.recheck(&listening).await?;
            let visible = self.visible(&batch, &viewers).await?;
            deliver(&mut lock(streams), &listening, &viewers, &batch, &visible, &self.metrics);
            let Some(last) = batch.last() else { return Ok(()) };
            *cursor = last.cursor();
            if batch.len() < PAGE {
                return Ok(());
            }
        }
    }

    /// The scope of each listening user whose grants still show something, and
    /// which listening sessions are still live; streams of the others are closed.
    async fn recheck(&self, listening: &Listening) -> AppResult<Viewers> {
        self.metrics.event_queried(EventQuery::Recheck);
        let live = sessions::live_among(&self.db, &listening.sessions).await?;
        self.metrics.event_queried(EventQuery::Recheck);
        let grants = portal_access::grants_of(&self.db, &listening.users).await?;
        let scopes = grants
            .into_iter()
            .map(|(user_id, grants)| (user_id, Scope::from_grants(&grants)))
            .filter(|(_, scope)| !scope.is_empty())
            .collect();
        Ok(Viewers { live, scopes })
    }

    /// Which (event, user) pairs of `batch` may go out.
    async fn visible(&self, batch: &[NewEvent], viewers: &Viewers) -> AppResult<HashSet<(String, String)>> {
        let mut candidates = Vec::new();
        for (user_id, scope) in &viewers.scopes {
            let viewer = Viewer { user_id: user_id.clone(), scope: scope.clone() };
            for event in batch {
                if let Some(downloads) = event.candidate_for(&viewer) {
                    candidates.push(Candidate { event_id: event.id.clone(), user_id: user_id.clone(), downloads });
                }
            }
        }
        if candidates.is_empty() {
            return Ok(HashSet::new());
        }
        self.metrics.event_queried(EventQuery::Visibility);
        event_batch::visible(&self.db, &candidates).await
    }
}

/// The streams open when a batch was read.
struct Listening {
    ids: HashSet<u64>,
    sessions: Vec<String>,
    users: Vec<String>,
}

impl Listening {
    fn of(streams: &Streams) -> Self {
        let sessions: HashSet<&str> = streams.open.values().map(|s| s.session_id.as_str()).collect();
        let users: HashSet<&str> = streams.open.values().map(|s| s.user_id.as_str()).collect();
        Listening {
            ids: streams.open.keys().copied().collect(),
            sessions: sessions.into_iter().map(str::to_string).collect(),
            users: users.into_iter().map(str::to_string).collect(),
        }
    }
}

/// Live sessions and non-empty scopes, as re-read for one batch.
struct Viewers {
    live: HashSet<String>,
    scopes: HashMap<String, Scope>,
}

/// Closes the streams whose session or grants are gone and queues each event for
/// the others that may see it. A full queue closes its stream as fallen behind.
fn deliver(
    streams: &mut Streams,
    listening: &Listening,
    viewers: &Viewers,
    batch: &[NewEvent],
    visible: &HashSet<(String, String)>,
    metrics: &Metrics,
) {
    // Each user's events in stream order, each view built once for all its streams.
    let mut by_user: HashMap<&str, Vec<Arc<LiveEventView>>> = HashMap::new();
    for event in batch {
        let view = event.view();
        for user_id in viewers.scopes.keys() {
            if visible.contains(&(event.id.clone(), user_id.clone())) {
                by_user.entry(user_id.as_str()).or_default().push(Arc::clone(&view));
            }
        }
    }
    streams.open.retain(|id, stream| {
        if !listening.ids.contains(id) {
            return true;
        }
        if !viewers.live.contains(&stream.session_id) || !viewers.scopes.contains_key(&stream.user_id) {
            return false;
        }
        for view in by_user.get(stream.user_id.as_str()).into_iter().flatten() {
            match stream.queue.try_send(Arc::clone(view)) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    stream.lagging.store(true, Ordering::Release);
                    metrics.event_stream_lagging();
                    return false;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return false,
            }
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use portal_types::LiveEventKind;

    use super::*;
    use crate::records::time::Timestamp;

    fn event(id: &str) -> NewEvent {
        NewEvent {
            id: id.into(),
            version: 1,
            kind: LiveEventKind::FollowUpRequired,
            subject_id: "f".into(),
            customer_id: "northwind".into(),
            location_id: "marina".into(),
            audience: None,
            occurred_at: Timestamp(0),
        }
    }

    fn subscriber(
        streams: &mut Streams,
        session: &str,
        queue: usize,
    ) -> (mpsc::Receiver<Arc<LiveEventView>>, Arc<AtomicBool>) {
        let (sender, receiver) = mpsc::channel(queue);
        let lagging = Arc::new(AtomicBool::new(false));
        streams.made += 1;
        let subscriber = Subscriber {
            session_id: session.into(),
            user_id: "omar".into(),
            queue: sender,
            lagging: Arc::clone(&lagging),
        };
        streams.open.insert(streams.made, subscriber);
        (receiver, lagging)
    }

    #[test]
    fn a_stream_that_falls_behind_is_closed_and_the_others_still_get_everything() {
        let mut streams = Streams::default();
        let (mut slow, slow_lagging) = subscriber(&mut streams, "s1", 1);
        let (mut quick, quick_lagging) = subscriber(&mut streams, "s2", 8);
        let (mut signed_out, _) = subscriber(&mut streams, "s3", 8);
        let listening = Listening::of(&streams);
        let viewers = Viewers {
            live: ["s1", "s2"].into_iter().map(String::from).collect(),
            scopes: HashMap::from([("omar".to_string(), Scope::default())]),
        };
        let batch = [event("a"), event("b")];
        let visible = batch.iter().map(|e| (e.id.clone(), "omar".to_string())).collect();
        deliver(&mut streams, &listening, &viewers, &batch, &visible, &Metrics::default());

        assert_eq!(streams.open.len(), 1, "the slow and the signed-out streams are gone");
        assert!(slow_lagging.load(Ordering::Acquire) && !quick_lagging.load(Ordering::Acquire));
        assert_eq!(slow.try_recv().unwrap().id, "1.a");
        assert!(slow.try_recv().is_err(), "closed after what fit");
        assert_eq!(quick.try_recv().unwrap().id, "1.a");
        assert_eq!(quick.try_recv().unwrap().id, "1.b");
        assert!(signed_out.try_recv().is_err(), "nothing for a session that is gone");
    }
}
