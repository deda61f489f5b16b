//! Timeline events: customer-safe milestones, written by the operations that cause them.

use portal_types::TimelineKind;

use super::events;
use crate::storage::{new_id, now_ms, WriteTx};

/// Where an event belongs, for scoping.
pub struct Place<'a> {
    pub customer_id: &'a str,
    pub location_id: &'a str,
}

/// Records a milestone about `subject_id` in this transaction, and announces it live
/// when it is one of the live kinds.
pub async fn record(
    tx: &mut WriteTx,
    kind: TimelineKind,
    place: Place<'_>,
    subject_id: &str,
) -> Result<(), sqlx::Error> {
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO timeline_events (id, customer_id, location_id, kind, subject_id, occurred_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(place.customer_id)
    .bind(place.location_id)
    .bind(kind.as_str())
    .bind(subject_id)
    .bind(now_ms())
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    if let Some(live) = events::for_milestone(kind) {
        events::record(tx, live, &place, subject_id, None).await?;
    }
    Ok(())
}
