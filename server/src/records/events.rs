//! Live events for connected portal clients, stored so that none is lost across a
//! reconnect or a restart. Written in the transaction of the change they announce.

use portal_types::{LiveEventKind, TimelineKind};

use super::timeline::Place;
use crate::storage::{new_id, now_ms, WriteTx};

/// Records an event; `audience` limits it to one portal user (their own request).
pub async fn record(
    tx: &mut WriteTx,
    kind: LiveEventKind,
    place: &Place<'_>,
    subject_id: &str,
    audience: Option<&str>,
) -> Result<(), sqlx::Error> {
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO portal_events (id, version, kind, subject_id, customer_id, location_id, audience, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(version)
    .bind(kind.as_str())
    .bind(subject_id)
    .bind(place.customer_id)
    .bind(place.location_id)
    .bind(audience)
    .bind(now_ms())
    .execute(&mut ***tx)
    .await?;
    Ok(())
}

/// The live event that announces a timeline milestone, if it is announced live.
pub fn for_milestone(kind: TimelineKind) -> Option<LiveEventKind> {
    match kind {
        TimelineKind::AppointmentScheduled => Some(LiveEventKind::AppointmentScheduled),
        TimelineKind::AppointmentRescheduled => Some(LiveEventKind::AppointmentRescheduled),
        TimelineKind::AppointmentCancelled => Some(LiveEventKind::AppointmentCancelled),
        TimelineKind::ReportShared => Some(LiveEventKind::ReportShared),
        TimelineKind::FollowUpRequired => Some(LiveEventKind::FollowUpRequired),
        TimelineKind::FollowUpPlanned => Some(LiveEventKind::FollowUpPlanned),
        // Request milestones go out as `request_status_changed` or `request_replied`,
        // to the submitter only.
        TimelineKind::RequestSubmitted
        | TimelineKind::RequestAccepted
        | TimelineKind::RequestRejected
        | TimelineKind::RequestReplied
        | TimelineKind::VisitCompleted => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_milestones_are_not_broadcast() {
        assert_eq!(for_milestone(TimelineKind::RequestAccepted), None);
        assert_eq!(for_milestone(TimelineKind::ReportShared), Some(LiveEventKind::ReportShared));
        let live: Vec<_> = TimelineKind::ALL.iter().filter_map(|k| for_milestone(*k)).collect();
        assert_eq!(live.len(), 6);
    }
}
