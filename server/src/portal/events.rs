//! `GET /portal/v1/events`: the user's live events as server-sent events, resumable
//! with `Last-Event-ID`, with keep-alives. The stream re-checks the session and the
//! grants before sending anything (and regularly while idle) and ends when either is gone.
//! When the server shuts down it ends with a `retry:` hint, so the client reconnects
//! (to another instance) and resumes from its last event id.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::future;
use futures_util::stream::{self, Stream, StreamExt};
use portal_types::LiveEventView;
use tokio::sync::watch;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use crate::domain::scope::Scope;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::ops::metrics::OpenStream;
use crate::ops::shutdown;
use crate::projection::events::{self, EventCursor};
use crate::projection::Viewer;
use crate::records::{portal_access, sessions};
use crate::state::AppState;
use crate::storage::Db;

/// How long an idle stream waits before re-checking its session and grants.
const RECHECK: Duration = Duration::from_secs(10);

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
    let cursor = match headers.get("last-event-id").map(|v| v.to_str().ok().and_then(EventCursor::parse)) {
        Some(Some(cursor)) => cursor,
        Some(None) => return Err(AppError::field("Last-Event-ID", "not an event id from this stream")),
        None => events::latest(&state.db).await?,
    };
    let follower = Follower {
        db: state.db.clone(),
        viewer: portal.viewer,
        session_id: portal.session_id,
        cursor,
        pending: VecDeque::new(),
        changes: state.events.clone(),
        checked: Instant::now(),
        _open: state.metrics.event_stream_opened(),
    };
    // A first comment tells the client the stream is open before any event exists.
    let opened = stream::once(async { Ok(Event::default().comment("connected")) });
    let live = opened.chain(stream::unfold(follower, |mut follower| async move {
        let event = follower.next().await?;
        let sse = Event::default().id(event.id.clone()).event(event.kind.as_str()).json_data(&event).ok()?;
        Some((Ok(sse), follower))
    }));
    let stopping = state.shutdown.clone();
    let farewell = stream::once(async move {
        stopping.is_cancelled().then(|| Ok(Event::default().retry(shutdown::RECONNECT).comment("server shutting down")))
    })
    .filter_map(future::ready);
    let stream = live.take_until(state.shutdown.clone().cancelled_owned()).chain(farewell);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// One client's position in the event stream.
struct Follower {
    db: Db,
    viewer: Viewer,
    session_id: String,
    cursor: EventCursor,
    pending: VecDeque<LiveEventView>,
    changes: watch::Receiver<i64>,
    checked: Instant,
    _open: OpenStream,
}

impl Follower {
    /// The next event for this client; `None` ends the stream.
    async fn next(&mut self) -> Option<LiveEventView> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            self.changes.borrow_and_update();
            let mut fresh = events::after(&self.db, &self.viewer, &self.cursor).await.ok()?;
            // Nothing goes out under a scope that may be stale: before sending, the
            // session and grants are read again, and a narrowed scope reads again.
            if !fresh.is_empty() || self.checked.elapsed() >= RECHECK {
                let before = self.viewer.scope.clone();
                if !self.still_allowed().await {
                    return None;
                }
                if !fresh.is_empty() && self.viewer.scope != before {
                    fresh = events::after(&self.db, &self.viewer, &self.cursor).await.ok()?;
                }
            }
            if let Some(last) = fresh.last() {
                self.cursor = EventCursor::parse(&last.id)?;
                self.pending.extend(fresh);
                continue;
            }
            tokio::select! {
                changed = self.changes.changed() => changed.ok()?,
                _ = tokio::time::sleep(RECHECK) => {}
            }
        }
    }

    /// Re-reads the session and grants: a signed-out, disabled or ungranted user's stream ends.
    async fn still_allowed(&mut self) -> bool {
        self.checked = Instant::now();
        let live = sessions::is_live(&self.db, &self.session_id).await.unwrap_or(false);
        let grants = portal_access::grants(&self.db, &self.viewer.user_id).await.unwrap_or_default();
        self.viewer.scope = Scope::from_grants(&grants);
        live && !self.viewer.scope.is_empty()
    }
}
