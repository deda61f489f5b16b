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

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<TimelineEntryView>> {
    let limit = query.limit()?;
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
    if let Some(location_id) = &query.location_id {
        select.filter("e.location_id = {}", Arg::Text(location_id.clone()));
    }
    if let Some(after) = &query.after {
        select.filter("e.id < {}", Arg::Text(after.clone()));
    }
    let rows: Vec<Row> = select
        .fetch_all(db, &format!("ORDER BY e.id DESC LIMIT {}", limit + 1))
        .await?;
    let views = rows
        .into_iter()
        .map(|row| TimelineEntryView {
            id: row.id,
            location_id: row.location_id,
            kind: row.kind,
            subject_id: row.subject_id,
            occurred_at: row.occurred_at.rfc3339(),
        })
        .collect();
    Ok(page(views, limit, |e| e.id.clone()))
}
