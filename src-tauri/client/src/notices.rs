//! Which timeline entries become native notifications, and their text. Follow-ups
//! always notify; reports and appointment changes only when the user wants them.

use std::collections::HashSet;

use portal_types::{StatusLabels, TimelineEntryView, TimelineKind};
use serde::{Deserialize, Serialize};

/// The user's choices, stored in the cache: which events notify, and whether
/// closing the window keeps the app running in the tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub report_shared: bool,
    pub appointment_changes: bool,
    /// Off by default: closing the window quits, as before the tray existed (and as
    /// settings stored before this choice read).
    #[serde(default)]
    pub keep_in_tray: bool,
    /// Updates from the beta channel too; honoured only where staff allow beta for the
    /// user's customer (the server decides, and offers stable otherwise).
    #[serde(default)]
    pub beta_updates: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { report_shared: true, appointment_changes: true, keep_in_tray: false, beta_updates: false }
    }
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What a click opens: the follow-up, report or appointment of the one entry it
    /// tells of; `None` for a digest of several, which opens the home screen.
    pub subject: Option<(TimelineKind, String)>,
    pub title: String,
    pub body: String,
}

/// More entries than this arriving together (after being offline, or in a burst)
/// are summed up in one notification.
pub const DIGEST_AFTER: usize = 3;

/// True when entries of this kind notify under these settings.
pub fn wanted(kind: TimelineKind, settings: &Settings) -> bool {
    match kind {
        // A follow-up asks something of the user; a reply answers them.
        TimelineKind::FollowUpRequired | TimelineKind::FollowUpPlanned | TimelineKind::RequestReplied => true,
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
/// built from the subject's own text when known. A milestone that names a status is
/// titled with the company's wording of it once a sync has brought `labels`.
pub fn text(
    kind: TimelineKind,
    detail: Option<&str>,
    language: &str,
    labels: Option<&StatusLabels>,
) -> (String, String) {
    let arabic = language == "ar";
    let worded = kind.status().zip(labels).and_then(|(status, labels)| {
        let labels = if arabic { &labels.ar } else { &labels.en };
        labels.get(status.as_str()).filter(|label| !label.trim().is_empty()).cloned()
    });
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
        TimelineKind::RequestReplied => ("New reply from the service team", "رد جديد من فريق الخدمة"),
        TimelineKind::VisitCompleted => ("Visit completed", "اكتملت الزيارة"),
    };
    let fallback =
        if arabic { "افتح Ordinavo لعرض التفاصيل." } else { "Open Ordinavo to see the details." };
    let body = detail.map(str::to_string).unwrap_or_else(|| fallback.into());
    let title = worded.unwrap_or_else(|| (if arabic { ar } else { en }).to_string());
    (title, body)
}

/// One notification summing up entries of these kinds, in the user's language:
/// "5 updates" over "2 follow-ups, 3 reports".
pub fn digest(kinds: &[TimelineKind], language: &str) -> Notice {
    let arabic = language == "ar";
    let mut groups: Vec<(Group, usize)> = Vec::new();
    for kind in kinds {
        let group = Group::of(*kind);
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, count)) => *count += 1,
            None => groups.push((group, 1)),
        }
    }
    groups.sort_by_key(|(group, _)| *group);
    let parts: Vec<String> = groups.iter().map(|(group, count)| group.counted(*count, arabic)).collect();
    let title =
        if arabic { format!("تحديثات جديدة: {}", kinds.len()) } else { format!("{} updates", kinds.len()) };
    Notice { subject: None, title, body: parts.join(if arabic { "، " } else { ", " }) }
}

/// What a digest counts separately, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    FollowUps,
    Reports,
    Appointments,
    Requests,
    Visits,
}

impl Group {
    fn of(kind: TimelineKind) -> Group {
        match kind {
            TimelineKind::FollowUpRequired | TimelineKind::FollowUpPlanned => Group::FollowUps,
            TimelineKind::ReportShared => Group::Reports,
            TimelineKind::AppointmentScheduled
            | TimelineKind::AppointmentRescheduled
            | TimelineKind::AppointmentCancelled => Group::Appointments,
            TimelineKind::RequestSubmitted
            | TimelineKind::RequestAccepted
            | TimelineKind::RequestRejected
            | TimelineKind::RequestReplied => Group::Requests,
            TimelineKind::VisitCompleted => Group::Visits,
        }
    }

    /// "2 follow-ups"; in Arabic "متابعات: 2", which reads right for any number.
    fn counted(self, count: usize, arabic: bool) -> String {
        let (one, many, ar) = match self {
            Group::FollowUps => ("follow-up", "follow-ups", "متابعات"),
            Group::Reports => ("report", "reports", "تقارير"),
            Group::Appointments => ("appointment change", "appointment changes", "تغييرات المواعيد"),
            Group::Requests => ("request update", "request updates", "تحديثات الطلبات"),
            Group::Visits => ("completed visit", "completed visits", "زيارات مكتملة"),
        };
        match (arabic, count) {
            (true, _) => format!("{ar}: {count}"),
            (false, 1) => format!("1 {one}"),
            (false, _) => format!("{count} {many}"),
        }
    }
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
        let quiet = Settings { report_shared: false, appointment_changes: false, ..Settings::default() };
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
        let (title, body) = text(TimelineKind::FollowUpRequired, Some("Replace the gasket."), "en", None);
        assert_eq!(title, "Follow-up required");
        assert_eq!(body, "Replace the gasket.");
        assert!(text(TimelineKind::ReportShared, None, "en", None).1.contains("Open Ordinavo"));
    }

    #[test]
    fn arabic_users_get_arabic_titles() {
        assert_eq!(text(TimelineKind::FollowUpRequired, None, "ar", None).0, "متابعة مطلوبة");
        assert!(text(TimelineKind::ReportShared, None, "ar", None).1.contains("التفاصيل"));
    }

    #[test]
    fn a_digest_counts_each_group_in_the_users_language() {
        let kinds = [
            TimelineKind::ReportShared,
            TimelineKind::FollowUpRequired,
            TimelineKind::ReportShared,
            TimelineKind::FollowUpPlanned,
            TimelineKind::ReportShared,
        ];
        let english = digest(&kinds, "en");
        assert_eq!((english.title.as_str(), english.body.as_str()), ("5 updates", "2 follow-ups, 3 reports"));
        assert_eq!(english.subject, None, "a digest opens the home screen");
        let one = digest(&[TimelineKind::AppointmentRescheduled, TimelineKind::ReportShared], "en");
        assert_eq!(one.body, "1 report, 1 appointment change");
        let arabic = digest(&kinds, "ar");
        assert_eq!((arabic.title.as_str(), arabic.body.as_str()), ("تحديثات جديدة: 5", "متابعات: 2، تقارير: 3"));
    }

    #[test]
    fn milestones_with_a_status_use_the_company_wording() {
        let mut labels = StatusLabels { en: Default::default(), ar: Default::default() };
        labels.en.insert("follow_up_required".into(), "Your action needed".into());
        labels.ar.insert("follow_up_required".into(), "مطلوب إجراء منك".into());
        assert_eq!(text(TimelineKind::FollowUpRequired, None, "en", Some(&labels)).0, "Your action needed");
        assert_eq!(text(TimelineKind::FollowUpRequired, None, "ar", Some(&labels)).0, "مطلوب إجراء منك");
        // Milestones without a status, and statuses the labels lack, keep the built-in title.
        assert_eq!(text(TimelineKind::ReportShared, None, "en", Some(&labels)).0, "New visit report");
        assert_eq!(text(TimelineKind::VisitCompleted, None, "en", Some(&labels)).0, "Visit completed");
    }
}
