//! The user's own requests, with their progress line.

use std::collections::HashMap;

use portal_types::{
    AttachmentView, MessageFrom, MessageView, Page, ProgressStep, RequestStatus, RequestView, SyncKind, TimeWindowView,
};

use super::{attachments, ordered, page, PortalPage, Viewer};
use crate::domain::lifecycle::contact_may_cancel;
use crate::domain::public_status;
use crate::error::{AppError, AppResult};
use crate::records::query::{stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::records::visibility;
use crate::storage::Db;

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    location_id: String,
    kind: portal_types::RequestKind,
    title: String,
    description: String,
    status: RequestStatus,
    decision_reason: Option<String>,
    #[serde(deserialize_with = "stored::timestamp")]
    created_at: Timestamp,
    #[serde(deserialize_with = "stored::timestamp")]
    updated_at: Timestamp,
}

impl Packed for Row {}

/// A preferred time window of a request.
#[derive(serde::Deserialize)]
struct WindowRow {
    request_id: String,
    #[expect(dead_code, reason = "read only to order the windows")]
    position: i64,
    #[serde(deserialize_with = "stored::timestamp")]
    starts_at: Timestamp,
    #[serde(deserialize_with = "stored::timestamp")]
    ends_at: Timestamp,
}

impl Packed for WindowRow {}

/// A message for the customer on a request, with its contact's name.
#[derive(serde::Deserialize)]
struct MessageRow {
    id: String,
    request_id: String,
    author_portal_user_id: Option<String>,
    author_name: Option<String>,
    body: String,
    #[serde(deserialize_with = "stored::timestamp")]
    created_at: Timestamp,
}

impl Packed for MessageRow {}

impl From<MessageRow> for MessageView {
    fn from(row: MessageRow) -> Self {
        let from = if row.author_portal_user_id.is_some() { MessageFrom::Customer } else { MessageFrom::Staff };
        MessageView {
            id: row.id,
            request_id: row.request_id,
            from,
            author_name: row.author_name,
            body: row.body,
            created_at: row.created_at.rfc3339(),
        }
    }
}

const SELECT: &str = "SELECT r.id, r.location_id, r.kind, r.title, r.description, r.status, r.decision_reason, \
     r.created_at, r.updated_at FROM requests r";

/// Own requests in scope: the base of every request query.
fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(SELECT);
    viewer.restrict(&mut select, SyncKind::Request);
    select
}

/// The query of one page, newest first (`limit + 1` rows, to tell whether more follow).
pub fn list_query(viewer: &Viewer, query: &PortalPage) -> AppResult<Ordered> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.at_location(location_id);
    }
    let mut ordered = ordered(SyncKind::Request, select, limit + 1);
    if let Some(after) = &query.after {
        ordered.after(vec![Arg::Text(after.clone())]);
    }
    Ok(ordered)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &PortalPage) -> AppResult<Page<RequestView>> {
    let rows: Vec<Row> = list_query(viewer, query)?.fetch_all(db).await?;
    Ok(page(views(db, viewer, rows).await?, query.limit()?, |r| r.id.clone()))
}

/// The visible requests among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<RequestView>> {
    let mut select = visible(viewer);
    select.filter_in("r.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    views(db, viewer, rows).await
}

/// One own request in scope; anything else is "not found".
pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> AppResult<RequestView> {
    let mut select = visible(viewer);
    select.filter("r.id = {}", Arg::Text(id.to_string()));
    let row: Row = select.fetch_optional(db, "").await?.ok_or(AppError::NotFound)?;
    Ok(views(db, viewer, vec![row]).await?.remove(0))
}

/// The customer's messages on requests `ids` (one query for all of them), oldest first.
async fn messages(db: &Db, ids: &[String]) -> AppResult<HashMap<String, Vec<MessageView>>> {
    let mut threads: HashMap<String, Vec<MessageView>> = HashMap::new();
    if ids.is_empty() {
        return Ok(threads);
    }
    let mut select = Select::new(
        "SELECT m.id, m.request_id, m.author_portal_user_id, u.display_name AS author_name, m.body, m.created_at
         FROM request_messages m LEFT JOIN portal_users u ON u.id = m.author_portal_user_id",
    );
    select.filter_raw(&visibility::message_for_customer("m"));
    select.filter_in("m.request_id", ids);
    let found: Vec<MessageRow> = select.fetch_packed(db, "", "ORDER BY request_id, id").await?;
    for row in found {
        threads.entry(row.request_id.clone()).or_default().push(row.into());
    }
    Ok(threads)
}

/// Request views with their preferred windows and messages (one query for each).
async fn views(db: &Db, viewer: &Viewer, rows: Vec<Row>) -> AppResult<Vec<RequestView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut threads = messages(db, &ids).await?;
    let mut files = attachments::of_requests(db, viewer, &ids).await?;
    let mut windows: HashMap<String, Vec<TimeWindowView>> = HashMap::new();
    if !ids.is_empty() {
        let mut select =
            Select::new("SELECT w.request_id, w.position, w.starts_at, w.ends_at FROM request_time_windows w");
        select.filter_in("w.request_id", &ids);
        let found: Vec<WindowRow> = select.fetch_packed(db, "", "ORDER BY request_id, position").await?;
        for row in found {
            let window = TimeWindowView { starts_at: row.starts_at.rfc3339(), ends_at: row.ends_at.rfc3339() };
            windows.entry(row.request_id).or_default().push(window);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let preferred = windows.remove(&row.id).unwrap_or_default();
            let messages = threads.remove(&row.id).unwrap_or_default();
            let attachments = files.remove(&row.id).unwrap_or_default();
            view(row, preferred, messages, attachments)
        })
        .collect())
}

fn view(
    row: Row,
    preferred_windows: Vec<TimeWindowView>,
    messages: Vec<MessageView>,
    attachments: Vec<AttachmentView>,
) -> RequestView {
    RequestView {
        public_status: public_status::of_request(row.status),
        can_cancel: contact_may_cancel(row.status),
        progress: progress(row.status),
        id: row.id,
        location_id: row.location_id,
        kind: row.kind,
        title: row.title,
        description: row.description,
        status: row.status,
        decision_reason: row.decision_reason,
        preferred_windows,
        created_at: row.created_at.rfc3339(),
        updated_at: row.updated_at.rfc3339(),
        messages,
        attachments,
    }
}

/// The progress line: submitted → in review → accepted → planned, ending early at
/// rejected or cancelled.
pub fn progress(status: RequestStatus) -> Vec<ProgressStep> {
    use RequestStatus::*;
    let path = [Submitted, InReview, Accepted, Planned];
    let step = |status: RequestStatus, state: &str| ProgressStep { status, state: state.to_string() };
    match status {
        Rejected | Cancelled => {
            let mut steps = vec![step(Submitted, "done")];
            steps.push(step(status, "current"));
            steps
        }
        current => {
            let at = path.iter().position(|s| *s == current).unwrap_or(0);
            path.iter()
                .enumerate()
                .map(|(i, s)| {
                    step(
                        *s,
                        if i < at {
                            "done"
                        } else if i == at && current != Planned {
                            "current"
                        } else if i == at {
                            "done"
                        } else {
                            "upcoming"
                        },
                    )
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(status: RequestStatus) -> Vec<(String, String)> {
        progress(status).into_iter().map(|s| (s.status.as_str().to_string(), s.state)).collect()
    }

    #[test]
    fn progress_lines() {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            states(RequestStatus::InReview),
            [s("submitted", "done"), s("in_review", "current"), s("accepted", "upcoming"), s("planned", "upcoming")]
        );
        assert_eq!(states(RequestStatus::Planned).iter().filter(|(_, st)| st == "done").count(), 4);
        assert_eq!(states(RequestStatus::Rejected), [s("submitted", "done"), s("rejected", "current")]);
    }
}
