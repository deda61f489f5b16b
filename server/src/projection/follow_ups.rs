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

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<FollowUpView>> {
    let limit = query.limit()?;
    let mut select = Select::new(
        "SELECT f.id, f.location_id, f.description, f.status, \
         CASE WHEN v.status = 'published' THEN v.id END AS report_id, f.planned_appointment_id, f.updated_at \
         FROM follow_ups f LEFT JOIN visit_reports v ON v.id = f.origin_report_id",
    );
    select.scoped(&viewer.scope, "f.customer_id", "f.location_id");
    if let Some(location_id) = &query.location_id {
        select.filter("f.location_id = {}", Arg::Text(location_id.clone()));
    }
    if let Some(after) = &query.after {
        select.filter("f.id < {}", Arg::Text(after.clone()));
    }
    let rows: Vec<Row> = select
        .fetch_all(db, &format!("ORDER BY f.id DESC LIMIT {}", limit + 1))
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let planned_appointment = match &row.planned_appointment_id {
            Some(id) => {
                let mut select = appointments::visible(viewer);
                select.filter("a.id = {}", Arg::Text(id.clone()));
                select
                    .fetch_optional::<appointments::Row>(db, "")
                    .await?
                    .map(Into::into)
            }
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
    Ok(page(views, limit, |f| f.id.clone()))
}
