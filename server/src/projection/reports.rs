//! Published visit reports in scope: the portal texts only, never the internal report.

use portal_types::{Page, ReportView};
use sqlx::FromRow;

use super::{attachments, page, PortalPage, Viewer};
use crate::error::{AppError, AppResult};
use crate::records::query::{Arg, Select};
use crate::records::time::Timestamp;
use crate::storage::Db;

#[derive(FromRow)]
struct Row {
    id: String,
    location_id: String,
    portal_title: Option<String>,
    portal_summary: Option<String>,
    portal_message: Option<String>,
    visit_date: String,
    published_at: Option<Timestamp>,
}

fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(
        "SELECT v.id, v.location_id, v.portal_title, v.portal_summary, v.portal_message, v.visit_date, v.published_at \
         FROM visit_reports v",
    );
    select.scoped(&viewer.scope, "v.customer_id", "v.location_id");
    select.filter_raw("v.status = 'published'");
    select
}

async fn view(db: &Db, viewer: &Viewer, row: Row) -> AppResult<ReportView> {
    Ok(ReportView {
        attachments: attachments::of_report(db, viewer, &row.id).await?,
        id: row.id,
        location_id: row.location_id,
        title: row.portal_title.unwrap_or_default(),
        summary: row.portal_summary.unwrap_or_default(),
        message: row.portal_message,
        visit_date: row.visit_date,
        published_at: row.published_at.map(Timestamp::rfc3339).unwrap_or_default(),
    })
}

/// Newest first.
pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<ReportView>> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.filter("v.location_id = {}", Arg::Text(location_id.clone()));
    }
    if let Some(after) = &query.after {
        select.filter("v.id < {}", Arg::Text(after.clone()));
    }
    let rows: Vec<Row> = select
        .fetch_all(db, &format!("ORDER BY v.id DESC LIMIT {}", limit + 1))
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(view(db, viewer, row).await?);
    }
    Ok(page(views, limit, |r| r.id.clone()))
}

/// The visible reports among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<ReportView>> {
    let mut select = visible(viewer);
    select.filter_in("v.id", ids);
    let rows: Vec<Row> = select.fetch_all(db, "").await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(view(db, viewer, row).await?);
    }
    Ok(views)
}

pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> AppResult<ReportView> {
    let mut select = visible(viewer);
    select.filter("v.id = {}", Arg::Text(id.to_string()));
    let row: Row = select.fetch_optional(db, "").await?.ok_or(AppError::NotFound)?;
    view(db, viewer, row).await
}
