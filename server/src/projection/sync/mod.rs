//! Delta sync: every change in the user's scope since a cursor, in pages. Changed
//! rows that are still visible become upserts of their portal view; changed rows
//! that are no longer visible (unpublished, unreleased, unshared, closed) and hard
//! deletions become removals. A cursor from before a scope change, or one of
//! another session, asks for a reset.

mod cursor;
mod sent;

use std::collections::HashMap;

use portal_types::{SyncChange, SyncItem, SyncKind, SyncPage};

use super::{appointments, attachments, follow_ups, me, reports, requests, timeline, work, Viewer};
use crate::domain::validate::Fields;
use crate::error::{AppError, AppResult};
use crate::records::kinds::KINDS;
use crate::records::query::{Arg, Key, Merged, Ordered, Packed, Select};
use crate::storage::Db;
use cursor::Cursor;

pub const DEFAULT_LIMIT: usize = 500;
pub const MAX_LIMIT: usize = 1000;

/// At most how many changed rows one page looks at, in pages of `limit`, while the
/// rows it finds are hidden: a page fills with what the user may see, so its size
/// tells nothing about what they may not, and its cost stays bounded.
const SCAN_PAGES: usize = 20;

/// Keeps rows of kind `k` after `cursor`, in (version, kind, id) order, written
/// so that the (scope, version, id) index bounds the scan.
fn after(cursor: &Cursor, ordered: &mut Ordered, k: usize) {
    let k = k as i64;
    if k == cursor.kind {
        ordered.after(vec![Arg::Int(cursor.version), Arg::Text(cursor.last_id.clone())]);
    } else {
        let op = if k > cursor.kind { ">=" } else { ">" };
        ordered.select.filter(&format!("x.version {op} {{}}"), Arg::Int(cursor.version));
    }
}

#[derive(serde::Deserialize)]
struct Candidate {
    id: String,
    version: i64,
    k: i64,
}

impl Packed for Candidate {}

/// One page of changes after `token` (none: from the start, with a reset) for the
/// cache behind `session_id`.
pub async fn page(
    db: &Db,
    viewer: &Viewer,
    session_id: &str,
    token: Option<&str>,
    limit: Option<u32>,
) -> AppResult<SyncPage> {
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT as u32).contains(&n) => n as usize,
        Some(_) => return Err(AppError::field("limit", format!("must be between 1 and {MAX_LIMIT}"))),
    };
    let token = token.filter(|t| !t.is_empty());
    if token.is_some_and(|t| !cursor::well_formed(t)) {
        let mut fields = Fields::new();
        fields.error("cursor", "not a cursor from a previous sync; omit it to start over");
        return Err(fields.finish().unwrap_err());
    }
    let scope = viewer.scope.fingerprint();
    // Versions are handed out in commit order, so everything up to the committed
    // clock value is final: the next sync cannot find an older change that arrives late.
    let (high,): (i64,) = sqlx::query_as("SELECT version FROM sync_clock").fetch_one(&db.pool).await?;
    // A token of another session, or from before a scope change, starts over.
    let found = match token {
        Some(token) => cursor::find(db, session_id, token).await?.filter(|c| c.scope == scope),
        None => None,
    };
    let reset = found.is_none();
    let from = found.unwrap_or_else(|| Cursor::start(scope, high));

    if let (false, Some(token)) = (reset, token) {
        if from.at_end(high, KINDS.len()) {
            // Nothing committed since the last sync: the look-ups are the whole cost.
            return Ok(SyncPage { reset, changes: Vec::new(), cursor: token.to_string(), more: false, total: None });
        }
    }

    let total = if reset { Some(count(db, viewer, high).await?) } else { None };
    let mut changes = Vec::new();
    let mut shown: Vec<(SyncKind, String)> = Vec::new();
    let mut position = from;
    let mut scanned = 0;
    let more = loop {
        let fresh = position.fresh(KINDS.len());
        let bound = if fresh { position.fresh_until } else { high };
        let (batch, batch_more) = candidates(db, viewer, &position, bound, fresh, limit - changes.len()).await?;
        scanned += batch.len();
        position = match (batch_more, batch.last()) {
            (true, Some((version, kind, id))) => {
                Cursor { version: *version, kind: *kind as i64, last_id: id.clone(), ..position }
            }
            _ => position.end(bound, KINDS.len()),
        };
        // After a reset the session holds nothing yet, so nothing hidden is a removal.
        let session = (!reset).then_some(session_id);
        changes.extend(changes_of(db, viewer, session, batch, &mut shown).await?);
        let done = position.at_end(high, KINDS.len());
        if done || changes.len() >= limit || scanned >= SCAN_PAGES * limit {
            break !done;
        }
    };
    let mut tx = db.begin_write().await?;
    if reset {
        sqlx::query("DELETE FROM portal_sync_sent WHERE session_id = $1").bind(session_id).execute(&mut **tx).await?;
    }
    sent::remember(&mut tx, session_id, &shown).await?;
    let next = cursor::issue(&mut tx, session_id, token.filter(|_| !reset), &position).await?;
    tx.commit().await?;
    Ok(SyncPage { reset, changes, cursor: next, more, total })
}

/// The changes `batch` makes: upserts of what is visible (added to `shown`), and
/// removals of what is not but was sent to `session` before.
async fn changes_of(
    db: &Db,
    viewer: &Viewer,
    session: Option<&str>,
    batch: Vec<(i64, usize, String)>,
    shown: &mut Vec<(SyncKind, String)>,
) -> AppResult<Vec<SyncChange>> {
    let mut visible: HashMap<(usize, String), SyncItem> = HashMap::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let ids: Vec<String> = batch.iter().filter(|c| c.1 == k).map(|c| c.2.clone()).collect();
        if !ids.is_empty() {
            for (id, item) in views(db, viewer, kind.kind, &ids).await? {
                visible.insert((k, id), item);
            }
        }
    }
    let hidden: Vec<(SyncKind, String)> = batch
        .iter()
        .filter(|(_, k, id)| !visible.contains_key(&(*k, id.clone())))
        .map(|(_, k, id)| (KINDS[*k].kind, id.clone()))
        .collect();
    let received = match session {
        Some(session_id) if !hidden.is_empty() => sent::received(db, session_id, &hidden).await?,
        _ => Default::default(),
    };
    let mut changes = Vec::new();
    for (_, k, id) in batch {
        let kind = KINDS[k].kind;
        match visible.remove(&(k, id.clone())) {
            Some(record) => {
                shown.push((kind, id));
                changes.push(SyncChange::Upsert { record: Box::new(record) });
            }
            None if received.contains(&(kind, id.clone())) => changes.push(SyncChange::Remove { kind, id }),
            None => {}
        }
    }
    Ok(changes)
}

/// The first `limit` changed rows after `from` up to `high` of every kind, in
/// (version, kind, id) order, and whether more follow. `fresh`: only rows the user
/// may see, and no removals (nothing before `fresh_until` was sent to this session).
async fn candidates(
    db: &Db,
    viewer: &Viewer,
    from: &Cursor,
    high: i64,
    fresh: bool,
    limit: usize,
) -> AppResult<(Vec<(i64, usize, String)>, bool)> {
    let parts = candidates_after(viewer, from, high, fresh, limit, true).into_iter().map(|(_, part)| part).collect();
    let rows: Vec<Candidate> = merge_candidates(parts, limit).fetch_all(db).await?;
    let mut found: Vec<(i64, usize, String)> = rows.into_iter().map(|c| (c.version, c.k as usize, c.id)).collect();
    let more = found.len() > limit;
    found.truncate(limit);
    Ok((found, more))
}

/// The changed rows of kind `k` in scope up to `high`, as `columns`: from its
/// table (`visible`: only what the user may see), or (`tombstones`) its hard
/// deletions. Numbered after `previous`, the part before it in one statement.
fn source_select(
    viewer: &Viewer,
    k: usize,
    tombstones: bool,
    visible: bool,
    columns: &str,
    high: i64,
    previous: Option<&Select>,
) -> Select {
    let kind = &KINDS[k];
    let table = if tombstones { "sync_tombstones" } else { kind.table };
    let base = format!("SELECT {columns} FROM {table} x");
    let mut select = match previous {
        Some(previous) => Select::numbered_after(&base, previous),
        None => Select::new(&base),
    };
    if tombstones {
        select.scoped(&viewer.scope, "x.customer_id", "x.location_id");
        select.filter("x.kind = {}", Arg::Text(kind.kind.as_str().into()));
    } else if visible {
        kind.restrict_as(&mut select, "x", &viewer.scope, &viewer.user_id);
    } else {
        select.scoped(&viewer.scope, &format!("x.{}", kind.customer), &format!("x.{}", kind.location));
    }
    select.filter("x.version <= {}", Arg::Int(high));
    select
}

/// For each kind and source (its table, its tombstones), named: the first
/// `limit + 1` changed rows after `from`, in (version, id) order. `chained`: as
/// parts of one statement, each numbered after the one before; otherwise each on
/// its own.
fn candidates_after(
    viewer: &Viewer,
    from: &Cursor,
    high: i64,
    fresh: bool,
    limit: usize,
    chained: bool,
) -> Vec<(String, Ordered)> {
    let mut parts: Vec<(String, Ordered)> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let sources: &[bool] = if fresh { &[false] } else { &[false, true] };
        for &tombstones in sources {
            let columns = format!("x.id, x.version, CAST({k} AS BIGINT) AS k");
            let previous = parts.last().filter(|_| chained).map(|(_, part)| &part.select);
            let select = source_select(viewer, k, tombstones, fresh, &columns, high, previous);
            let mut ordered = Ordered::new(select, Key::on("x", &["version", "id"], false), limit + 1);
            after(from, &mut ordered, k);
            let source = if tombstones {
                " removals"
            } else if fresh {
                " (first sync)"
            } else {
                ""
            };
            parts.push((format!("{}{source}", kind.kind.as_str()), ordered));
        }
    }
    parts
}

/// The statements of a sync page in mid-stream, for the plan checks: each part on
/// its own, named by kind and source, then the merged statement of a first sync
/// and of a sync after it.
pub fn candidate_queries(viewer: &Viewer) -> (Vec<(String, Ordered)>, Vec<Merged>) {
    let from = Cursor {
        version: 1_000,
        kind: 3,
        last_id: "0190f7a0".into(),
        scope: viewer.scope.fingerprint(),
        fresh_until: 0,
    };
    let mut parts = Vec::new();
    let mut merged = Vec::new();
    for fresh in [true, false] {
        parts.extend(candidates_after(viewer, &from, i64::MAX, fresh, DEFAULT_LIMIT, false));
        let statement = candidates_after(viewer, &from, i64::MAX, fresh, DEFAULT_LIMIT, true);
        merged.push(merge_candidates(statement.into_iter().map(|(_, part)| part).collect(), DEFAULT_LIMIT));
    }
    (parts, merged)
}

/// The parts of a page's candidates as one statement of `limit + 1` rows.
fn merge_candidates(parts: Vec<Ordered>, limit: usize) -> Merged {
    Merged::new(parts, Key::on("x", &["version", "k", "id"], false), limit + 1)
}

/// How many records a sync from the start brings: every visible one in scope.
async fn count(db: &Db, viewer: &Viewer, high: i64) -> AppResult<u64> {
    let mut total = 0;
    for k in 0..KINDS.len() {
        let found: Vec<(i64,)> =
            source_select(viewer, k, false, true, "COUNT(*)", high, None).fetch_all(db, "").await?;
        total += found.first().map_or(0, |(n,)| *n as u64);
    }
    Ok(total)
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
