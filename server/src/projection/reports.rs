//! Published visit reports in scope: the portal texts only, never the internal report,
//! each with its released attachments read in the same statement.

use portal_types::{Page, ReportView, SyncKind};

use super::{attachments, ordered, page_of, PortalPage, Viewer};
use crate::error::{AppError, AppResult};
use crate::records::query::{stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::storage::{Backend, Db};

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
    #[serde(deserialize_with = "stored::nested")]
    attachments: Vec<attachments::Row>,
}

impl Packed for Row {}

/// Published reports in scope, each with its visible attachments in the same query.
fn visible(viewer: &Viewer, backend: Backend) -> Select {
    let mut select = Select::with_base(|select| {
        let attachments = attachments::of_report(select, viewer, backend, "v.id");
        format!(
            "SELECT v.id, v.location_id, v.portal_title, v.portal_summary, v.portal_message, v.visit_date, \
             v.published_at, {attachments} AS attachments FROM visit_reports v"
        )
    });
    viewer.restrict(&mut select, SyncKind::Report);
    select
}

impl From<Row> for ReportView {
    fn from(row: Row) -> Self {
        ReportView {
            attachments: attachments::by_id(row.attachments),
            id: row.id,
            location_id: row.location_id,
            title: row.portal_title.unwrap_or_default(),
            summary: row.portal_summary.unwrap_or_default(),
            message: row.portal_message,
            visit_date: row.visit_date,
            published_at: row.published_at.map(Timestamp::rfc3339).unwrap_or_default(),
        }
    }
}

/// The query of one page, newest first (`limit + 1` rows, to tell whether more follow).
pub fn list_query(viewer: &Viewer, backend: Backend, query: &PortalPage) -> AppResult<Ordered> {
    let limit = query.limit()?;
    let mut select = visible(viewer, backend);
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
    let rows: Vec<Row> = list_query(viewer, db.backend, query)?.fetch_all(db).await?;
    Ok(page_of(rows, query.limit()?, |r| r.id.clone(), Into::into))
}

/// The visible reports among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<ReportView>> {
    let mut select = visible(viewer, db.backend);
    select.filter_in("v.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> AppResult<ReportView> {
    let mut select = visible(viewer, db.backend);
    select.filter("v.id = {}", Arg::Text(id.to_string()));
    let row: Row = select.fetch_optional(db, "").await?.ok_or(AppError::NotFound)?;
    Ok(row.into())
}
