//! When a record's portal visibility changes, the portal views that embed or refer
//! to it change too. Giving those rows this transaction's version makes delta sync
//! send them again (updated, or removed when they became invisible as well).
//! Which rows those are is each kind's `dependents` in `kinds`.

use portal_types::SyncKind;

use super::kinds;
use crate::storage::WriteTx;

/// Re-versions every row that depends on the record `id` of `kind`. Call it while
/// the record still exists: a dependent found through another column of the record
/// (an appointment's target) is looked up on its row.
pub async fn touch(tx: &mut WriteTx, kind: SyncKind, id: &str) -> Result<(), sqlx::Error> {
    let of = kinds::of(kind);
    if of.dependents.is_empty() {
        return Ok(());
    }
    let version = tx.version().await?;
    for dependent in of.dependents {
        let key = if dependent.by == "id" {
            "$2".to_string()
        } else {
            format!("(SELECT {} FROM {} WHERE id = $2)", dependent.by, of.table)
        };
        sqlx::query(&format!("UPDATE {} SET version = $1 WHERE {} = {key}", dependent.table, dependent.column))
            .bind(version)
            .bind(id)
            .execute(&mut ***tx)
            .await?;
    }
    Ok(())
}
