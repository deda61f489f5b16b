//! Open work in scope, reduced to location, title, public status and the next shared visit.

use portal_types::{OpenWorkView, Page};
use sqlx::FromRow;

use super::{appointments, page, PortalPage, Viewer};
use crate::domain::lifecycle::TargetStatus;
use crate::domain::public_status;
use crate::error::AppResult;
use crate::records::query::{Arg, Select};
use crate::records::time::Timestamp;
use crate::storage::{now_ms, Db};

#[derive(FromRow)]
struct Row {
    id: String,
    location_id: String,
    title: String,
    #[sqlx(try_from = "String")]
    status: TargetStatus,
    request_id: Option<String>,
    updated_at: Timestamp,
}

/// Open targets in scope; the request id only for the user's own requests.
fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(
        "SELECT t.id, t.location_id, t.title, t.status, CASE WHEN r.submitted_by = $1 THEN r.id END AS request_id, \
         t.updated_at FROM targets t LEFT JOIN requests r ON r.id = t.request_id",
    );
    select.bind(Arg::Text(viewer.user_id.clone()));
    select.scoped(&viewer.scope, "t.customer_id", "t.location_id");
    select.filter_raw("t.status IN ('new', 'scheduled', 'in_progress', 'on_hold')");
    select
}

async fn views(db: &Db, viewer: &Viewer, rows: Vec<Row>) -> AppResult<Vec<OpenWorkView>> {
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let mut next = appointments::visible(viewer);
        next.filter("a.target_id = {}", Arg::Text(row.id.clone()));
        next.filter("a.ends_at >= {}", Arg::Int(now_ms()));
        next.filter_raw("a.status IN ('scheduled', 'in_progress')");
        let next: Option<appointments::Row> = next.fetch_optional(db, "ORDER BY a.starts_at LIMIT 1").await?;
        views.push(OpenWorkView {
            public_status: public_status::of_target(row.status),
            id: row.id,
            location_id: row.location_id,
            title: row.title,
            request_id: row.request_id,
            next_appointment: next.map(Into::into),
            updated_at: row.updated_at.rfc3339(),
        });
    }
    Ok(views)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<OpenWorkView>> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.filter("t.location_id = {}", Arg::Text(location_id.clone()));
    }
    if let Some(after) = &query.after {
        select.filter("t.id > {}", Arg::Text(after.clone()));
    }
    let rows: Vec<Row> = select.fetch_all(db, &format!("ORDER BY t.id LIMIT {}", limit + 1)).await?;
    Ok(page(views(db, viewer, rows).await?, limit, |w| w.id.clone()))
}

/// The visible open work among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<OpenWorkView>> {
    let mut select = visible(viewer);
    select.filter_in("t.id", ids);
    let rows: Vec<Row> = select.fetch_all(db, "").await?;
    views(db, viewer, rows).await
}
