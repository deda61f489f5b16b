//! Timeline milestones in scope, newest first — only about things the user can
//! still see (own requests, shared appointments, published reports, follow-ups).

use portal_types::{Page, TimelineEntryView, TimelineKind};
use sqlx::FromRow;

use super::{page, PortalPage, Viewer};
use crate::error::AppResult;
use crate::records::query::{Arg, Select};
use crate::records::time::Timestamp;
use crate::storage::Db;

#[derive(FromRow)]
struct Row {
    id: String,
    location_id: String,
    #[sqlx(try_from = "String")]
    kind: TimelineKind,
    subject_id: String,
    occurred_at: Timestamp,
}

/// Milestones in scope about things the user can still see.
fn visible(viewer: &Viewer) -> Select {
    let mut select =
        Select::new("SELECT e.id, e.location_id, e.kind, e.subject_id, e.occurred_at FROM timeline_events e");
    select.scoped(&viewer.scope, "e.customer_id", "e.location_id");
    select.filter(
        "(  (e.kind LIKE 'request_%' AND EXISTS (SELECT 1 FROM requests r WHERE r.id = e.subject_id AND r.submitted_by = {}))
         OR (e.kind LIKE 'appointment_%' OR e.kind = 'visit_completed')
             AND EXISTS (SELECT 1 FROM appointments a WHERE a.id = e.subject_id AND a.shared_with_portal = 1)
         OR (e.kind = 'report_shared' AND EXISTS (SELECT 1 FROM visit_reports v WHERE v.id = e.subject_id AND v.status = 'published'))
         OR e.kind LIKE 'follow_up_%')",
        Arg::Text(viewer.user_id.clone()),
    );
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

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<TimelineEntryView>> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.filter("e.location_id = {}", Arg::Text(location_id.clone()));
    }
    if let Some(after) = &query.after {
        select.filter("e.id < {}", Arg::Text(after.clone()));
    }
    let rows: Vec<Row> = select.fetch_all(db, &format!("ORDER BY e.id DESC LIMIT {}", limit + 1)).await?;
    Ok(page(rows.into_iter().map(view).collect(), limit, |e| e.id.clone()))
}

/// The visible milestones among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<TimelineEntryView>> {
    let mut select = visible(viewer);
    select.filter_in("e.id", ids);
    let rows: Vec<Row> = select.fetch_all(db, "").await?;
    Ok(rows.into_iter().map(view).collect())
}
