//! Follow-ups in scope with their customer-facing text and planned visit.

use std::collections::HashMap;

use portal_types::{AppointmentView, FollowUpView, Page, SyncKind};

use super::{appointments, ordered, page, PortalPage, Viewer};
use crate::domain::lifecycle::FollowUpStatus;
use crate::domain::public_status;
use crate::error::AppResult;
use crate::records::query::{stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::records::visibility;
use crate::storage::Db;

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    location_id: String,
    description: String,
    status: FollowUpStatus,
    report_id: Option<String>,
    planned_appointment_id: Option<String>,
    #[serde(deserialize_with = "stored::timestamp")]
    updated_at: Timestamp,
}

impl Packed for Row {}

/// Follow-ups in scope; the origin report only when it is published.
fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(&format!(
        "SELECT f.id, f.location_id, f.description, f.status, \
         CASE WHEN {} THEN v.id END AS report_id, f.planned_appointment_id, f.updated_at \
         FROM follow_ups f LEFT JOIN visit_reports v ON v.id = f.origin_report_id",
        visibility::report_published("v")
    ));
    viewer.restrict(&mut select, SyncKind::FollowUp);
    select
}

/// Follow-up views with their planned visits (one query for all of them).
async fn views(db: &Db, viewer: &Viewer, rows: Vec<Row>) -> AppResult<Vec<FollowUpView>> {
    let planned: Vec<String> = rows.iter().filter_map(|r| r.planned_appointment_id.clone()).collect();
    let mut visits: HashMap<String, AppointmentView> = if planned.is_empty() {
        HashMap::new()
    } else {
        appointments::by_ids(db, viewer, &planned).await?.into_iter().map(|a| (a.id.clone(), a)).collect()
    };
    Ok(rows
        .into_iter()
        .map(|row| FollowUpView {
            public_status: public_status::of_follow_up(row.status),
            planned_appointment: row.planned_appointment_id.as_ref().and_then(|id| visits.remove(id)),
            id: row.id,
            location_id: row.location_id,
            description: row.description,
            report_id: row.report_id,
            updated_at: row.updated_at.rfc3339(),
        })
        .collect())
}

/// The query of one page, newest first (`limit + 1` rows, to tell whether more follow).
pub fn list_query(viewer: &Viewer, query: &PortalPage) -> AppResult<Ordered> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.at_location(location_id);
    }
    let mut ordered = ordered(SyncKind::FollowUp, select, limit + 1);
    if let Some(after) = &query.after {
        ordered.after(vec![Arg::Text(after.clone())]);
    }
    Ok(ordered)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<FollowUpView>> {
    let rows: Vec<Row> = list_query(viewer, query)?.fetch_all(db).await?;
    Ok(page(views(db, viewer, rows).await?, query.limit()?, |f| f.id.clone()))
}

/// The visible follow-ups among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<FollowUpView>> {
    let mut select = visible(viewer);
    select.filter_in("f.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    views(db, viewer, rows).await
}
