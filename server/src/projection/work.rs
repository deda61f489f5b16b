//! Open work in scope, reduced to location, title, public status and the next shared visit.

use portal_types::{OpenWorkView, Page, SyncKind};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{appointments, ordered, page_of, PortalPage, Viewer};
use crate::domain::lifecycle::TargetStatus;
use crate::domain::public_status;
use crate::error::AppResult;
use crate::records::query::{field_names, stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::records::visibility;
use crate::storage::{now_ms, Db};

struct Row {
    head: Head,
    next: Option<appointments::Row>,
}

/// The work item's own columns.
#[derive(Deserialize)]
struct Head {
    id: String,
    location_id: String,
    title: String,
    status: TargetStatus,
    request_id: Option<String>,
    #[serde(deserialize_with = "stored::timestamp")]
    updated_at: Timestamp,
}

/// The next visit's columns carry this prefix (see `appointments::columns`).
const NEXT: &str = "next_";

impl Packed for Row {
    fn columns() -> Vec<String> {
        let head = field_names::<Head>().iter().map(|name| name.to_string());
        head.chain(appointments::Row::columns().into_iter().map(|name| format!("{NEXT}{name}"))).collect()
    }
}

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut object = Map::deserialize(deserializer)?;
        let prefixed: Vec<String> = object.keys().filter(|key| key.starts_with(NEXT)).cloned().collect();
        let next: Map<String, Value> = prefixed
            .into_iter()
            .filter_map(|key| object.remove(&key).map(|value| (key[NEXT.len()..].to_string(), value)))
            .collect();
        let head = Head::deserialize(Value::Object(object)).map_err(de::Error::custom)?;
        let next = match next.get("id") {
            None | Some(Value::Null) => None,
            Some(_) => Some(appointments::Row::deserialize(Value::Object(next)).map_err(de::Error::custom)?),
        };
        Ok(Row { head, next })
    }
}

impl From<Row> for OpenWorkView {
    fn from(row: Row) -> Self {
        let head = row.head;
        OpenWorkView {
            public_status: public_status::of_target(head.status),
            id: head.id,
            location_id: head.location_id,
            title: head.title,
            request_id: head.request_id,
            next_appointment: row.next.map(Into::into),
            updated_at: head.updated_at.rfc3339(),
        }
    }
}

/// Open targets in scope, each with its next shared visit in the same query (the
/// soonest not yet over, read from the target's appointments in start order); the
/// request id only for the user's own requests.
fn visible(viewer: &Viewer) -> Select {
    let shared = visibility::appointment_shared("a");
    let coming = visibility::visit_coming("a");
    let longest = visibility::LONGEST_APPOINTMENT;
    let mut select = Select::new(&format!(
        "SELECT t.id, t.location_id, t.title, t.status, CASE WHEN nr.submitted_by = $1 THEN nr.id END AS request_id, \
         t.updated_at, {} FROM targets t LEFT JOIN requests nr ON nr.id = t.request_id \
         LEFT JOIN appointments n ON n.id = (SELECT a.id FROM appointments a WHERE a.target_id = t.id \
             AND a.customer_id = t.customer_id AND a.location_id = t.location_id AND {shared} AND {coming} \
             AND a.starts_at >= $2 - {longest} AND a.ends_at >= $2 ORDER BY a.starts_at, a.id LIMIT 1) \
         LEFT JOIN locations nl ON nl.id = n.location_id",
        appointments::columns("next_")
    ));
    select.bind(Arg::Text(viewer.user_id.clone()));
    select.bind(Arg::Int(now_ms()));
    viewer.restrict(&mut select, SyncKind::Work);
    select
}

/// The query of one page (`limit + 1` rows, to tell whether more follow).
pub fn list_query(viewer: &Viewer, query: &PortalPage) -> AppResult<Ordered> {
    let limit = query.limit()?;
    let mut select = visible(viewer);
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
    let rows: Vec<Row> = list_query(viewer, query)?.fetch_all(db).await?;
    Ok(page_of(rows, query.limit()?, |w| w.head.id.clone(), Into::into))
}

/// The visible open work among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<OpenWorkView>> {
    let mut select = visible(viewer);
    select.filter_in("t.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    Ok(rows.into_iter().map(Into::into).collect())
}
