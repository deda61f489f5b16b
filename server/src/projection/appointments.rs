//! Shared appointments in scope, in UTC plus the location's time zone.

use portal_types::{AppointmentView, Page, SyncKind};

use super::{order, ordered_by, page_of, PortalPage, Viewer};
use crate::domain::lifecycle::AppointmentStatus;
use crate::domain::public_status;
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::records::query::{stored, Arg, Ordered, Packed, Select};
use crate::records::time::Timestamp;
use crate::records::visibility;
use crate::storage::{now_ms, Db};

/// An appointment as read, before it becomes its view.
#[derive(serde::Deserialize)]
pub struct Row {
    id: String,
    location_id: String,
    #[serde(deserialize_with = "stored::timestamp")]
    starts_at: Timestamp,
    #[serde(deserialize_with = "stored::timestamp")]
    ends_at: Timestamp,
    #[serde(deserialize_with = "stored::optional_timestamp")]
    arrival_window_start: Option<Timestamp>,
    #[serde(deserialize_with = "stored::optional_timestamp")]
    arrival_window_end: Option<Timestamp>,
    status: AppointmentStatus,
    time_zone: String,
    request_id: Option<String>,
    #[serde(deserialize_with = "stored::timestamp")]
    updated_at: Timestamp,
}

impl Packed for Row {}

impl From<Row> for AppointmentView {
    fn from(row: Row) -> Self {
        AppointmentView {
            id: row.id,
            location_id: row.location_id,
            starts_at: row.starts_at.rfc3339(),
            ends_at: row.ends_at.rfc3339(),
            arrival_window_start: row.arrival_window_start.map(Timestamp::rfc3339),
            arrival_window_end: row.arrival_window_end.map(Timestamp::rfc3339),
            time_zone: row.time_zone,
            public_status: public_status::of_appointment(row.status),
            request_id: row.request_id,
            updated_at: row.updated_at.rfc3339(),
        }
    }
}

/// The columns of an appointment view as (name, expression): `n` is the appointment,
/// `nl` its location and `nr` its target's request (`$1` the viewer). Open work nests
/// them as one object for its next visit.
pub const COLUMNS: [(&str, &str); 10] = [
    ("id", "n.id"),
    ("location_id", "n.location_id"),
    ("starts_at", "n.starts_at"),
    ("ends_at", "n.ends_at"),
    ("arrival_window_start", "n.arrival_window_start"),
    ("arrival_window_end", "n.arrival_window_end"),
    ("status", "n.status"),
    ("time_zone", "nl.time_zone"),
    ("request_id", "CASE WHEN nr.submitted_by = $1 THEN nr.id END"),
    ("updated_at", "n.updated_at"),
];

/// Shared appointments in scope. The request id is shown only for the user's own requests.
pub fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(&format!(
        "SELECT {} FROM appointments n JOIN locations nl ON nl.id = n.location_id \
         JOIN targets nt ON nt.id = n.target_id LEFT JOIN requests nr ON nr.id = nt.request_id",
        COLUMNS.map(|(name, expression)| format!("{expression} AS {name}")).join(", ")
    ));
    select.bind(Arg::Text(viewer.user_id.clone()));
    viewer.restrict(&mut select, SyncKind::Appointment);
    select
}

/// `when`: `upcoming` (not yet ended, soonest first) or `past` (latest first).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    pub when: Option<String>,
    pub limit: Option<u32>,
    pub after: Option<String>,
    pub location_id: Option<String>,
}

/// The query of one page (`limit + 1` rows, to tell whether more follow).
pub fn list_query(viewer: &Viewer, query: &AppointmentQuery) -> AppResult<Ordered> {
    let limit = PortalPage { limit: query.limit, ..Default::default() }.limit()?;
    let upcoming = match query.when.as_deref() {
        None | Some("upcoming") => true,
        Some("past") => false,
        Some(_) => {
            let mut fields = Fields::new();
            fields.error("when", "must be upcoming or past");
            return Err(fields.finish().unwrap_err());
        }
    };
    let mut select = visible(viewer);
    if let Some(location_id) = &query.location_id {
        select.at_location(location_id);
    }
    let now = select.bind(Arg::Int(now_ms()));
    let longest = visibility::LONGEST_APPOINTMENT;
    // Not yet over: visits in progress (begun at most the longest appointment ago),
    // then visits to come. Over: ended, so also begun, before now.
    let ranges = if upcoming {
        vec![
            format!("n.starts_at < {now} AND n.starts_at >= {now} - {longest} AND n.ends_at >= {now}"),
            format!("n.starts_at >= {now}"),
        ]
    } else {
        vec![format!("n.starts_at < {now} AND n.ends_at < {now}")]
    };
    let key = if upcoming { order(SyncKind::Appointment) } else { order(SyncKind::Appointment).reversed() };
    let mut ordered = ordered_by(SyncKind::Appointment, select, key, limit + 1).ranges(ranges);
    // Cursor: "<starts_at>_<id>", keyset on (starts_at, id) in the list's direction.
    if let Some(after) = &query.after {
        let (starts, id) = after
            .split_once('_')
            .and_then(|(s, id)| s.parse::<i64>().ok().map(|s| (s, id.to_string())))
            .ok_or_else(|| AppError::field("after", "not a cursor from a previous page"))?;
        ordered.after(vec![Arg::Int(starts), Arg::Text(id)]);
    }
    Ok(ordered)
}

pub async fn list(db: &Db, viewer: &Viewer, query: &AppointmentQuery) -> AppResult<Page<AppointmentView>> {
    let limit = PortalPage { limit: query.limit, ..Default::default() }.limit()?;
    let rows: Vec<Row> = list_query(viewer, query)?.fetch_all(db).await?;
    Ok(page_of(rows, limit, |r| format!("{}_{}", r.starts_at.0, r.id), Into::into))
}

/// The query of the visible appointments among `ids`.
pub fn by_ids_query(viewer: &Viewer, ids: &[String]) -> Select {
    let mut select = visible(viewer);
    select.filter_in("n.id", ids);
    select
}

/// The visible appointments among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<AppointmentView>> {
    let rows: Vec<Row> = by_ids_query(viewer, ids).fetch_packed(db, "", "").await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> AppResult<AppointmentView> {
    let mut select = visible(viewer);
    select.filter("n.id = {}", Arg::Text(id.to_string()));
    let row: Row = select.fetch_optional(db, "").await?.ok_or(AppError::NotFound)?;
    Ok(row.into())
}
