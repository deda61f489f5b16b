//! Released attachments the user may download: on published reports, open work or
//! their own requests, in scope, where the grant allows downloads.

use std::collections::HashMap;

use portal_types::{AttachmentView, SyncKind};

use super::Viewer;
use crate::domain::upload::served_name;
use crate::error::{AppError, AppResult};
use crate::records::attachments::{self, Attachment};
use crate::records::query::{field_names, json, Arg, Packed, Select};
use crate::storage::{Backend, Db};

#[derive(serde::Deserialize)]
pub(super) struct Row {
    id: String,
    report_id: Option<String>,
    request_id: Option<String>,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
}

impl Packed for Row {}

impl From<Row> for AttachmentView {
    fn from(row: Row) -> Self {
        AttachmentView {
            download_path: format!("/portal/v1/attachments/{}/content", row.id),
            id: row.id,
            report_id: row.report_id,
            file_name: served_name(&row.file_name, &row.content_type),
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
        }
    }
}

/// The view of a file the user just sent, shown to them as stored.
pub fn sent(attachment: Attachment) -> AttachmentView {
    AttachmentView::from(Row {
        id: attachment.id,
        report_id: attachment.report_id,
        request_id: attachment.request_id,
        file_name: attachment.file_name,
        content_type: attachment.content_type,
        size_bytes: attachment.size_bytes,
        sha256: attachment.sha256,
    })
}

fn visible(viewer: &Viewer) -> Select {
    let mut select =
        Select::new("SELECT x.id, x.report_id, x.request_id, x.file_name, x.content_type, x.size_bytes, x.sha256 FROM attachments x");
    viewer.restrict(&mut select, SyncKind::Attachment);
    select
}

/// The visible attachments of the report `report` (a column of the enclosing
/// query) as a JSON array of `Row`s, built by the database in the report's own
/// statement; the rule's values are bound in `select`, the report query's select.
/// Unordered: `by_id` puts them in order once read.
pub(super) fn of_report(select: &mut Select, viewer: &Viewer, backend: Backend, report: &str) -> String {
    let shown = viewer.condition(select, SyncKind::Attachment, "x");
    let columns: Vec<(&str, String)> = field_names::<Row>().iter().map(|name| (*name, format!("x.{name}"))).collect();
    let pairs: Vec<(&str, &str)> = columns.iter().map(|(name, column)| (*name, column.as_str())).collect();
    let from = format!("FROM attachments x WHERE x.report_id = {report} AND {shown}");
    json::array(backend, &json::object(backend, &pairs), &from, "")
}

/// Attachments as their views, in id order.
pub(super) fn by_id(mut rows: Vec<Row>) -> Vec<AttachmentView> {
    rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    rows.into_iter().map(Into::into).collect()
}

/// The visible attachments of requests `ids` (one query for all of them), by request, in id order.
pub(super) async fn of_requests(
    db: &Db,
    viewer: &Viewer,
    ids: &[String],
) -> AppResult<HashMap<String, Vec<AttachmentView>>> {
    let mut files: HashMap<String, Vec<AttachmentView>> = HashMap::new();
    if ids.is_empty() {
        return Ok(files);
    }
    let mut select = visible(viewer);
    select.filter_in("x.request_id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "ORDER BY request_id, id").await?;
    for row in rows {
        if let Some(request_id) = row.request_id.clone() {
            files.entry(request_id).or_default().push(row.into());
        }
    }
    Ok(files)
}

/// The visible attachments among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<AttachmentView>> {
    let mut select = visible(viewer);
    select.filter_in("x.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> AppResult<AttachmentView> {
    let mut select = visible(viewer);
    select.filter("x.id = {}", Arg::Text(id.to_string()));
    let row: Row = select.fetch_optional(db, "").await?.ok_or(AppError::NotFound)?;
    Ok(row.into())
}

/// The stored attachment behind a visible one, for streaming its bytes.
pub async fn for_download(db: &Db, viewer: &Viewer, id: &str) -> AppResult<Attachment> {
    let view = get(db, viewer, id).await?;
    attachments::get(&db.pool, &view.id).await
}
