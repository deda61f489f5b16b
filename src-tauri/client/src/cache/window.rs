//! Windows on the cache: one page of a list in its order, narrowed by location,
//! upcoming or past, status, a related record, a text search or a range of its sort
//! key, and continued after a cursor. Each is served by an index in the list's order
//! (`records_ordered`, `records_by_location`, `records_by_related`), so reading a
//! window costs the same with 100 or 100,000 cached records.

use chrono::{DateTime, SecondsFormat, Utc};
use portal_types::SyncKind;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ClientResult;
use crate::records::newest_first;

/// The most records one window returns.
pub const MAX_LIMIT: u32 = 500;

/// Which appointments: not yet ended (soonest first) or ended (latest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Upcoming,
    Past,
}

/// What a window shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Window {
    pub kind: SyncKind,
    #[serde(default)]
    pub location: Option<String>,
    /// Appointments only.
    #[serde(default)]
    pub when: Option<When>,
    /// Public statuses to keep; empty keeps every status.
    #[serde(default)]
    pub statuses: Vec<String>,
    /// The related record (see `records::Row::related`).
    #[serde(default)]
    pub related: Option<String>,
    #[serde(default)]
    pub search: Option<String>,
    /// Sort keys from (inclusive) and until (exclusive): a day range for instants.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
    /// Continue after this record of the previous window.
    #[serde(default)]
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl Window {
    /// The first `limit` records of a kind, unfiltered.
    pub fn of(kind: SyncKind, limit: u32) -> Window {
        Window {
            kind,
            location: None,
            when: None,
            statuses: Vec::new(),
            related: None,
            search: None,
            from: None,
            until: None,
            after: None,
            limit,
        }
    }
}

/// Where a window stopped: its last record's sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub sort_key: String,
    pub id: String,
}

/// One window's records, and the cursor to continue with when more follow.
#[derive(Debug, Clone, Serialize)]
pub struct Slice<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// An instant in the servers' format (whole seconds, UTC), comparable as text.
fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The statement and parameters of a window, at `now`.
pub fn query(conn: &Connection, window: &Window, now: DateTime<Utc>) -> ClientResult<(String, Vec<Value>)> {
    let mut sql = String::from("SELECT sort_key, id, body FROM records WHERE kind = ?");
    let mut values: Vec<Value> = vec![window.kind.as_str().to_string().into()];
    let mut filter = |clause: &str, value: Value| {
        sql.push_str(" AND ");
        sql.push_str(clause);
        values.push(value);
    };
    if let Some(location) = &window.location {
        filter("location_id = ?", location.clone().into());
    }
    if let Some(related) = &window.related {
        filter("related = ?", related.clone().into());
    }
    if let Some(search) = window.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        filter("instr(search, ?) > 0", search.to_lowercase().into());
    }
    if let Some(from) = &window.from {
        filter("sort_key >= ?", from.clone().into());
    }
    if let Some(until) = &window.until {
        filter("sort_key < ?", until.clone().into());
    }
    let mut descending = newest_first(window.kind);
    if let Some(when) = window.when {
        match when {
            When::Upcoming => {
                // An appointment still running started at most the longest visit ago,
                // which bounds the index range to read.
                let longest: Option<i64> = conn
                    .query_row(
                        "SELECT MAX(span) FROM records WHERE kind = 'appointment' AND span IS NOT NULL",
                        [],
                        |r| r.get(0),
                    )
                    .optional()?
                    .flatten();
                let earliest = now - chrono::Duration::seconds(longest.unwrap_or(0));
                filter("sort_key >= ?", instant(earliest).into());
                filter("ends_at >= ?", instant(now).into());
                descending = false;
            }
            When::Past => {
                filter("sort_key < ?", instant(now).into());
                filter("ends_at < ?", instant(now).into());
                descending = true;
            }
        }
    }
    if !window.statuses.is_empty() {
        let marks = vec!["?"; window.statuses.len()].join(", ");
        sql.push_str(&format!(" AND status IN ({marks})"));
        values.extend(window.statuses.iter().map(|s| Value::from(s.clone())));
    }
    let (order, past) = if descending { ("DESC", "<") } else { ("ASC", ">") };
    if let Some(after) = &window.after {
        sql.push_str(&format!(" AND (sort_key, id) {past} (?, ?)"));
        values.push(after.sort_key.clone().into());
        values.push(after.id.clone().into());
    }
    sql.push_str(&format!(" ORDER BY sort_key {order}, id {order} LIMIT ?"));
    values.push(i64::from(window.limit.clamp(1, MAX_LIMIT) + 1).into());
    Ok((sql, values))
}

/// Reads one window at `now`.
pub fn read<T: DeserializeOwned>(conn: &Connection, window: &Window, now: DateTime<Utc>) -> ClientResult<Slice<T>> {
    let (sql, values) = query(conn, window, now)?;
    let limit = window.limit.clamp(1, MAX_LIMIT) as usize;
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params_from_iter(values), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut items = Vec::new();
    let mut last = None;
    let mut more = false;
    for row in rows {
        let (sort_key, id, body) = row?;
        if items.len() == limit {
            more = true;
            break;
        }
        if let Ok(view) = serde_json::from_str(&body) {
            items.push(view);
        }
        last = Some(Cursor { sort_key, id });
    }
    Ok(Slice { items, next: if more { last } else { None } })
}

/// One cached record by kind and id.
pub fn get<T: DeserializeOwned>(conn: &Connection, kind: SyncKind, id: &str) -> ClientResult<Option<T>> {
    let body: Option<String> = conn
        .query_row("SELECT body FROM records WHERE kind = ?1 AND id = ?2", [kind.as_str(), id], |r| r.get(0))
        .optional()?;
    Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use portal_types::{AppointmentView, PublicStatus, SyncItem};

    use super::*;
    use crate::records::row_of;

    fn cache() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        conn
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    /// Appointment `i` of a location: hourly from `now` minus `past` hours.
    fn appointment(i: i64, past: i64, location: &str) -> SyncItem {
        let starts = now() + chrono::Duration::hours(i - past);
        SyncItem::Appointment(AppointmentView {
            id: format!("a{i:05}"),
            location_id: location.into(),
            starts_at: instant(starts),
            ends_at: instant(starts + chrono::Duration::minutes(90)),
            arrival_window_start: None,
            arrival_window_end: None,
            time_zone: "Europe/Berlin".into(),
            public_status: PublicStatus::Planned,
            request_id: (i % 10 == 0).then(|| format!("r{i}")),
            updated_at: instant(starts),
        })
    }

    fn walk(conn: &Connection, mut window: Window) -> Vec<AppointmentView> {
        let mut all = Vec::new();
        loop {
            let slice: Slice<AppointmentView> = read(conn, &window, now()).unwrap();
            all.extend(slice.items);
            match slice.next {
                Some(next) => window.after = Some(next),
                None => return all,
            }
        }
    }

    fn seeded(count: i64, past: i64) -> Connection {
        let conn = cache();
        for i in 0..count {
            let location = if i % 3 == 0 { "hamburg" } else { "berlin" };
            super::super::upsert(&conn, &row_of(&appointment(i, past, location))).unwrap();
        }
        conn
    }

    #[test]
    fn walking_upcoming_returns_each_unended_appointment_once_soonest_first() {
        let conn = seeded(2_000, 500);
        let window = Window { when: Some(When::Upcoming), ..Window::of(SyncKind::Appointment, 37) };
        let walked = walk(&conn, window);
        // Started 500 hours ago hourly, 90 minutes long: the one that started an hour ago still runs.
        assert_eq!(walked.len(), 1_501);
        assert_eq!(walked[0].id, "a00499");
        assert!(walked.windows(2).all(|w| (&w[0].starts_at, &w[0].id) < (&w[1].starts_at, &w[1].id)));
    }

    #[test]
    fn walking_past_returns_each_ended_appointment_once_latest_first() {
        let conn = seeded(2_000, 500);
        let window = Window { when: Some(When::Past), ..Window::of(SyncKind::Appointment, 50) };
        let walked = walk(&conn, window);
        assert_eq!(walked.len(), 499);
        assert_eq!(walked[0].id, "a00498");
        assert!(walked.windows(2).all(|w| w[0].starts_at > w[1].starts_at));
    }

    #[test]
    fn a_location_window_holds_only_that_location() {
        let conn = seeded(900, 0);
        let window = Window { location: Some("hamburg".into()), ..Window::of(SyncKind::Appointment, 40) };
        let walked = walk(&conn, window);
        assert_eq!(walked.len(), 300);
        assert!(walked.iter().all(|a| a.location_id == "hamburg"));
    }

    #[test]
    fn a_related_window_finds_the_appointment_of_a_request() {
        let conn = seeded(100, 0);
        let window = Window { related: Some("r30".into()), ..Window::of(SyncKind::Appointment, 5) };
        let found = walk(&conn, window);
        assert_eq!(found.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a00030"]);
    }

    #[test]
    fn a_range_window_holds_one_day() {
        let conn = seeded(100, 0);
        let day = Window {
            from: Some("2026-06-02T00:00:00Z".into()),
            until: Some("2026-06-03T00:00:00Z".into()),
            ..Window::of(SyncKind::Appointment, 10)
        };
        let walked = walk(&conn, day);
        assert_eq!(walked.len(), 24);
        assert!(walked.iter().all(|a| a.starts_at.starts_with("2026-06-02")));
    }

    /// Every window shape the app reads, each served from an index in its order.
    #[test]
    fn every_window_reads_an_index_in_its_order() {
        let conn = seeded(50, 10);
        let cursor = Some(Cursor { sort_key: "2026-06-01T12:00:00Z".into(), id: "a00010".into() });
        let base = |kind| Window::of(kind, 20);
        let mut shapes = Vec::new();
        for kind in [
            SyncKind::Location,
            SyncKind::Request,
            SyncKind::Appointment,
            SyncKind::Work,
            SyncKind::Report,
            SyncKind::Timeline,
            SyncKind::FollowUp,
        ] {
            shapes.push(base(kind));
            shapes.push(Window { after: cursor.clone(), ..base(kind) });
            shapes.push(Window { location: Some("berlin".into()), after: cursor.clone(), ..base(kind) });
            shapes.push(Window { search: Some("pump".into()), ..base(kind) });
            shapes.push(Window { statuses: vec!["planned".into(), "follow_up_required".into()], ..base(kind) });
            shapes.push(Window { related: Some("r10".into()), ..base(kind) });
            shapes.push(Window { from: Some("2026-05-01".into()), until: Some("2026-06-01".into()), ..base(kind) });
        }
        for when in [When::Upcoming, When::Past] {
            for location in [None, Some("berlin".to_string())] {
                let shape = Window { when: Some(when), location, ..base(SyncKind::Appointment) };
                shapes.push(Window { after: cursor.clone(), ..shape.clone() });
                shapes.push(shape);
            }
        }
        for window in shapes {
            let (sql, values) = query(&conn, &window, now()).unwrap();
            let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = explain
                .query_map(params_from_iter(values), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let plan = plan.join("; ");
            assert!(plan.contains("USING INDEX records_"), "{window:?}: {plan}");
            assert!(!plan.contains("TEMP B-TREE") && !plan.starts_with("SCAN"), "{window:?}: {plan}");
        }
        let mut longest = conn
            .prepare("EXPLAIN QUERY PLAN SELECT MAX(span) FROM records WHERE kind = 'appointment' AND span IS NOT NULL")
            .unwrap();
        let plan: String = longest.query_row([], |r| r.get(3)).unwrap();
        assert!(plan.contains("records_by_span"), "{plan}");
    }
}
