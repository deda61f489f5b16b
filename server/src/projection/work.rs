//! Open work in scope, reduced to location, title, public status and the next shared visit.

use portal_types::{OpenWorkView, Page, SyncKind};
use serde::Deserialize;

use super::{appointments, ordered, page_of, PortalPage, Viewer};
use crate::domain::lifecycle::TargetStatus;
use crate::domain::public_status;
use crate::error::AppResult;
use crate::records::query::{json, stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::records::visibility;
use crate::storage::{now_ms, Backend, Db};

/// An open work item as read, its next visit nested (NULL when none is coming).
#[derive(Deserialize)]
struct Row {
    id: String,
    location_id: String,
    title: String,
    status: TargetStatus,
    request_id: Option<String>,
    #[serde(deserialize_with = "stored::timestamp")]
    updated_at: Timestamp,
    #[serde(deserialize_with = "stored::nested")]
    next: Option<appointments::Row>,
}

impl Packed for Row {}

impl From<Row> for OpenWorkView {
    fn from(row: Row) -> Self {
        OpenWorkView {
            public_status: public_status::of_target(row.status),
            id: row.id,
            location_id: row.location_id,
            title: row.title,
            request_id: row.request_id,
            next_appointment: row.next.map(Into::into),
            updated_at: row.updated_at.rfc3339(),
        }
    }
}

/// Open targets in scope, each with its next shared visit in the same query (the
/// soonest not yet over, read from the target's appointments in start order); the
/// request id only for the user's own requests.
fn visible(viewer: &Viewer, backend: Backend) -> Select {
    let shared = visibility::appointment_shared("a");
    let coming = visibility::visit_coming("a");
    let longest = visibility::LONGEST_APPOINTMENT;
    let mut select = Select::new(&format!(
        "SELECT t.id, t.location_id, t.title, t.status, CASE WHEN nr.submitted_by = $1 THEN nr.id END AS request_id, \
         t.updated_at, CASE WHEN n.id IS NOT NULL THEN {} END AS next FROM targets t LEFT JOIN requests nr ON nr.id = t.request_id \
         LEFT JOIN appointments n ON n.id = (SELECT a.id FROM appointments a WHERE a.target_id = t.id \
             AND a.customer_id = t.customer_id AND a.location_id = t.location_id AND {shared} AND {coming} \
             AND a.starts_at >= $2 - {longest} AND a.ends_at >= $2 ORDER BY a.starts_at, a.id LIMIT 1) \
         LEFT JOIN locations nl ON nl.id = n.location_id",
        json::object(backend, &appointments::COLUMNS)
    ));
    select.bind(Arg::Text(viewer.user_id.clone()));
    select.bind(Arg::Int(now_ms()));
    viewer.restrict(&mut select, SyncKind::Work);
    select
}

/// The query of one page (`limit + 1` rows, to tell whether more follow).
pub fn list_query(viewer: &Viewer, backend: Backend, query: &PortalPage) -> AppResult<Ordered> {
    let limit = query.limit()?;
    let mut select = visible(viewer, backend);
    if let Some(location_id) = &query.location_id {
        select.at_location(location_id);
    }
    let mut ordered = ordered(SyncKind::Work, select, limit + 1);
    if let Some(after) = &query.after {
        ordered.after(vec![Arg::Text(after.clone())]);
    }
    Ok(ordered)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<OpenWorkView>> {
    let rows: Vec<Row> = list_query(viewer, db.backend, query)?.fetch_all(db).await?;
    Ok(page_of(rows, query.limit()?, |w| w.id.clone(), Into::into))
}

/// The visible open work among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<OpenWorkView>> {
    let mut select = visible(viewer, db.backend);
    select.filter_in("t.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    Ok(rows.into_iter().map(Into::into).collect())
}
