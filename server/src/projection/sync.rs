//! Delta sync: every change in the user's scope since a cursor, in pages. Changed
//! rows that are still visible become upserts of their portal view; changed rows
//! that are no longer visible (unpublished, unreleased, unshared, closed) and hard
//! deletions become removals. A cursor from before a scope change asks for a reset.

use std::collections::HashMap;

use portal_types::{SyncChange, SyncItem, SyncKind, SyncPage};

use super::{appointments, attachments, follow_ups, me, reports, requests, sent, timeline, work, Viewer};
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::records::query::{Arg, Key, Ordered, Select};
use crate::storage::Db;

pub const DEFAULT_LIMIT: usize = 500;
pub const MAX_LIMIT: usize = 1000;

/// Each kind, in cursor order, with its table and scope columns.
const KINDS: [(SyncKind, &str, &str, &str); 8] = [
    (SyncKind::Location, "locations", "customer_id", "id"),
    (SyncKind::Request, "requests", "customer_id", "location_id"),
    (SyncKind::Appointment, "appointments", "customer_id", "location_id"),
    (SyncKind::Work, "targets", "customer_id", "location_id"),
    (SyncKind::Report, "visit_reports", "customer_id", "location_id"),
    (SyncKind::Attachment, "attachments", "customer_id", "location_id"),
    (SyncKind::Timeline, "timeline_events", "customer_id", "location_id"),
    (SyncKind::FollowUp, "follow_ups", "customer_id", "location_id"),
];

/// Where a sync stopped: the last change sent, ordered by (version, kind, id), and
/// the scope it was computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub version: i64,
    pub kind: usize,
    pub scope: String,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}.{}.{}", self.version, self.kind, self.scope, self.id)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.splitn(4, '.');
        let version = parts.next()?.parse().ok()?;
        let kind = parts.next()?.parse().ok()?;
        let scope = parts.next()?.to_string();
        let id = parts.next()?.to_string();
        Some(Cursor { version, kind, scope, id })
    }

    /// Keeps rows of kind `k` after this cursor, in (version, kind, id) order,
    /// written so that the (scope, version, id) index bounds the scan.
    fn after(&self, ordered: &mut Ordered, k: usize) {
        if k == self.kind {
            ordered.after(vec![Arg::Int(self.version), Arg::Text(self.id.clone())]);
        } else {
            let op = if k > self.kind { ">=" } else { ">" };
            ordered.select.filter(&format!("x.version {op} {{}}"), Arg::Int(self.version));
        }
    }

    /// True when this cursor is past every change up to `high`.
    fn at_end(&self, high: i64) -> bool {
        self.version >= high && self.kind >= KINDS.len()
    }
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: String,
    version: i64,
}

/// One page of changes after `cursor` (none: from the start, with a reset) for the
/// cache behind `session_id`.
pub async fn page(
    db: &Db,
    viewer: &Viewer,
    session_id: &str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> AppResult<SyncPage> {
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT as u32).contains(&n) => n as usize,
        Some(_) => return Err(AppError::field("limit", format!("must be between 1 and {MAX_LIMIT}"))),
    };
    let scope = viewer.scope.fingerprint();
    // Versions are handed out in commit order, so everything up to the committed
    // clock value is final: the next sync cannot find an older change that arrives late.
    let (high,): (i64,) = sqlx::query_as("SELECT version FROM sync_clock").fetch_one(&db.pool).await?;
    let start = Cursor { version: 0, kind: 0, scope: scope.clone(), id: String::new() };
    let (reset, from) = match cursor.filter(|c| !c.is_empty()) {
        None => (true, start),
        Some(text) => match Cursor::decode(text) {
            Some(cursor) if cursor.scope == scope => (false, cursor),
            Some(_) => (true, start),
            None => {
                let mut fields = Fields::new();
                fields.error("cursor", "not a cursor from a previous sync; omit it to start over");
                return Err(fields.finish().unwrap_err());
            }
        },
    };

    if !reset && from.at_end(high) {
        // Nothing committed since the last sync: one look at the clock is the whole cost.
        return Ok(SyncPage { reset, changes: Vec::new(), cursor: from.encode(), more: false, total: None });
    }

    let mut candidates: Vec<(i64, usize, String)> = Vec::new();
    for (k, _, query) in candidates_after(viewer, &from, high, limit) {
        let rows: Vec<Candidate> = query.fetch_all(db).await?;
        candidates.extend(rows.into_iter().map(|c| (c.version, k, c.id)));
    }
    candidates.sort();
    candidates.dedup();
    let more = candidates.len() > limit;
    candidates.truncate(limit);
    let total = if reset { Some(count(db, viewer, high).await?) } else { None };

    let mut visible: HashMap<String, SyncItem> = HashMap::new();
    for (k, (kind, ..)) in KINDS.iter().enumerate() {
        let ids: Vec<String> = candidates.iter().filter(|c| c.1 == k).map(|c| c.2.clone()).collect();
        if ids.is_empty() {
            continue;
        }
        for (id, item) in views(db, viewer, *kind, &ids).await? {
            visible.insert(format!("{k}:{id}"), item);
        }
    }
    let next = match (more, candidates.last()) {
        (true, Some((version, kind, id))) => Cursor { version: *version, kind: *kind, scope, id: id.clone() },
        _ => Cursor { version: high, kind: KINDS.len(), scope, id: String::new() },
    };
    let mut tx = db.begin_write().await?;
    if reset {
        sqlx::query("DELETE FROM portal_sync_sent WHERE session_id = $1").bind(session_id).execute(&mut **tx).await?;
    }
    let hidden: Vec<(&str, &str)> = candidates
        .iter()
        .filter(|(_, k, id)| !visible.contains_key(&format!("{k}:{id}")))
        .map(|(_, k, id)| (KINDS[*k].0.as_str(), id.as_str()))
        .collect();
    let received = sent::received(&mut tx, session_id, &hidden).await?;
    let shown: Vec<(&str, &str)> = candidates
        .iter()
        .filter(|(_, k, id)| visible.contains_key(&format!("{k}:{id}")))
        .map(|(_, k, id)| (KINDS[*k].0.as_str(), id.as_str()))
        .collect();
    sent::remember(&mut tx, session_id, &shown).await?;
    tx.commit().await?;
    let changes = candidates
        .into_iter()
        .filter_map(|(_, k, id)| match visible.remove(&format!("{k}:{id}")) {
            Some(record) => Some(SyncChange::Upsert { record: Box::new(record) }),
            None if received.contains(&(KINDS[k].0.as_str().to_string(), id.clone())) => {
                Some(SyncChange::Remove { kind: KINDS[k].0, id })
            }
            None => None,
        })
        .collect();
    Ok(SyncPage { reset, changes, cursor: next.encode(), more, total })
}

/// Candidates of one kind are read in (version, id) order.
const VERSION_ORDER: Key = Key { columns: &["x.version", "x.id"], descending: false };

/// The changed rows of kind `k` in scope up to `high`, as `columns`: from its
/// table, or (`tombstones`) its hard deletions.
fn source_select(viewer: &Viewer, k: usize, tombstones: bool, columns: &str, high: i64) -> Select {
    let (kind, table, customer, location) = KINDS[k];
    let mut select;
    if tombstones {
        select = Select::new(&format!("SELECT {columns} FROM sync_tombstones x"));
        select.scoped(&viewer.scope, "x.customer_id", "x.location_id");
        select.filter("x.kind = {}", Arg::Text(kind.as_str().into()));
    } else {
        select = Select::new(&format!("SELECT {columns} FROM {table} x"));
        select.scoped(&viewer.scope, &format!("x.{customer}"), &format!("x.{location}"));
    }
    select.filter("x.version <= {}", Arg::Int(high));
    select
}

/// For each kind and source (its table, its tombstones): the first `limit + 1`
/// changed rows after `from`, in (version, id) order.
fn candidates_after(viewer: &Viewer, from: &Cursor, high: i64, limit: usize) -> Vec<(usize, String, Ordered)> {
    let mut queries = Vec::new();
    for (k, (kind, ..)) in KINDS.iter().enumerate() {
        for tombstones in [false, true] {
            let select = source_select(viewer, k, tombstones, "x.id, x.version", high);
            let mut ordered = Ordered::new(select, VERSION_ORDER, limit + 1);
            from.after(&mut ordered, k);
            let name = format!("{}{}", kind.as_str(), if tombstones { " removals" } else { "" });
            queries.push((k, name, ordered));
        }
    }
    queries
}

/// The queries of a sync page in mid-stream, named by kind and source, for the plan checks.
pub fn candidate_queries(viewer: &Viewer) -> Vec<(String, Ordered)> {
    let from = Cursor { version: 1_000, kind: 3, scope: viewer.scope.fingerprint(), id: "0190f7a0".into() };
    candidates_after(viewer, &from, i64::MAX, DEFAULT_LIMIT).into_iter().map(|(_, name, query)| (name, query)).collect()
}

/// At most how many changes a sync from the start brings: every candidate in scope.
async fn count(db: &Db, viewer: &Viewer, high: i64) -> AppResult<u64> {
    let mut total = 0;
    for k in 0..KINDS.len() {
        for tombstones in [false, true] {
            let found: Vec<(i64,)> = source_select(viewer, k, tombstones, "COUNT(*)", high).fetch_all(db, "").await?;
            total += found.first().map_or(0, |(n,)| *n as u64);
        }
    }
    Ok(total)
}

/// Records a hard deletion so that sync removes the row from every cache.
pub async fn tombstone(
    tx: &mut crate::storage::WriteTx,
    kind: SyncKind,
    id: &str,
    customer_id: &str,
    location_id: &str,
) -> Result<(), sqlx::Error> {
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO sync_tombstones (kind, id, customer_id, location_id, version) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(customer_id)
    .bind(location_id)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    Ok(())
}

/// The portal views of the visible records among `ids`, keyed by id.
async fn views(db: &Db, viewer: &Viewer, kind: SyncKind, ids: &[String]) -> AppResult<Vec<(String, SyncItem)>> {
    Ok(match kind {
        SyncKind::Location => me::locations_by_ids(db, viewer, ids)
            .await?
            .into_iter()
            .map(|v| (v.id.clone(), SyncItem::Location(v)))
            .collect(),
        SyncKind::Request => {
            requests::by_ids(db, viewer, ids).await?.into_iter().map(|v| (v.id.clone(), SyncItem::Request(v))).collect()
        }
        SyncKind::Appointment => appointments::by_ids(db, viewer, ids)
            .await?
            .into_iter()
            .map(|v| (v.id.clone(), SyncItem::Appointment(v)))
            .collect(),
        SyncKind::Work => {
            work::by_ids(db, viewer, ids).await?.into_iter().map(|v| (v.id.clone(), SyncItem::Work(v))).collect()
        }
        SyncKind::Report => {
            reports::by_ids(db, viewer, ids).await?.into_iter().map(|v| (v.id.clone(), SyncItem::Report(v))).collect()
        }
        SyncKind::Attachment => attachments::by_ids(db, viewer, ids)
            .await?
            .into_iter()
            .map(|v| (v.id.clone(), SyncItem::Attachment(v)))
            .collect(),
        SyncKind::Timeline => timeline::by_ids(db, viewer, ids)
            .await?
            .into_iter()
            .map(|v| (v.id.clone(), SyncItem::Timeline(v)))
            .collect(),
        SyncKind::FollowUp => follow_ups::by_ids(db, viewer, ids)
            .await?
            .into_iter()
            .map(|v| (v.id.clone(), SyncItem::FollowUp(v)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let cursor =
            Cursor { version: 42, kind: 3, scope: "ab12".into(), id: "0190f7a0-0000-7000-8000-000000000000".into() };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(Cursor::decode("garbage"), None);
        assert_eq!(Cursor::decode("1.x.s.id"), None);
    }
}
