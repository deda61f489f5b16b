//! Follow-ups in scope with their customer-facing text and planned visit.

use portal_types::{FollowUpView, Page};
use sqlx::FromRow;

use super::{appointments, page, PortalPage, Viewer};
use crate::domain::lifecycle::FollowUpStatus;
use crate::domain::public_status;
use crate::error::AppResult;
use crate::records::query::{Arg, Select};
use crate::records::time::Timestamp;
use crate::storage::Db;

#[derive(FromRow)]
struct Row {
    id: String,
    location_id: String,
    description: String,
    #[sqlx(try_from = "String")]
    status: FollowUpStatus,
    report_id: Option<String>,
    planned_appointment_id: Option<String>,
    updated_at: Timestamp,
}

/// Follow-ups in scope; the origin report only when it is published.
fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(
        "SELECT f.id, f.location_id, f.description, f.status, \
         CASE WHEN v.status = 'published' THEN v.id END AS report_id, f.planned_appointment_id, f.updated_at \
         FROM follow_ups f LEFT JOIN visit_reports v ON v.id = f.origin_report_id",
    );
    select.scoped(&viewer.scope, "f.customer_id", "f.location_id");
    select
}

async fn views(db: &Db, viewer: &Viewer, rows: Vec<Row>) -> AppResult<Vec<FollowUpView>> {
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let planned_appointment = match &row.planned_appointment_id {
            Some(id) => appointments::by_ids(db, viewer, std::slice::from_ref(id)).await?.pop(),
            None => None,
        };
        views.push(FollowUpView {
            public_status: public_status::of_follow_up(row.status),
            id: row.id,
            location_id: row.location_id,
            description: row.description,
            report_id: row.report_id,
            planned_appointment,
            updated_at: row.updated_at.rfc3339(),
        });
    }
    Ok(views)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<FollowUpView>> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.filter("f.location_id = {}", Arg::Text(location_id.clone()));
    }
    if let Some(after) = &query.after {
        select.filter("f.id < {}", Arg::Text(after.clone()));
    }
    let rows: Vec<Row> = select.fetch_all(db, &format!("ORDER BY f.id DESC LIMIT {}", limit + 1)).await?;
    Ok(page(views(db, viewer, rows).await?, limit, |f| f.id.clone()))
}

/// The visible follow-ups among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<FollowUpView>> {
    let mut select = visible(viewer);
    select.filter_in("f.id", ids);
    let rows: Vec<Row> = select.fetch_all(db, "").await?;
    views(db, viewer, rows).await
}
