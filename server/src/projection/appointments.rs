//! Shared appointments in scope, in UTC plus the location's time zone.

use portal_types::{AppointmentView, Page};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row as _};

use super::{page, PortalPage, Viewer};
use crate::domain::lifecycle::AppointmentStatus;
use crate::domain::public_status;
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::records::query::{wire, Arg, Select};
use crate::records::time::Timestamp;
use crate::storage::{now_ms, Db};

pub struct Row {
    id: String,
    location_id: String,
    starts_at: Timestamp,
    ends_at: Timestamp,
    arrival_window_start: Option<Timestamp>,
    arrival_window_end: Option<Timestamp>,
    status: AppointmentStatus,
    time_zone: String,
    request_id: Option<String>,
    updated_at: Timestamp,
}

impl FromRow<'_, AnyRow> for Row {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            location_id: row.try_get("location_id")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            arrival_window_start: row.try_get("arrival_window_start")?,
            arrival_window_end: row.try_get("arrival_window_end")?,
            status: wire(row, "status")?,
            time_zone: row.try_get("time_zone")?,
            request_id: row.try_get("request_id")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

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

/// Shared appointments in scope. The request id is shown only for the user's own requests.
pub fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(
        "SELECT a.id, a.location_id, a.starts_at, a.ends_at, a.arrival_window_start, a.arrival_window_end, a.status, \
         l.time_zone, CASE WHEN r.submitted_by = $1 THEN r.id END AS request_id, a.updated_at \
         FROM appointments a JOIN locations l ON l.id = a.location_id JOIN targets t ON t.id = a.target_id \
         LEFT JOIN requests r ON r.id = t.request_id",
    );
    select.bind(Arg::Text(viewer.user_id.clone()));
    select.scoped(&viewer.scope, "a.customer_id", "a.location_id");
    select.filter_raw("a.shared_with_portal = 1");
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

pub async fn list(db: &Db, viewer: &Viewer, query: &AppointmentQuery) -> AppResult<Page<AppointmentView>> {
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
    let now = Arg::Int(now_ms());
    select.filter(if upcoming { "a.ends_at >= {}" } else { "a.ends_at < {}" }, now);
    if let Some(location_id) = &query.location_id {
        select.filter("a.location_id = {}", Arg::Text(location_id.clone()));
    }
    // Cursor: "<starts_at>_<id>", keyset on (starts_at, id) in the list's direction.
    if let Some(after) = &query.after {
        let (starts, id) = after
            .split_once('_')
            .and_then(|(s, id)| s.parse::<i64>().ok().map(|s| (s, id.to_string())))
            .ok_or_else(|| AppError::field("after", "not a cursor from a previous page"))?;
        let op = if upcoming { ">" } else { "<" };
        let s1 = select.bind(Arg::Int(starts));
        let s2 = select.bind(Arg::Int(starts));
        let i = select.bind(Arg::Text(id));
        select.filter_raw(&format!("(a.starts_at {op} {s1} OR (a.starts_at = {s2} AND a.id {op} {i}))"));
    }
    let order = if upcoming { "ORDER BY a.starts_at, a.id" } else { "ORDER BY a.starts_at DESC, a.id DESC" };
    let rows: Vec<Row> = select.fetch_all(db, &format!("{order} LIMIT {}", limit + 1)).await?;
    let cursor_rows: Vec<(i64, String)> = rows.iter().map(|r| (r.starts_at.0, r.id.clone())).collect();
    let views: Vec<AppointmentView> = rows.into_iter().map(Into::into).collect();
    let result = page(views, limit, |v| {
        let (s, id) = cursor_rows.iter().find(|(_, id)| *id == v.id).cloned().unwrap_or_default();
        format!("{s}_{id}")
    });
    Ok(result)
}

/// The visible appointments among `ids`, for delta sync.
pub async fn by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<AppointmentView>> {
    let mut select = visible(viewer);
    select.filter_in("a.id", ids);
    let rows: Vec<Row> = select.fetch_all(db, "").await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(db: &Db, viewer: &Viewer, id: &str) -> AppResult<AppointmentView> {
    let mut select = visible(viewer);
    select.filter("a.id = {}", Arg::Text(id.to_string()));
    let row: Row = select.fetch_optional(db, "").await?.ok_or(AppError::NotFound)?;
    Ok(row.into())
}
