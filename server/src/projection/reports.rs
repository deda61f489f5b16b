//! Published visit reports in scope: the portal texts only, never the internal report.

use portal_types::{Page, ReportView, SyncKind};

use super::{attachments, ordered, page, PortalPage, Viewer};
use crate::error::{AppError, AppResult};
use crate::records::query::{stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::storage::Db;

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    location_id: String,
    portal_title: Option<String>,
    portal_summary: Option<String>,
    portal_message: Option<String>,
    visit_date: String,
    #[serde(deserialize_with = "stored::optional_timestamp")]
    published_at: Option<Timestamp>,
}

impl Packed for Row {}

fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(
        "SELECT v.id, v.location_id, v.portal_title, v.portal_summary, v.portal_message, v.visit_date, v.published_at \
         FROM visit_reports v",
    );
    viewer.restrict(&mut select, SyncKind::Report);
    select
}

/// Report views with their attachments (one query for all of them).
async fn views(db: &Db, viewer: &Viewer, rows: Vec<Row>) -> AppResult<Vec<ReportView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut attachments = attachments::of_reports(db, viewer, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| ReportView {
            attachments: attachments.remove(&row.id).unwrap_or_default(),
            id: row.id,
            location_id: row.location_id,
            title: row.portal_title.unwrap_or_default(),
            summary: row.portal_summary.unwrap_or_default(),
            message: row.portal_message,
            visit_date: row.visit_date,
            published_at: row.published_at.map(Timestamp::rfc3339).unwrap_or_default(),
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
    let mut ordered = ordered(SyncKind::Report, select, limit + 1);
    if let Some(after) = &query.after {
        ordered.after(vec![Arg::Text(after.clone())]);
    }
    Ok(ordered)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<ReportView>> {
    let rows: Vec<Row> = list_query(viewer, query)?.fetch_all(db).await?;
    Ok(page(views(db, viewer, rows).await?, query.limit()?, |r| r.id.clone()))
}

/// The visible reports among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<ReportView>> {
    let mut select = visible(viewer);
    select.filter_in("v.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    views(db, viewer, rows).await
}

pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> AppResult<ReportView> {
    let mut select = visible(viewer);
    select.filter("v.id = {}", Arg::Text(id.to_string()));
    let row: Row = select.fetch_optional(db, "").await?.ok_or(AppError::NotFound)?;
    Ok(views(db, viewer, vec![row]).await?.remove(0))
}
