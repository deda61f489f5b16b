//! The attention counts as the cache holds them (the rule is `crate::attention`): one
//! "seen" mark per group in `meta`, and each group counted over the index in its
//! list's order (`records_ordered`, by sort key and id) after the mark.

use rusqlite::{Connection, OptionalExtension};

use crate::attention::{after_look, since, Attention, Group, Mark, Since};
use crate::error::ClientResult;

/// The meta key of a group's mark.
fn mark_key(group: Group) -> &'static str {
    match group {
        Group::FollowUps => "seen_follow_ups",
        Group::Reports => "seen_reports",
        Group::RequestChanges => "seen_request_changes",
    }
}

/// A group's records: their kind, and the condition that picks its items. The sort
/// key (then the id) is what a mark compares: a follow-up's last change, a report's
/// publication, a milestone's moment.
fn items(group: Group) -> (&'static str, &'static str) {
    match group {
        Group::FollowUps => ("follow_up", "status = 'follow_up_required'"),
        Group::Reports => ("report", "1"),
        Group::RequestChanges => {
            ("timeline", "json_extract(body, '$.kind') IN ('request_accepted', 'request_rejected')")
        }
    }
}

fn seen(conn: &Connection, group: Group) -> ClientResult<Option<Mark>> {
    let key = mark_key(group);
    let stored: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    Ok(stored.as_deref().and_then(Mark::parse))
}

/// How many items of each group need attention now.
pub fn read(conn: &Connection) -> ClientResult<Attention> {
    let mut attention = Attention::default();
    for group in Group::ALL {
        let (kind, condition) = items(group);
        let count = match since(group, seen(conn, group)?.as_ref()) {
            Since::Nothing => 0,
            Since::Everything => {
                conn.query_row(&format!("SELECT COUNT(*) FROM records WHERE kind = ?1 AND {condition}"), [kind], |r| {
                    r.get(0)
                })?
            }
            Since::After(mark) => conn.query_row(
                &format!("SELECT COUNT(*) FROM records WHERE kind = ?1 AND (sort_key, id) > (?2, ?3) AND {condition}"),
                [kind, mark.at.as_str(), mark.id.as_str()],
                |r| r.get(0),
            )?,
        };
        attention.set(group, count);
    }
    Ok(attention)
}

/// The user looked at the group's screen: what it holds now is seen.
pub fn look(conn: &Connection, group: Group) -> ClientResult<()> {
    let (kind, condition) = items(group);
    let newest: Option<Mark> = conn
        .query_row(
            &format!(
                "SELECT sort_key, id FROM records WHERE kind = ?1 AND {condition} ORDER BY sort_key DESC, id DESC LIMIT 1"
            ),
            [kind],
            |r| Ok(Mark { at: r.get(0)?, id: r.get(1)? }),
        )
        .optional()?;
    if let Some(mark) = after_look(seen(conn, group)?.as_ref(), newest.as_ref()) {
        super::write_meta(conn, mark_key(group), &mark.stored())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use portal_types::{FollowUpView, PublicStatus, ReportView, SyncItem, TimelineEntryView, TimelineKind};

    use super::*;
    use crate::records::row_of;

    fn cache() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        conn
    }

    fn put(conn: &Connection, item: SyncItem) {
        super::super::upsert(conn, &row_of(&item)).unwrap();
    }

    fn follow_up(id: &str, status: PublicStatus, at: &str) -> SyncItem {
        SyncItem::FollowUp(FollowUpView {
            id: id.into(),
            location_id: "l".into(),
            description: "Replace the seal".into(),
            public_status: status,
            report_id: None,
            planned_appointment: None,
            updated_at: at.into(),
        })
    }

    fn report(id: &str, at: &str) -> SyncItem {
        SyncItem::Report(ReportView {
            id: id.into(),
            location_id: "l".into(),
            title: "Pumps".into(),
            summary: "Serviced".into(),
            message: None,
            visit_date: "2026-11-20".into(),
            published_at: at.into(),
            attachments: Vec::new(),
        })
    }

    fn milestone(id: &str, kind: TimelineKind, at: &str) -> SyncItem {
        SyncItem::Timeline(TimelineEntryView {
            id: id.into(),
            location_id: "l".into(),
            kind,
            subject_id: "r".into(),
            occurred_at: at.into(),
        })
    }

    #[test]
    fn a_required_follow_up_counts_until_the_user_looks() {
        let conn = cache();
        put(&conn, follow_up("f1", PublicStatus::FollowUpRequired, "2026-11-27T08:00:00Z"));
        put(&conn, follow_up("f2", PublicStatus::Planned, "2026-11-27T09:00:00Z"));
        assert_eq!(read(&conn).unwrap().follow_ups, 1, "only the required one");
        look(&conn, Group::FollowUps).unwrap();
        assert_eq!(read(&conn).unwrap().total(), 0);
        // Another becomes required later, and the planned one needs doing again.
        put(&conn, follow_up("f3", PublicStatus::FollowUpRequired, "2026-11-28T08:00:00Z"));
        put(&conn, follow_up("f2", PublicStatus::FollowUpRequired, "2026-11-28T09:00:00Z"));
        assert_eq!(read(&conn).unwrap().follow_ups, 2);
        look(&conn, Group::FollowUps).unwrap();
        assert_eq!(read(&conn).unwrap().follow_ups, 0);
    }

    #[test]
    fn reports_and_decisions_count_after_the_first_look_only() {
        let conn = cache();
        put(&conn, report("old", "2026-11-01T08:00:00Z"));
        put(&conn, milestone("t1", TimelineKind::RequestAccepted, "2026-11-01T08:00:00Z"));
        assert_eq!(read(&conn).unwrap().total(), 0, "history before the first look");
        // The first sync's end counts as a look.
        look(&conn, Group::Reports).unwrap();
        look(&conn, Group::RequestChanges).unwrap();
        put(&conn, report("new", "2026-11-27T08:00:00Z"));
        put(&conn, milestone("t2", TimelineKind::RequestRejected, "2026-11-27T08:00:00Z"));
        put(&conn, milestone("t3", TimelineKind::RequestSubmitted, "2026-11-27T09:00:00Z"));
        put(&conn, milestone("t4", TimelineKind::ReportShared, "2026-11-27T09:00:00Z"));
        let attention = read(&conn).unwrap();
        assert_eq!((attention.reports, attention.request_changes), (1, 1), "the user's own submission is not news");
        look(&conn, Group::Reports).unwrap();
        let attention = read(&conn).unwrap();
        assert_eq!((attention.reports, attention.request_changes), (0, 1), "each screen resets its own group");
    }

    #[test]
    fn an_item_of_the_same_second_as_the_last_look_still_counts() {
        let conn = cache();
        put(&conn, report("019a", "2026-11-27T08:00:00Z"));
        look(&conn, Group::Reports).unwrap();
        put(&conn, report("019b", "2026-11-27T08:00:00Z"));
        assert_eq!(read(&conn).unwrap().reports, 1);
    }

    #[test]
    fn a_look_at_an_empty_group_keeps_counting_what_arrives() {
        let conn = cache();
        look(&conn, Group::FollowUps).unwrap();
        put(&conn, follow_up("f1", PublicStatus::FollowUpRequired, "2026-11-27T08:00:00Z"));
        assert_eq!(read(&conn).unwrap().follow_ups, 1);
    }
}
