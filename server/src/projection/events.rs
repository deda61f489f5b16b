//! Live events a user may receive: in scope, and either for everyone there or for them.

use portal_types::{LiveEventKind, LiveEventView};

use super::Viewer;
use crate::domain::scope::Requests;
use crate::error::AppResult;
use crate::records::kinds;
use crate::records::query::{stored, Arg, Packed, Select};
use crate::records::time::Timestamp;
use crate::storage::Db;

/// Position in the event stream: the version and id of the last event delivered.
/// Ordered as the stream is (version, then id), so a delivery can be told apart from
/// one already sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventCursor {
    pub version: i64,
    pub id: String,
}

impl EventCursor {
    /// Parses a `Last-Event-ID` (`<version>.<id>`).
    pub fn parse(text: &str) -> Option<Self> {
        let (version, id) = text.trim().split_once('.')?;
        Some(Self { version: version.parse().ok()?, id: id.to_string() })
    }
}

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    version: i64,
    kind: LiveEventKind,
    subject_id: String,
    location_id: String,
    #[serde(deserialize_with = "stored::timestamp")]
    occurred_at: Timestamp,
}

impl Packed for Row {}

/// The cursor that skips every event stored so far.
pub async fn latest(db: &Db) -> AppResult<EventCursor> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT version, id FROM portal_events ORDER BY version DESC, id DESC LIMIT 1")
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(version, id)| EventCursor { version, id }).unwrap_or_default())
}

/// Most events one read returns; a shorter answer means the reader has caught up.
pub const PAGE: usize = 500;

/// Up to `PAGE` of the user's events after `cursor`, oldest first.
pub async fn after(db: &Db, viewer: &Viewer, cursor: &EventCursor) -> AppResult<Vec<LiveEventView>> {
    let mut select =
        Select::new("SELECT e.id, e.version, e.kind, e.subject_id, e.location_id, e.occurred_at FROM portal_events e");
    select.scoped(&viewer.scope, "e.customer_id", "e.location_id");
    select.filter("(e.audience IS NULL OR e.audience = {})", Arg::Text(viewer.user_id.clone()));
    // Only events about things the user can still see, by their subjects' rules.
    // An event shares its subject's place, so files are announced only where downloads are allowed.
    let downloads = select.downloads_allowed(&viewer.scope, "e.customer_id", "e.location_id");
    let subjects = LiveEventKind::ALL.iter().map(|k| (k.as_str(), kinds::event_subject(*k)));
    // Requests as their submitters see them, as the event hub does (`event_batch`).
    let about = kinds::about_visible("e", subjects, Some(&downloads), Requests::Own);
    select.filter(&about, Arg::Text(viewer.user_id.clone()));
    after_cursor(&mut select, cursor);
    let rows: Vec<Row> =
        select.fetch_packed(db, &format!("ORDER BY e.version, e.id LIMIT {PAGE}"), "ORDER BY version, id").await?;
    Ok(rows
        .into_iter()
        .map(|row| LiveEventView {
            id: format!("{}.{}", row.version, row.id),
            kind: row.kind,
            subject_id: row.subject_id,
            location_id: row.location_id,
            occurred_at: row.occurred_at.rfc3339(),
        })
        .collect())
}

/// Keeps the events of `select` (aliased `e`) that come after `cursor`.
pub(super) fn after_cursor(select: &mut Select, cursor: &EventCursor) {
    let version = select.bind(Arg::Int(cursor.version));
    let id = select.bind(Arg::Text(cursor.id.clone()));
    select.filter_raw(&format!("(e.version > {version} OR (e.version = {version} AND e.id > {id}))"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_event_ids_parse() {
        assert_eq!(
            EventCursor::parse("42.0190f7a0-0000-7000-8000-000000000000"),
            Some(EventCursor { version: 42, id: "0190f7a0-0000-7000-8000-000000000000".into() })
        );
        assert_eq!(EventCursor::parse("nonsense"), None);
        let cursor = |text: &str| EventCursor::parse(text).unwrap();
        assert!(cursor("9.b") < cursor("10.a"), "versions order first, as numbers");
        assert!(cursor("10.a") < cursor("10.b"));
    }
}
