//! The records delta sync has sent to a session, so that removals go only to caches
//! that hold the record (and never reveal a record the user could not see).

use std::collections::HashSet;

use crate::storage::WriteTx;

/// Records that `items` (kind, id) were sent to `session_id`.
pub async fn remember(tx: &mut WriteTx, session_id: &str, items: &[(&str, &str)]) -> Result<(), sqlx::Error> {
    for chunk in items.chunks(200) {
        let mut sql = String::from("INSERT INTO portal_sync_sent (session_id, kind, id) VALUES ");
        let rows: Vec<String> = (0..chunk.len()).map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3)).collect();
        sql.push_str(&rows.join(", "));
        sql.push_str(" ON CONFLICT (session_id, kind, id) DO NOTHING");
        let mut query = sqlx::query(&sql).bind(session_id);
        for (kind, id) in chunk {
            query = query.bind(*kind).bind(*id);
        }
        query.execute(&mut ***tx).await?;
    }
    Ok(())
}

/// Which of `ids` this session has received, as (kind, id).
pub async fn received(
    tx: &mut WriteTx,
    session_id: &str,
    ids: &[String],
) -> Result<HashSet<(String, String)>, sqlx::Error> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(200) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT kind, id FROM portal_sync_sent WHERE session_id = $1 AND id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(session_id);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        found.extend(query.fetch_all(&mut ***tx).await?);
    }
    Ok(found)
}
