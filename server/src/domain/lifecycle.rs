//! Internal statuses and their allowed transitions. An illegal transition is refused
//! (409), never silently applied.

use portal_types::{wire_names, RequestStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

/// Internal status of a target (a unit of internal work).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    New,
    Scheduled,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
}

/// Approved is not published: publishing is its own explicit step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Approved,
    Published,
}

/// Where an invitation stands; an expired one is still `pending` in storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    Required,
    Planned,
    Done,
    Cancelled,
}

wire_names!(TargetStatus {
    New => "new",
    Scheduled => "scheduled",
    InProgress => "in_progress",
    OnHold => "on_hold",
    Completed => "completed",
    Cancelled => "cancelled",
});

wire_names!(AppointmentStatus {
    Scheduled => "scheduled",
    InProgress => "in_progress",
    Completed => "completed",
    Cancelled => "cancelled",
});

wire_names!(ReportStatus {
    Draft => "draft",
    Approved => "approved",
    Published => "published",
});

wire_names!(InvitationStatus {
    Pending => "pending",
    Accepted => "accepted",
    Revoked => "revoked",
});

wire_names!(FollowUpStatus {
    Required => "required",
    Planned => "planned",
    Done => "done",
    Cancelled => "cancelled",
});

impl TargetStatus {
    /// Work still to be done or under way: the portal lists it as open work.
    pub fn is_open(self) -> bool {
        matches!(self, Self::New | Self::Scheduled | Self::InProgress | Self::OnHold)
    }
}

impl AppointmentStatus {
    /// A visit that will still take place (or is taking place).
    pub fn is_coming(self) -> bool {
        matches!(self, Self::Scheduled | Self::InProgress)
    }
}

/// A status with a transition table.
pub trait Lifecycle: Copy + PartialEq + 'static {
    /// Name of the thing whose status this is, for messages.
    const SUBJECT: &'static str;

    /// Whether `self → next` is allowed. Staying in the same status is not a transition.
    fn allows(self, next: Self) -> bool;

    fn name(self) -> &'static str;

    /// Checks `self → next`, answering a 409 with both statuses named when it is not allowed.
    fn transition_to(self, next: Self) -> Result<Self, AppError> {
        if self.allows(next) {
            Ok(next)
        } else {
            Err(AppError::Conflict(format!("a {} cannot move from {} to {}", Self::SUBJECT, self.name(), next.name())))
        }
    }
}

impl Lifecycle for RequestStatus {
    const SUBJECT: &'static str = "request";
    fn allows(self, next: Self) -> bool {
        use RequestStatus::*;
        matches!(
            (self, next),
            (Submitted, InReview | Accepted | Rejected | Cancelled)
                | (InReview, Accepted | Rejected | Cancelled)
                | (Accepted, Planned | Cancelled)
                | (Planned, Cancelled)
        )
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A contact may cancel their own request only before staff have decided on it.
pub fn contact_may_cancel(status: RequestStatus) -> bool {
    matches!(status, RequestStatus::Submitted | RequestStatus::InReview)
}

impl Lifecycle for TargetStatus {
    const SUBJECT: &'static str = "target";
    fn allows(self, next: Self) -> bool {
        use TargetStatus::*;
        matches!(
            (self, next),
            (New, Scheduled | InProgress | OnHold | Cancelled)
                | (Scheduled, New | InProgress | OnHold | Cancelled)
                | (InProgress, OnHold | Completed | Cancelled)
                | (OnHold, New | Scheduled | InProgress | Cancelled)
        )
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Lifecycle for AppointmentStatus {
    const SUBJECT: &'static str = "appointment";
    fn allows(self, next: Self) -> bool {
        use AppointmentStatus::*;
        matches!((self, next), (Scheduled, InProgress | Completed | Cancelled) | (InProgress, Completed | Cancelled))
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Lifecycle for ReportStatus {
    const SUBJECT: &'static str = "visit report";
    fn allows(self, next: Self) -> bool {
        use ReportStatus::*;
        matches!((self, next), (Draft, Approved) | (Approved, Draft | Published) | (Published, Approved))
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Lifecycle for FollowUpStatus {
    const SUBJECT: &'static str = "follow-up";
    fn allows(self, next: Self) -> bool {
        use FollowUpStatus::*;
        matches!((self, next), (Required, Planned | Cancelled) | (Planned, Required | Done | Cancelled))
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks a whole table: every listed pair is allowed, every other pair refused.
    fn assert_table<S: Lifecycle + std::fmt::Debug>(all: &[S], allowed: &[(S, S)]) {
        for &from in all {
            for &to in all {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.allows(to), expected, "{from:?} -> {to:?}");
                match from.transition_to(to) {
                    Ok(next) => assert_eq!(next, to),
                    Err(AppError::Conflict(message)) => {
                        assert!(!expected);
                        assert!(message.contains(from.name()) && message.contains(to.name()), "{message}");
                    }
                    Err(other) => panic!("unexpected error {other:?}"),
                }
            }
        }
    }

    #[test]
    fn request_transitions() {
        use RequestStatus::*;
        assert_table(
            RequestStatus::ALL,
            &[
                (Submitted, InReview),
                (Submitted, Accepted),
                (Submitted, Rejected),
                (Submitted, Cancelled),
                (InReview, Accepted),
                (InReview, Rejected),
                (InReview, Cancelled),
                (Accepted, Planned),
                (Accepted, Cancelled),
                (Planned, Cancelled),
            ],
        );
    }

    #[test]
    fn contacts_cancel_only_undecided_requests() {
        use RequestStatus::*;
        let cancellable: Vec<_> = RequestStatus::ALL.iter().copied().filter(|s| contact_may_cancel(*s)).collect();
        assert_eq!(cancellable, vec![Submitted, InReview]);
    }

    #[test]
    fn target_transitions() {
        use TargetStatus::*;
        assert_table(
            TargetStatus::ALL,
            &[
                (New, Scheduled),
                (New, InProgress),
                (New, OnHold),
                (New, Cancelled),
                (Scheduled, New),
                (Scheduled, InProgress),
                (Scheduled, OnHold),
                (Scheduled, Cancelled),
                (InProgress, OnHold),
                (InProgress, Completed),
                (InProgress, Cancelled),
                (OnHold, New),
                (OnHold, Scheduled),
                (OnHold, InProgress),
                (OnHold, Cancelled),
            ],
        );
    }

    #[test]
    fn appointment_transitions() {
        use AppointmentStatus::*;
        assert_table(
            AppointmentStatus::ALL,
            &[
                (Scheduled, InProgress),
                (Scheduled, Completed),
                (Scheduled, Cancelled),
                (InProgress, Completed),
                (InProgress, Cancelled),
            ],
        );
    }

    #[test]
    fn report_transitions_never_skip_approval() {
        use ReportStatus::*;
        assert_table(
            ReportStatus::ALL,
            &[(Draft, Approved), (Approved, Draft), (Approved, Published), (Published, Approved)],
        );
        assert!(!Draft.allows(Published));
    }

    #[test]
    fn follow_up_transitions() {
        use FollowUpStatus::*;
        assert_table(
            FollowUpStatus::ALL,
            &[(Required, Planned), (Required, Cancelled), (Planned, Required), (Planned, Done), (Planned, Cancelled)],
        );
    }
}
