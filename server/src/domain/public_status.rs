//! The one place where internal statuses become customer-facing ones. Anything the
//! portal shows as a status goes through these functions.

use portal_types::{PublicStatus, RequestStatus};

use super::lifecycle::{AppointmentStatus, FollowUpStatus, TargetStatus};

/// Request statuses are customer-facing already; this keeps the mapping in one place.
pub fn of_request(status: RequestStatus) -> PublicStatus {
    match status {
        RequestStatus::Submitted => PublicStatus::Submitted,
        RequestStatus::InReview => PublicStatus::InReview,
        RequestStatus::Accepted => PublicStatus::Accepted,
        RequestStatus::Planned => PublicStatus::Planned,
        RequestStatus::Rejected => PublicStatus::Rejected,
        RequestStatus::Cancelled => PublicStatus::Cancelled,
    }
}

/// "On hold" is an internal state of dispatch; the customer sees the work as in progress.
pub fn of_target(status: TargetStatus) -> PublicStatus {
    match status {
        TargetStatus::New => PublicStatus::Open,
        TargetStatus::Scheduled => PublicStatus::Planned,
        TargetStatus::InProgress | TargetStatus::OnHold => PublicStatus::InProgress,
        TargetStatus::Completed => PublicStatus::Completed,
        TargetStatus::Cancelled => PublicStatus::Cancelled,
    }
}

pub fn of_appointment(status: AppointmentStatus) -> PublicStatus {
    match status {
        AppointmentStatus::Scheduled => PublicStatus::Planned,
        AppointmentStatus::InProgress => PublicStatus::InProgress,
        AppointmentStatus::Completed => PublicStatus::Completed,
        AppointmentStatus::Cancelled => PublicStatus::Cancelled,
    }
}

pub fn of_follow_up(status: FollowUpStatus) -> PublicStatus {
    match status {
        FollowUpStatus::Required => PublicStatus::FollowUpRequired,
        FollowUpStatus::Planned => PublicStatus::Planned,
        FollowUpStatus::Done => PublicStatus::Completed,
        FollowUpStatus::Cancelled => PublicStatus::Cancelled,
    }
}

/// Every public status, in the order a customer meets them.
pub const ALL: [PublicStatus; 10] = [
    PublicStatus::Submitted,
    PublicStatus::InReview,
    PublicStatus::Accepted,
    PublicStatus::Open,
    PublicStatus::Planned,
    PublicStatus::InProgress,
    PublicStatus::Completed,
    PublicStatus::FollowUpRequired,
    PublicStatus::Rejected,
    PublicStatus::Cancelled,
];

/// The customer-facing label of a public status until staff reword it (`en` or `ar`).
pub fn default_label(status: PublicStatus, language: &str) -> &'static str {
    let (en, ar) = match status {
        PublicStatus::Submitted => ("Submitted", "تم الإرسال"),
        PublicStatus::InReview => ("In review", "قيد المراجعة"),
        PublicStatus::Accepted => ("Accepted", "مقبول"),
        PublicStatus::Open => ("Open", "مفتوح"),
        PublicStatus::Planned => ("Planned", "مُجدول"),
        PublicStatus::InProgress => ("In progress", "قيد التنفيذ"),
        PublicStatus::Completed => ("Completed", "مكتمل"),
        PublicStatus::FollowUpRequired => ("Follow-up required", "تلزم متابعة"),
        PublicStatus::Rejected => ("Rejected", "مرفوض"),
        PublicStatus::Cancelled => ("Cancelled", "ملغى"),
    };
    if language == "ar" {
        ar
    } else {
        en
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_statuses_map_one_to_one() {
        let mapped: Vec<_> = RequestStatus::ALL.iter().map(|s| of_request(*s).as_str()).collect();
        let names: Vec<_> = RequestStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(mapped, names);
    }

    #[test]
    fn target_statuses_hide_on_hold() {
        use TargetStatus::*;
        let table = [
            (New, PublicStatus::Open),
            (Scheduled, PublicStatus::Planned),
            (InProgress, PublicStatus::InProgress),
            (OnHold, PublicStatus::InProgress),
            (Completed, PublicStatus::Completed),
            (Cancelled, PublicStatus::Cancelled),
        ];
        assert_eq!(table.len(), TargetStatus::ALL.len());
        for (internal, public) in table {
            assert_eq!(of_target(internal), public, "{internal:?}");
        }
    }

    #[test]
    fn appointment_statuses() {
        use AppointmentStatus::*;
        let table = [
            (Scheduled, PublicStatus::Planned),
            (InProgress, PublicStatus::InProgress),
            (Completed, PublicStatus::Completed),
            (Cancelled, PublicStatus::Cancelled),
        ];
        assert_eq!(table.len(), AppointmentStatus::ALL.len());
        for (internal, public) in table {
            assert_eq!(of_appointment(internal), public, "{internal:?}");
        }
    }

    #[test]
    fn follow_up_statuses() {
        use FollowUpStatus::*;
        let table = [
            (Required, PublicStatus::FollowUpRequired),
            (Planned, PublicStatus::Planned),
            (Done, PublicStatus::Completed),
            (Cancelled, PublicStatus::Cancelled),
        ];
        assert_eq!(table.len(), FollowUpStatus::ALL.len());
        for (internal, public) in table {
            assert_eq!(of_follow_up(internal), public, "{internal:?}");
        }
    }

    #[test]
    fn no_internal_status_word_is_public() {
        for status in PublicStatus::ALL {
            assert_ne!(status.as_str(), "on_hold");
            assert_ne!(status.as_str(), "draft");
            assert_ne!(status.as_str(), "approved");
        }
    }
}
