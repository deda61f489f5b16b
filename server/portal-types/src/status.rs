//! Public status vocabulary: the only status words a customer ever sees.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a contact asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Service,
    Maintenance,
    Appointment,
    Support,
}

/// Lifecycle of a request. These states are customer-facing by design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Submitted,
    InReview,
    Accepted,
    Planned,
    Rejected,
    Cancelled,
}

/// The customer-facing status of work, appointments and follow-ups. Internal
/// statuses are mapped onto this set in one place on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicStatus {
    Submitted,
    InReview,
    Accepted,
    Open,
    Planned,
    InProgress,
    Completed,
    FollowUpRequired,
    Rejected,
    Cancelled,
}

/// Milestones that are safe to show the customer; nothing else is ever written to
/// the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    RequestSubmitted,
    RequestAccepted,
    RequestRejected,
    /// Staff answered on the request (a message for the customer).
    RequestReplied,
    AppointmentScheduled,
    AppointmentRescheduled,
    AppointmentCancelled,
    VisitCompleted,
    ReportShared,
    FollowUpRequired,
    FollowUpPlanned,
}

impl TimelineKind {
    /// The public status this milestone puts its subject in, where it names one: its
    /// notification uses the company's wording of that status (`StatusLabels`). The
    /// desktop UI's `milestoneStatus` (ui/src/lib/status.ts) mirrors this.
    pub fn status(self) -> Option<PublicStatus> {
        match self {
            TimelineKind::RequestSubmitted => Some(PublicStatus::Submitted),
            TimelineKind::RequestAccepted => Some(PublicStatus::Accepted),
            TimelineKind::RequestRejected => Some(PublicStatus::Rejected),
            TimelineKind::VisitCompleted => Some(PublicStatus::Completed),
            TimelineKind::FollowUpRequired => Some(PublicStatus::FollowUpRequired),
            TimelineKind::RequestReplied
            | TimelineKind::AppointmentScheduled
            | TimelineKind::AppointmentRescheduled
            | TimelineKind::AppointmentCancelled
            | TimelineKind::ReportShared
            | TimelineKind::FollowUpPlanned => None,
        }
    }
}

/// What a live event is about; the desktop app syncs and may notify on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveEventKind {
    RequestStatusChanged,
    /// Staff answered on the submitter's request.
    RequestReplied,
    AppointmentScheduled,
    AppointmentRescheduled,
    AppointmentCancelled,
    ReportShared,
    FollowUpRequired,
    FollowUpPlanned,
    /// A file was released: the app fetches it with the next sync, not minutes later.
    AttachmentReleased,
}

/// Gives a fieldless enum `ALL`, `as_str` and `parse` for its snake_case wire names,
/// the same names serde uses. Exported so the server's internal enums share it.
#[macro_export]
macro_rules! wire_names {
    ($ty:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in lifecycle order.
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),+];

            /// The wire name of every value, in the order of `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The snake_case name used on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),+ }
            }

            /// Parses the snake_case wire name.
            pub fn parse(value: &str) -> Option<Self> {
                match value { $($name => Some(<$ty>::$variant),)+ _ => None }
            }
        }

        /// Reads a stored wire name (used when decoding database rows).
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                <$ty>::parse(&value).ok_or_else(|| format!("unknown {} {value:?}", stringify!($ty)))
            }
        }
    };
}

wire_names!(RequestKind {
    Service => "service",
    Maintenance => "maintenance",
    Appointment => "appointment",
    Support => "support",
});

wire_names!(RequestStatus {
    Submitted => "submitted",
    InReview => "in_review",
    Accepted => "accepted",
    Planned => "planned",
    Rejected => "rejected",
    Cancelled => "cancelled",
});

wire_names!(PublicStatus {
    Submitted => "submitted",
    InReview => "in_review",
    Accepted => "accepted",
    Open => "open",
    Planned => "planned",
    InProgress => "in_progress",
    Completed => "completed",
    FollowUpRequired => "follow_up_required",
    Rejected => "rejected",
    Cancelled => "cancelled",
});

wire_names!(TimelineKind {
    RequestSubmitted => "request_submitted",
    RequestAccepted => "request_accepted",
    RequestRejected => "request_rejected",
    RequestReplied => "request_replied",
    AppointmentScheduled => "appointment_scheduled",
    AppointmentRescheduled => "appointment_rescheduled",
    AppointmentCancelled => "appointment_cancelled",
    VisitCompleted => "visit_completed",
    ReportShared => "report_shared",
    FollowUpRequired => "follow_up_required",
    FollowUpPlanned => "follow_up_planned",
});

wire_names!(LiveEventKind {
    RequestStatusChanged => "request_status_changed",
    RequestReplied => "request_replied",
    AppointmentScheduled => "appointment_scheduled",
    AppointmentRescheduled => "appointment_rescheduled",
    AppointmentCancelled => "appointment_cancelled",
    ReportShared => "report_shared",
    FollowUpRequired => "follow_up_required",
    FollowUpPlanned => "follow_up_planned",
    AttachmentReleased => "attachment_released",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_match_serde() {
        for status in PublicStatus::ALL {
            assert_eq!(PublicStatus::parse(status.as_str()), Some(*status));
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(status.as_str()), Some(*status));
        }
        for kind in RequestKind::ALL {
            assert_eq!(RequestKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(RequestStatus::parse("internal"), None);
    }
}
