//! The records delta sync has sent to a session, so that removals go only to caches
//! that hold the record (and never reveal a record the user could not see).

use std::collections::{BTreeMap, HashSet};

use portal_types::SyncKind;

use crate::storage::{Db, WriteTx};

/// Records that `items` (kind, id) were sent to `session_id`.
pub async fn remember(tx: &mut WriteTx, session_id: &str, items: &[(SyncKind, String)]) -> Result<(), sqlx::Error> {
    for chunk in items.chunks(200) {
        let mut sql = String::from("INSERT INTO portal_sync_sent (session_id, kind, id) VALUES ");
        let rows: Vec<String> = (0..chunk.len()).map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3)).collect();
        sql.push_str(&rows.join(", "));
        sql.push_str(" ON CONFLICT (session_id, kind, id) DO NOTHING");
        let mut query = sqlx::query(&sql).bind(session_id);
        for (kind, id) in chunk {
            query = query.bind(kind.as_str()).bind(id.as_str());
        }
        query.execute(&mut ***tx).await?;
    }
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
