//! `GET /portal/v1/events`: the user's live events as server-sent events, resumable
//! with `Last-Event-ID`, with keep-alives. New events come from the instance's
//! `event_hub`, which re-checks the session and the grants before handing anything
//! over (and regularly while idle) and ends the stream when either is gone; only the
//! replay after `Last-Event-ID` reads the database for this one stream.
//! When the server shuts down it ends with a `retry:` hint, so the client reconnects
//! (to another instance) and resumes from its last event id.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::future;
use futures_util::stream::{self, Stream, StreamExt};
use portal_types::LiveEventView;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use super::event_hub::Subscription;
use crate::domain::scope::Scope;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::ops::metrics::{EventQuery, Metrics, OpenStream};
use crate::ops::shutdown;
use crate::projection::events::{self, EventCursor};
use crate::projection::Viewer;
use crate::records::{portal_access, sessions};
use crate::state::AppState;
use crate::storage::Db;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events_stream))
}

/// Live events (SSE). Each event's `id` can be sent back as `Last-Event-ID` to resume;
/// without it the stream starts with the next new event.
#[utoipa::path(get, path = "/portal/v1/events", tag = "portal",
    params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event")),
    responses((status = 200, description = "text/event-stream of LiveEventView", body = LiveEventView),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn events_stream(
    State(state): State<AppState>,
    portal: Portal,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let resume = match headers.get("last-event-id").map(|v| v.to_str().ok().and_then(EventCursor::parse)) {
        Some(Some(cursor)) => Some(cursor),
        Some(None) => return Err(AppError::field("Last-Event-ID", "not an event id from this stream")),
        None => None,
    };
    // Subscribed before the start is read: whatever the hub reads from now on reaches
    // this stream, and whatever was stored before, the stream reads itself.
    let subscription = state.hub.subscribe(&portal.session_id, &portal.viewer.user_id);
    let (cursor, catching_up) = match resume {
        Some(cursor) => (cursor, true),
        None => {
            state.metrics.event_queried(EventQuery::Connect);
            (events::latest(&state.db).await?, false)
        }
    };
    let follower = Follower {
        db: state.db.clone(),
        viewer: portal.viewer,
        session_id: portal.session_id,
        cursor,
        catching_up,
        pending: VecDeque::new(),
        subscription,
        metrics: state.metrics.clone(),
        _open: state.metrics.event_stream_opened(),
    };
    // A first comment tells the client the stream is open before any event exists.
    let opened = stream::once(async { Ok(Event::default().comment("connected")) });
    let live = opened.chain(stream::unfold(Some(follower), |follower| async move {
        let mut follower = follower?;
        let sse = match follower.next().await? {
            Next::Event(event) => {
                Event::default().id(event.id.clone()).event(event.kind.as_str()).json_data(&*event).ok()?
            }
            // The client reconnects and resumes from its last event id.
            Next::FellBehind => {
                return Some((Ok(Event::default().retry(shutdown::RECONNECT).comment("fell behind; resume")), None))
            }
        };
        Some((Ok(sse), Some(follower)))
    }));
    let stopping = state.shutdown.clone();
    let farewell = stream::once(async move {
        stopping.is_cancelled().then(|| Ok(Event::default().retry(shutdown::RECONNECT).comment("server shutting down")))
    })
    .filter_map(future::ready);
    let stream = live.take_until(state.shutdown.clone().cancelled_owned()).chain(farewell);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// What a stream sends next.
enum Next {
    Event(Arc<LiveEventView>),
    FellBehind,
}

/// One client's position in the event stream.
struct Follower {
    db: Db,
    viewer: Viewer,
    session_id: String,
    cursor: EventCursor,
    /// Set while the stream replays what it missed (after `Last-Event-ID`) by itself.
    catching_up: bool,
    pending: VecDeque<Arc<LiveEventView>>,
    subscription: Subscription,
    metrics: Arc<Metrics>,
    _open: OpenStream,
}

impl Follower {
    /// The next thing to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Next> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(Next::Event(event));
            }
            if self.catching_up {
                self.catch_up().await?;
                continue;
            }
            let Some(event) = self.subscription.events.recv().await else {
                // Closed by the hub: the session or grants are gone, or the stream fell behind.
                return self.subscription.fell_behind().then_some(Next::FellBehind);
            };
            // The hub may hand over what the replay already sent.
            let cursor = EventCursor::parse(&event.id)?;
            if cursor > self.cursor {
                self.cursor = cursor;
                return Some(Next::Event(event));
            }
        }
    }

    /// Reads one page of what the client missed, under a scope re-read before sending.
    async fn catch_up(&mut self) -> Option<()> {
        self.metrics.event_queried(EventQuery::Connect);
        let mut fresh = events::after(&self.db, &self.viewer, &self.cursor).await.ok()?;
        self.catching_up = fresh.len() == events::PAGE;
        if fresh.is_empty() {
            return Some(());
        }
        // Nothing goes out under a scope that may be stale: before sending, the
        // session and grants are read again, and a narrowed scope reads again.
        let before = self.viewer.scope.clone();
        if !self.still_allowed().await {
            return None;
        }
        if self.viewer.scope != before {
            self.metrics.event_queried(EventQuery::Connect);
            fresh = events::after(&self.db, &self.viewer, &self.cursor).await.ok()?;
        }
        if let Some(last) = fresh.last() {
            self.cursor = EventCursor::parse(&last.id)?;
        }
        self.pending.extend(fresh.into_iter().map(Arc::new));
        Some(())
    }

    /// Re-reads the session and grants: a signed-out, disabled or ungranted user's stream ends.
    async fn still_allowed(&mut self) -> bool {
        self.metrics.event_queried(EventQuery::Connect);
        let live = sessions::is_live(&self.db, &self.session_id).await.unwrap_or(false);
        self.metrics.event_queried(EventQuery::Connect);
        let grants = portal_access::grants(&self.db, &self.viewer.user_id).await.unwrap_or_default();
        self.viewer.scope = Scope::from_grants(&grants);
        live && !self.viewer.scope.is_empty()
    }
}
