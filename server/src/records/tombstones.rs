//! Hard deletions, kept for delta sync: a row that is gone cannot say so itself, so
//! its tombstone tells every cache that holds it to drop it.

use portal_types::SyncKind;

use crate::storage::WriteTx;

/// Records a hard deletion so that sync removes the row from every cache.
pub async fn record(
    tx: &mut WriteTx,
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
