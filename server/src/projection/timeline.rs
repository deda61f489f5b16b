//! Timeline milestones in scope, newest first — only about things the user can
//! still see (own requests, shared appointments, published reports, follow-ups).

use portal_types::{Page, SyncKind, TimelineEntryView, TimelineKind};

use super::{ordered, page, PortalPage, Viewer};
use crate::error::AppResult;
use crate::records::query::{stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::storage::Db;

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    location_id: String,
    kind: TimelineKind,
    subject_id: String,
    #[serde(deserialize_with = "stored::timestamp")]
    occurred_at: Timestamp,
}

impl Packed for Row {}

/// Milestones in scope about things the user can still see.
fn visible(viewer: &Viewer) -> Select {
    let mut select =
        Select::new("SELECT e.id, e.location_id, e.kind, e.subject_id, e.occurred_at FROM timeline_events e");
    viewer.restrict(&mut select, SyncKind::Timeline);
    select
}

fn view(row: Row) -> TimelineEntryView {
    TimelineEntryView {
        id: row.id,
        location_id: row.location_id,
        kind: row.kind,
        subject_id: row.subject_id,
        occurred_at: row.occurred_at.rfc3339(),
    }
}

/// The query of one page, newest first (`limit + 1` rows, to tell whether more follow).
pub fn list_query(viewer: &Viewer, query: &PortalPage) -> AppResult<Ordered> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.at_location(location_id);
    }
    let mut ordered = ordered(SyncKind::Timeline, select, limit + 1);
    if let Some(after) = &query.after {
        ordered.after(vec![Arg::Text(after.clone())]);
    }
    Ok(ordered)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<TimelineEntryView>> {
    let rows: Vec<Row> = list_query(viewer, query)?.fetch_all(db).await?;
    Ok(page(rows.into_iter().map(view).collect(), query.limit()?, |e| e.id.clone()))
}

/// The query of the visible milestones among `ids`.
pub fn by_ids_query(viewer: &Viewer, ids: &[String]) -> Select {
    let mut select = visible(viewer);
    select.filter_in("e.id", ids);
    select
}

/// The visible milestones among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<TimelineEntryView>> {
    let rows: Vec<Row> = by_ids_query(viewer, ids).fetch_packed(db, "", "").await?;
    Ok(rows.into_iter().map(view).collect())
}
