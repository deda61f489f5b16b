//! How portal view records are stored: one row per record, keyed by kind and id,
//! holding the view exactly as the server sent it, a key to sort lists by, and the
//! few fields the cache's windows filter on (indexed, see `cache::schema`).

use portal_types::{SyncItem, SyncKind};
use serde::Serialize;

/// A record ready to store in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub kind: SyncKind,
    pub id: String,
    pub sort_key: String,
    pub body: String,
    pub location_id: Option<String>,
    /// The public status, as on the wire.
    pub status: Option<String>,
    /// When an appointment ends: upcoming until then.
    pub ends_at: Option<String>,
    /// An appointment's length in seconds, which bounds where upcoming ones start.
    pub span: Option<i64>,
    /// The record a detail screen looks this one up by: an appointment's request,
    /// a follow-up's planned appointment.
    pub related: Option<String>,
    /// Lower-cased text a search matches.
    pub search: Option<String>,
}

/// Lists read newest first for these kinds, oldest (soonest) first for the others.
pub fn newest_first(kind: SyncKind) -> bool {
    matches!(kind, SyncKind::Request | SyncKind::Work | SyncKind::Report | SyncKind::Timeline | SyncKind::FollowUp)
}

/// The stored row of a record.
pub fn row_of(item: &SyncItem) -> Row {
    let row = |kind, id: &String, sort_key: &String, body: Result<String, serde_json::Error>| Row {
        kind,
        id: id.clone(),
        sort_key: sort_key.clone(),
        body: body.unwrap_or_default(),
        location_id: None,
        status: None,
        ends_at: None,
        span: None,
        related: None,
        search: None,
    };
    match item {
        SyncItem::Location(v) => row(SyncKind::Location, &v.id, &v.name, serde_json::to_string(v)),
        SyncItem::Request(v) => Row {
            location_id: Some(v.location_id.clone()),
            status: wire(&v.public_status),
            search: search(&[&v.title, &v.description]),
            ..row(SyncKind::Request, &v.id, &v.created_at, serde_json::to_string(v))
        },
        SyncItem::Appointment(v) => Row {
            location_id: Some(v.location_id.clone()),
            status: wire(&v.public_status),
            ends_at: Some(v.ends_at.clone()),
            span: Some(seconds_between(&v.starts_at, &v.ends_at)),
            related: v.request_id.clone(),
            ..row(SyncKind::Appointment, &v.id, &v.starts_at, serde_json::to_string(v))
        },
        SyncItem::Work(v) => Row {
            location_id: Some(v.location_id.clone()),
            status: wire(&v.public_status),
            search: search(&[&v.title]),
            ..row(SyncKind::Work, &v.id, &v.updated_at, serde_json::to_string(v))
        },
        SyncItem::Report(v) => Row {
            location_id: Some(v.location_id.clone()),
            search: search(&[&v.title, &v.summary]),
            ..row(SyncKind::Report, &v.id, &v.published_at, serde_json::to_string(v))
        },
        SyncItem::Attachment(v) => row(SyncKind::Attachment, &v.id, &v.file_name, serde_json::to_string(v)),
        SyncItem::Timeline(v) => Row {
            location_id: Some(v.location_id.clone()),
            ..row(SyncKind::Timeline, &v.id, &v.occurred_at, serde_json::to_string(v))
        },
        SyncItem::FollowUp(v) => Row {
            location_id: Some(v.location_id.clone()),
            status: wire(&v.public_status),
            related: v.planned_appointment.as_ref().map(|a| a.id.clone()),
            search: search(&[&v.description]),
            ..row(SyncKind::FollowUp, &v.id, &v.updated_at, serde_json::to_string(v))
        },
    }
}

/// The row of a stored body, for re-deriving the filter columns of an older cache.
pub fn row_of_body(kind: SyncKind, body: &str) -> Option<Row> {
    let item = match kind {
        SyncKind::Location => SyncItem::Location(serde_json::from_str(body).ok()?),
        SyncKind::Request => SyncItem::Request(serde_json::from_str(body).ok()?),
        SyncKind::Appointment => SyncItem::Appointment(serde_json::from_str(body).ok()?),
        SyncKind::Work => SyncItem::Work(serde_json::from_str(body).ok()?),
        SyncKind::Report => SyncItem::Report(serde_json::from_str(body).ok()?),
        SyncKind::Attachment => SyncItem::Attachment(serde_json::from_str(body).ok()?),
        SyncKind::Timeline => SyncItem::Timeline(serde_json::from_str(body).ok()?),
        SyncKind::FollowUp => SyncItem::FollowUp(serde_json::from_str(body).ok()?),
    };
    Some(row_of(&item))
}

/// The text a search matches, lower-cased once here so queries compare plainly.
fn search(parts: &[&str]) -> Option<String> {
    Some(parts.join("\n").to_lowercase())
}

/// A value's wire spelling (enums serialize to their snake_case name).
fn wire<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_value(value).ok()?.as_str().map(str::to_string)
}

/// Seconds from one instant to another; 0 when either does not parse.
fn seconds_between(from: &str, to: &str) -> i64 {
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    match (parse(from), parse(to)) {
        (Some(from), Some(to)) => (to - from).num_seconds().max(0),
        _ => 0,
    }
}
