//! Which timeline entries become native notifications, and their text. Follow-ups
//! always notify; reports and appointment changes only when the user wants them.

use std::collections::HashSet;

use portal_types::{TimelineEntryView, TimelineKind};
use serde::{Deserialize, Serialize};

/// The user's notification choices, stored in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub report_shared: bool,
    pub appointment_changes: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { report_shared: true, appointment_changes: true }
    }
}

/// A notification to show, tied to the timeline entry it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub event_id: String,
    pub kind: TimelineKind,
    /// The follow-up, report or appointment to open when clicked.
    pub subject_id: String,
    pub title: String,
    pub body: String,
}

/// True when entries of this kind notify under these settings.
pub fn wanted(kind: TimelineKind, settings: &Settings) -> bool {
    match kind {
        TimelineKind::FollowUpRequired | TimelineKind::FollowUpPlanned => true,
        TimelineKind::ReportShared => settings.report_shared,
        TimelineKind::AppointmentScheduled
        | TimelineKind::AppointmentRescheduled
        | TimelineKind::AppointmentCancelled => settings.appointment_changes,
        TimelineKind::RequestSubmitted
        | TimelineKind::RequestAccepted
        | TimelineKind::RequestRejected
        | TimelineKind::VisitCompleted => false,
    }
}

/// Splits a page's timeline entries into those to notify now and those only to
/// record as seen. On the first sync (`baseline`) history is recorded, not shown;
/// entries already in the ledger are neither.
pub fn decide<'a>(
    entries: &'a [TimelineEntryView],
    ledger: &HashSet<String>,
    settings: &Settings,
    baseline: bool,
) -> (Vec<&'a TimelineEntryView>, Vec<&'a TimelineEntryView>) {
    let fresh = entries.iter().filter(|e| !ledger.contains(&e.id));
    fresh.partition(|e| !baseline && wanted(e.kind, settings))
}

/// The notification's title in the user's language (`ar` or English), and its body
/// built from the subject's own text when known.
pub fn text(kind: TimelineKind, detail: Option<&str>, language: &str) -> (String, String) {
    let arabic = language == "ar";
    let (en, ar) = match kind {
        TimelineKind::FollowUpRequired => ("Follow-up required", "متابعة مطلوبة"),
        TimelineKind::FollowUpPlanned => ("Follow-up planned", "تم تخطيط المتابعة"),
        TimelineKind::ReportShared => ("New visit report", "تقرير زيارة جديد"),
        TimelineKind::AppointmentScheduled => ("Appointment scheduled", "تم تحديد موعد"),
        TimelineKind::AppointmentRescheduled => ("Appointment rescheduled", "تم تغيير موعد"),
        TimelineKind::AppointmentCancelled => ("Appointment cancelled", "تم إلغاء موعد"),
        TimelineKind::RequestSubmitted => ("Request submitted", "تم تقديم الطلب"),
        TimelineKind::RequestAccepted => ("Request accepted", "تم قبول الطلب"),
        TimelineKind::RequestRejected => ("Request rejected", "تم رفض الطلب"),
        TimelineKind::VisitCompleted => ("Visit completed", "اكتملت الزيارة"),
    };
    let fallback =
        if arabic { "افتح Ordinavo لعرض التفاصيل." } else { "Open Ordinavo to see the details." };
    let body = detail.map(str::to_string).unwrap_or_else(|| fallback.into());
    ((if arabic { ar } else { en }).to_string(), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, kind: TimelineKind) -> TimelineEntryView {
        TimelineEntryView {
            id: id.into(),
            location_id: "l".into(),
            kind,
            subject_id: "s".into(),
            occurred_at: "2026-11-27T08:00:00Z".into(),
        }
    }

    fn ids(list: &[&TimelineEntryView]) -> Vec<String> {
        list.iter().map(|e| e.id.clone()).collect()
    }

    #[test]
    fn follow_ups_always_notify_and_others_follow_settings() {
        let entries = [
            entry("f", TimelineKind::FollowUpRequired),
            entry("r", TimelineKind::ReportShared),
            entry("a", TimelineKind::AppointmentRescheduled),
            entry("v", TimelineKind::VisitCompleted),
        ];
        let quiet = Settings { report_shared: false, appointment_changes: false };
        let (show, record) = decide(&entries, &HashSet::new(), &quiet, false);
        assert_eq!(ids(&show), ["f"]);
        assert_eq!(ids(&record), ["r", "a", "v"]);
        let (show, _) = decide(&entries, &HashSet::new(), &Settings::default(), false);
        assert_eq!(ids(&show), ["f", "r", "a"]);
    }

    #[test]
    fn entries_in_the_ledger_never_notify_again() {
        let entries = [entry("f", TimelineKind::FollowUpPlanned)];
        let ledger = HashSet::from(["f".to_string()]);
        let (show, record) = decide(&entries, &ledger, &Settings::default(), false);
        assert!(show.is_empty() && record.is_empty());
    }

    #[test]
    fn the_first_sync_records_history_without_notifying() {
        let entries = [entry("f", TimelineKind::FollowUpRequired)];
        let (show, record) = decide(&entries, &HashSet::new(), &Settings::default(), true);
        assert!(show.is_empty());
        assert_eq!(ids(&record), ["f"]);
    }

    #[test]
    fn text_uses_the_subject_when_known() {
        let (title, body) = text(TimelineKind::FollowUpRequired, Some("Replace the gasket."), "en");
        assert_eq!(title, "Follow-up required");
        assert_eq!(body, "Replace the gasket.");
        assert!(text(TimelineKind::ReportShared, None, "en").1.contains("Open Ordinavo"));
    }

    #[test]
    fn arabic_users_get_arabic_titles() {
        assert_eq!(text(TimelineKind::FollowUpRequired, None, "ar").0, "متابعة مطلوبة");
        assert!(text(TimelineKind::ReportShared, None, "ar").1.contains("التفاصيل"));
    }
}
