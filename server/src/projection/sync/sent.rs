//! The records delta sync has sent to a session, so that removals go only to caches
//! that hold the record (and never reveal a record the user could not see).

use std::collections::{BTreeMap, HashSet};

use portal_types::SyncKind;

use crate::storage::{Backend, Db, WriteTx};

/// Records that `items` (kind, id) were sent to `session_id`, in one statement: the
/// pairs travel as one JSON array parameter, so a page of a thousand records binds two
/// values instead of two thousand (binding was most of this write's cost).
pub async fn remember(tx: &mut WriteTx, session_id: &str, items: &[(SyncKind, String)]) -> Result<(), sqlx::Error> {
    if items.is_empty() {
        return Ok(());
    }
    let pairs: Vec<(&str, &str)> = items.iter().map(|(kind, id)| (kind.as_str(), id.as_str())).collect();
    // A list of string pairs always serializes.
    let pairs = serde_json::to_string(&pairs).unwrap_or_default();
    let rows = match tx.backend() {
        Backend::Sqlite => "SELECT $1, value ->> 0, value ->> 1 FROM json_each($2) WHERE true",
        Backend::Postgres => "SELECT $1, pair ->> 0, pair ->> 1 FROM jsonb_array_elements(CAST($2 AS jsonb)) pair",
    };
    let sql = format!(
        "INSERT INTO portal_sync_sent (session_id, kind, id) {rows} ON CONFLICT (session_id, kind, id) DO NOTHING"
    );
    sqlx::query(&sql).bind(session_id).bind(pairs).execute(&mut ***tx).await?;
    Ok(())
}

/// Which of `items` (kind, id) this session has received. Each look-up names the
/// kind, so it is a primary-key probe however many records the session holds.
pub async fn received(
    db: &Db,
    session_id: &str,
    items: &[(SyncKind, String)],
) -> Result<HashSet<(SyncKind, String)>, sqlx::Error> {
    let mut by_kind: BTreeMap<&str, (SyncKind, Vec<&str>)> = BTreeMap::new();
    for (kind, id) in items {
        by_kind.entry(kind.as_str()).or_insert((*kind, Vec::new())).1.push(id);
    }
    let mut found = HashSet::new();
    for (name, (kind, ids)) in by_kind {
        for chunk in ids.chunks(200) {
            let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT id FROM portal_sync_sent WHERE session_id = $1 AND kind = $2 AND id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(session_id).bind(name);
            for id in chunk {
                query = query.bind(*id);
            }
            found.extend(query.fetch_all(&db.pool).await?.into_iter().map(|(id,)| (kind, id)));
        }
    }
    Ok(found)
}
