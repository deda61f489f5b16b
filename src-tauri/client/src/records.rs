//! How portal view records are stored: one row per record, keyed by kind and id,
//! holding the view exactly as the server sent it and a key to sort lists by.

use portal_types::{SyncItem, SyncKind};

/// A record ready to store in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub kind: SyncKind,
    pub id: String,
    pub sort_key: String,
    pub body: String,
}

/// Lists read newest first for these kinds, oldest (soonest) first for the others.
pub fn newest_first(kind: SyncKind) -> bool {
    matches!(kind, SyncKind::Request | SyncKind::Work | SyncKind::Report | SyncKind::Timeline | SyncKind::FollowUp)
}

/// The stored row of a record.
pub fn row_of(item: &SyncItem) -> Row {
    let (kind, id, sort_key) = match item {
        SyncItem::Location(v) => (SyncKind::Location, &v.id, v.name.clone()),
        SyncItem::Request(v) => (SyncKind::Request, &v.id, v.created_at.clone()),
        SyncItem::Appointment(v) => (SyncKind::Appointment, &v.id, v.starts_at.clone()),
        SyncItem::Work(v) => (SyncKind::Work, &v.id, v.updated_at.clone()),
        SyncItem::Report(v) => (SyncKind::Report, &v.id, v.published_at.clone()),
        SyncItem::Attachment(v) => (SyncKind::Attachment, &v.id, v.file_name.clone()),
        SyncItem::Timeline(v) => (SyncKind::Timeline, &v.id, v.occurred_at.clone()),
        SyncItem::FollowUp(v) => (SyncKind::FollowUp, &v.id, v.updated_at.clone()),
    };
    let body = match item {
        SyncItem::Location(v) => serde_json::to_string(v),
        SyncItem::Request(v) => serde_json::to_string(v),
        SyncItem::Appointment(v) => serde_json::to_string(v),
        SyncItem::Work(v) => serde_json::to_string(v),
        SyncItem::Report(v) => serde_json::to_string(v),
        SyncItem::Attachment(v) => serde_json::to_string(v),
        SyncItem::Timeline(v) => serde_json::to_string(v),
        SyncItem::FollowUp(v) => serde_json::to_string(v),
    };
    Row { kind, id: id.clone(), sort_key, body: body.unwrap_or_default() }
}
