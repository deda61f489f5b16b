//! When a record's portal visibility changes, the portal views that embed or refer
//! to it change too. Giving those rows this transaction's version makes delta sync
//! send them again (updated, or removed when they became invisible as well).

use crate::storage::WriteTx;

/// The rows that depend on another record, as (table, column naming that record).
type Dependents = &'static [(&'static str, &'static str)];

/// A report's attachments, its timeline milestone and the follow-ups it found.
pub const OF_REPORT: Dependents =
    &[("attachments", "report_id"), ("timeline_events", "subject_id"), ("follow_ups", "origin_report_id")];

/// An appointment's milestones, the follow-ups planned on it and its target's open-work entry.
pub const OF_APPOINTMENT: Dependents = &[("timeline_events", "subject_id"), ("follow_ups", "planned_appointment_id")];

/// The report that lists an attachment.
pub const OF_ATTACHMENT_REPORT: Dependents = &[("visit_reports", "id")];

/// An appointment's target, whose open-work entry shows the next visit.
pub const OF_TARGET: Dependents = &[("targets", "id")];

/// Re-versions every row of `dependents` that refers to `id`.
pub async fn touch(tx: &mut WriteTx, dependents: Dependents, id: &str) -> Result<(), sqlx::Error> {
    let version = tx.version().await?;
    for (table, column) in dependents {
        sqlx::query(&format!("UPDATE {table} SET version = $1 WHERE {column} = $2"))
            .bind(version)
            .bind(id)
            .execute(&mut ***tx)
            .await?;
    }
    Ok(())
}
