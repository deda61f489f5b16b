//! Delta sync: every change in the user's scope since a cursor, in pages. Changed
//! rows that are still visible become upserts of their portal view; changed rows
//! that are no longer visible (unpublished, unreleased, unshared, closed) and hard
//! deletions become removals. A cursor from before a scope change asks for a reset.

use std::collections::HashMap;

use portal_types::{SyncChange, SyncItem, SyncKind, SyncPage};

use super::{appointments, attachments, follow_ups, me, reports, requests, sent, timeline, work, Viewer};
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::records::query::{Arg, Select};
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

    /// The keyset condition for rows of kind `k` after this cursor, written so that
    /// the version index bounds the scan.
    fn after_clause(&self, select: &mut Select, k: usize) -> String {
        let v = select.bind(Arg::Int(self.version));
        if k > self.kind {
            format!("x.version >= {v}")
        } else if k < self.kind {
            format!("x.version > {v}")
        } else {
            let v2 = select.bind(Arg::Int(self.version));
            let id = select.bind(Arg::Text(self.id.clone()));
            format!("x.version >= {v} AND (x.version > {v2} OR x.id > {id})")
        }
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

    let mut candidates: Vec<(i64, usize, String)> = Vec::new();
    for (k, (kind, table, customer, location)) in KINDS.iter().enumerate() {
        for source in [*table, "sync_tombstones"] {
            let mut select = Select::new(&format!("SELECT x.id, x.version FROM {source} x"));
            select.scoped(&viewer.scope, &format!("x.{customer}"), &format!("x.{location}"));
            if source == "sync_tombstones" {
                select.filter("x.kind = {}", Arg::Text(kind.as_str().into()));
            }
            let after = from.after_clause(&mut select, k);
            select.filter_raw(&after);
            select.filter("x.version <= {}", Arg::Int(high));
            let rows: Vec<Candidate> =
                select.fetch_all(db, &format!("ORDER BY x.version, x.id LIMIT {}", limit + 1)).await?;
            candidates.extend(rows.into_iter().map(|c| (c.version, k, c.id)));
        }
    }
    candidates.sort();
    candidates.dedup();
    let more = candidates.len() > limit;
    candidates.truncate(limit);

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
    let hidden: Vec<String> = candidates
        .iter()
        .filter(|(_, k, id)| !visible.contains_key(&format!("{k}:{id}")))
        .map(|(_, _, id)| id.clone())
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
    Ok(SyncPage { reset, changes, cursor: next.encode(), more })
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
