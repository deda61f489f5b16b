//! One definition per portal kind: its table, scope columns, visibility rule, list
//! order and the rows whose portal views depend on it. Lists, details, delta sync,
//! live events and the re-versioning of dependents all read these, so a kind's
//! rules are written once.

use portal_types::{LiveEventKind, SyncKind, TimelineKind};

use super::query::{Arg, Key, Select};
use super::visibility;
use crate::domain::scope::{Requests, Scope};

/// Rows of `table` whose `column` holds the changed row's `by` column: their portal
/// views embed or refer to the changed row, so they change with it.
#[derive(Debug)]
pub struct Dependent {
    pub table: &'static str,
    pub column: &'static str,
    pub by: &'static str,
}

/// What the portal knows about one synced kind.
#[derive(Debug)]
pub struct PortalKind {
    pub kind: SyncKind,
    pub table: &'static str,
    /// The alias portal queries give the table (the rule and order are written on it).
    pub alias: &'static str,
    /// The scope columns: the customer and the location a row belongs to.
    pub customer: &'static str,
    pub location: &'static str,
    /// Whether the grant must also allow downloads.
    pub downloads: bool,
    /// Visibility beyond the scope as SQL on `alias`, where `{}` stands for the
    /// viewer's user id; `None` when the scope alone decides. Requests are seen as
    /// the scope says: the viewer's own, or (a customer admin) every one in scope.
    rule: fn(&str, Requests) -> Option<String>,
    /// The list order (unqualified columns) and whether it runs newest first.
    order: &'static [&'static str],
    newest_first: bool,
    pub dependents: &'static [Dependent],
}

impl PortalKind {
    pub fn rule(&self, alias: &str, requests: Requests) -> Option<String> {
        (self.rule)(alias, requests)
    }

    /// The kind's table under its alias, as a `FROM` names it.
    pub fn from(&self) -> String {
        format!("{} {}", self.table, self.alias)
    }

    /// The kind's list order on its alias.
    pub fn order(&self) -> Key {
        Key::on(self.alias, self.order, self.newest_first)
    }

    /// Restricts `select`, whose row of this kind is `alias`, to what a viewer with
    /// `scope` and `user_id` may see: the one place a portal query gets its scope,
    /// download grant and visibility rule.
    pub fn restrict_as(&self, select: &mut Select, alias: &str, scope: &Scope, user_id: &str) {
        let (customer, location) = (format!("{alias}.{}", self.customer), format!("{alias}.{}", self.location));
        select.scoped(scope, &customer, &location);
        if self.downloads {
            select.downloadable(scope, &customer, &location);
        }
        match self.rule(alias, scope.requests) {
            Some(rule) if rule.contains("{}") => select.filter(&rule, Arg::Text(user_id.to_string())),
            Some(rule) => select.filter_raw(&rule),
            None => {}
        }
    }

    /// The same restriction as one condition on `alias`, its values bound in
    /// `select`: for rows of this kind that a query of another kind embeds (a
    /// report's attachments), found by their parent rather than by the scope.
    pub fn condition(&self, select: &mut Select, alias: &str, scope: &Scope, user_id: &str) -> String {
        let (customer, location) = (format!("{alias}.{}", self.customer), format!("{alias}.{}", self.location));
        let mut parts = vec![select.within(scope, &customer, &location)];
        if self.downloads {
            parts.push(select.downloads_allowed(scope, &customer, &location));
        }
        if let Some(rule) = self.rule(alias, scope.requests) {
            let rule = if rule.contains("{}") {
                rule.replace("{}", &select.bind(Arg::Text(user_id.to_string())))
            } else {
                rule
            };
            parts.push(rule);
        }
        parts.join(" AND ")
    }

    /// `restrict_as` on the kind's own alias.
    pub fn restrict(&self, select: &mut Select, scope: &Scope, user_id: &str) {
        self.restrict_as(select, self.alias, scope, user_id);
    }
}

/// Every synced kind, in delta sync's cursor order.
pub const KINDS: [PortalKind; 8] = [
    PortalKind {
        kind: SyncKind::Location,
        table: "locations",
        alias: "l",
        customer: "customer_id",
        location: "id",
        downloads: false,
        rule: |_, _| None,
        order: &["id"],
        newest_first: false,
        dependents: &[],
    },
    PortalKind {
        kind: SyncKind::Request,
        table: "requests",
        alias: "r",
        customer: "customer_id",
        location: "location_id",
        downloads: false,
        rule: |a, requests| match requests {
            Requests::Own => Some(format!("{a}.submitted_by = {{}}")),
            Requests::Colleagues => None,
        },
        order: &["id"],
        newest_first: true,
        dependents: &[],
    },
    PortalKind {
        kind: SyncKind::Appointment,
        table: "appointments",
        alias: "n",
        customer: "customer_id",
        location: "location_id",
        downloads: false,
        rule: |a, _| Some(visibility::appointment_shared(a)),
        order: &["starts_at", "id"],
        newest_first: false,
        dependents: &[
            Dependent { table: "timeline_events", column: "subject_id", by: "id" },
            Dependent { table: "follow_ups", column: "planned_appointment_id", by: "id" },
            // Open work shows its next visit.
            Dependent { table: "targets", column: "id", by: "target_id" },
        ],
    },
    PortalKind {
        kind: SyncKind::Work,
        table: "targets",
        alias: "t",
        customer: "customer_id",
        location: "location_id",
        downloads: false,
        rule: |a, _| Some(visibility::work_open(a)),
        order: &["id"],
        newest_first: false,
        dependents: &[Dependent { table: "attachments", column: "target_id", by: "id" }],
    },
    PortalKind {
        kind: SyncKind::Report,
        table: "visit_reports",
        alias: "v",
        customer: "customer_id",
        location: "location_id",
        downloads: false,
        rule: |a, _| Some(visibility::report_published(a)),
        order: &["id"],
        newest_first: true,
        dependents: &[
            Dependent { table: "attachments", column: "report_id", by: "id" },
            Dependent { table: "timeline_events", column: "subject_id", by: "id" },
            Dependent { table: "follow_ups", column: "origin_report_id", by: "id" },
        ],
    },
    PortalKind {
        kind: SyncKind::Attachment,
        table: "attachments",
        alias: "x",
        customer: "customer_id",
        location: "location_id",
        downloads: true,
        rule: |a, requests| Some(attachment_visible(a, requests)),
        order: &["id"],
        newest_first: false,
        // A report and a request list their attachments.
        dependents: &[
            Dependent { table: "visit_reports", column: "id", by: "report_id" },
            Dependent { table: "requests", column: "id", by: "request_id" },
        ],
    },
    PortalKind {
        kind: SyncKind::Timeline,
        table: "timeline_events",
        alias: "e",
        customer: "customer_id",
        location: "location_id",
        downloads: false,
        rule: |a, requests| {
            let subjects = TimelineKind::ALL.iter().map(|k| (k.as_str(), milestone_subject(*k)));
            Some(about_visible(a, subjects, None, requests))
        },
        order: &["id"],
        newest_first: true,
        dependents: &[],
    },
    PortalKind {
        kind: SyncKind::FollowUp,
        table: "follow_ups",
        alias: "f",
        customer: "customer_id",
        location: "location_id",
        downloads: false,
        rule: |_, _| None,
        order: &["id"],
        newest_first: true,
        dependents: &[],
    },
];

/// The definition of `kind`.
pub fn of(kind: SyncKind) -> &'static PortalKind {
    KINDS.iter().find(|k| k.kind == kind).expect("every sync kind has a definition")
}

/// What a milestone is about.
pub fn milestone_subject(kind: TimelineKind) -> SyncKind {
    use TimelineKind::*;
    match kind {
        RequestSubmitted | RequestAccepted | RequestRejected | RequestReplied => SyncKind::Request,
        AppointmentScheduled | AppointmentRescheduled | AppointmentCancelled | VisitCompleted => SyncKind::Appointment,
        ReportShared => SyncKind::Report,
        FollowUpRequired | FollowUpPlanned => SyncKind::FollowUp,
    }
}

/// What a live event is about.
pub fn event_subject(kind: LiveEventKind) -> SyncKind {
    use LiveEventKind::*;
    match kind {
        RequestStatusChanged | RequestReplied => SyncKind::Request,
        AppointmentScheduled | AppointmentRescheduled | AppointmentCancelled => SyncKind::Appointment,
        ReportShared => SyncKind::Report,
        FollowUpRequired | FollowUpPlanned => SyncKind::FollowUp,
        AttachmentReleased => SyncKind::Attachment,
    }
}

/// A row about a subject (`alias.kind` says what happened, `alias.subject_id` names
/// the record): visible when its subject is, by the subject kind's own rule.
/// `kinds` maps each wire name of `alias.kind` to its subject's kind. `downloads`
/// says that the row lies where downloads are allowed (it shares its subject's
/// place); without it, rows about files are never visible. `requests` says whose
/// requests the viewer sees.
pub fn about_visible(
    alias: &str,
    kinds: impl Iterator<Item = (&'static str, SyncKind)>,
    downloads: Option<&str>,
    requests: Requests,
) -> String {
    let mut by_subject: Vec<(SyncKind, Vec<&'static str>)> = Vec::new();
    for (name, subject) in kinds {
        match by_subject.iter_mut().find(|(k, _)| *k == subject) {
            Some((_, names)) => names.push(name),
            None => by_subject.push((subject, vec![name])),
        }
    }
    // Each nesting level names its subject after its parent, so no alias shadows another.
    let subject_alias = format!("{alias}_s");
    let arms: Vec<String> = by_subject
        .into_iter()
        .map(|(subject, names)| {
            let named = visibility::any_of(&format!("{alias}.kind"), names.into_iter());
            let subject = of(subject);
            let s = &subject_alias;
            let named = match (subject.downloads, downloads) {
                (false, _) => named,
                (true, Some(allowed)) => format!("{named} AND {allowed}"),
                (true, None) => "1 = 0".to_string(),
            };
            match subject.rule(s, requests) {
                None => named,
                Some(rule) => format!(
                    "({named} AND EXISTS (SELECT 1 FROM {} {s} WHERE {s}.id = {alias}.subject_id AND {rule}))",
                    subject.table
                ),
            }
        })
        .collect();
    format!("({})", arms.join(" OR "))
}

/// A released file on something the viewer sees: a published report, open work,
/// or a request they see.
fn attachment_visible(a: &str, requests: Requests) -> String {
    let holder = |kind: SyncKind, column: &str| {
        let kind = of(kind);
        let s = format!("{a}_{}", kind.alias);
        match kind.rule(&s, requests) {
            Some(rule) => {
                format!("EXISTS (SELECT 1 FROM {} {s} WHERE {s}.id = {a}.{column} AND {rule})", kind.table)
            }
            None => format!("EXISTS (SELECT 1 FROM {} {s} WHERE {s}.id = {a}.{column})", kind.table),
        }
    };
    format!(
        "{a}.released = 1 AND ({} OR {} OR {})",
        holder(SyncKind::Report, "report_id"),
        holder(SyncKind::Work, "target_id"),
        holder(SyncKind::Request, "request_id")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_defined_once_in_cursor_order() {
        let kinds: Vec<SyncKind> = KINDS.iter().map(|k| k.kind).collect();
        assert_eq!(kinds, SyncKind::ALL.to_vec());
    }

    #[test]
    fn milestones_are_visible_by_their_subjects_rules() {
        let rule = of(SyncKind::Timeline).rule("e", Requests::Own).unwrap();
        assert!(rule.contains("e.kind IN ('report_shared') AND EXISTS (SELECT 1 FROM visit_reports e_s"), "{rule}");
        assert!(rule.contains("e_s.status = 'published'"), "{rule}");
        assert!(rule.contains("e_s.submitted_by = {}"), "own requests only: {rule}");
        assert!(rule.contains("e.kind IN ('follow_up_required', 'follow_up_planned')"), "{rule}");
    }

    #[test]
    fn a_customer_admin_sees_every_request_in_scope_and_others_only_their_own() {
        let requests = of(SyncKind::Request);
        assert_eq!(requests.rule("r", Requests::Own).as_deref(), Some("r.submitted_by = {}"));
        assert_eq!(requests.rule("r", Requests::Colleagues), None, "the scope alone decides");
        let timeline = of(SyncKind::Timeline).rule("e", Requests::Colleagues).unwrap();
        assert!(!timeline.contains("submitted_by"), "{timeline}");
        let files = of(SyncKind::Attachment).rule("x", Requests::Colleagues).unwrap();
        assert!(files.contains("FROM requests x_r WHERE x_r.id = x.request_id)"), "{files}");
    }

    #[test]
    fn files_follow_what_they_are_attached_to() {
        let rule = of(SyncKind::Attachment).rule("x", Requests::Own).unwrap();
        assert!(rule.starts_with("x.released = 1 AND"), "{rule}");
        assert!(rule.contains("x_t.id = x.target_id AND x_t.status IN ('new', 'scheduled', 'in_progress', 'on_hold')"));
        // Nested inside a live event's rule, no alias shadows another.
        let event = about_visible(
            "e",
            std::iter::once(("attachment_released", SyncKind::Attachment)),
            Some("ALLOWED"),
            Requests::Own,
        );
        assert!(event.contains("e.kind IN ('attachment_released') AND ALLOWED AND EXISTS"), "{event}");
        let nowhere =
            about_visible("e", std::iter::once(("attachment_released", SyncKind::Attachment)), None, Requests::Own);
        assert!(nowhere.contains("(1 = 0 AND EXISTS"), "no download grant to check against: {nowhere}");
        assert!(event.contains("FROM attachments e_s WHERE e_s.id = e.subject_id AND e_s.released = 1"), "{event}");
        assert!(event.contains("FROM visit_reports e_s_v WHERE e_s_v.id = e_s.report_id"), "{event}");
    }
}
