//! The sync decision, apart from I/O: what one page of changes does to the cache
//! and to the downloaded files.

use std::collections::HashMap;

use portal_types::{SyncChange, SyncItem, SyncKind, SyncPage, TimelineEntryView};

use crate::records::{row_of, Row};

/// What the cache knows that a page's effects depend on.
#[derive(Debug, Default, Clone)]
pub struct LocalState {
    /// Downloaded files by attachment id, with the checksum of the stored content.
    pub downloaded: HashMap<String, String>,
    /// The attachment ids listed by each cached report the page removes.
    pub report_attachments: HashMap<String, Vec<String>>,
}

/// Everything one page does, applied in one transaction.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// Drop every cached record before applying the page. Downloaded files stay
    /// until the sync ends: those the new scope still lists are kept (`Cache::recheck_files`).
    pub wipe: bool,
    pub upserts: Vec<Row>,
    pub removals: Vec<(SyncKind, String)>,
    /// Attachments whose downloaded files go: removed, replaced, or wiped.
    pub drop_files: Vec<String>,
    /// Timeline entries in the page, the source of notifications.
    pub timeline: Vec<TimelineEntryView>,
    pub cursor: String,
    pub more: bool,
}

/// Report ids the page removes, so the caller can look up their attachments.
pub fn removed_reports(page: &SyncPage) -> Vec<String> {
    page.changes
        .iter()
        .filter_map(|change| match change {
            SyncChange::Remove { kind: SyncKind::Report, id } => Some(id.clone()),
            _ => None,
        })
        .collect()
}

/// Plans one page against the local state.
pub fn plan(page: SyncPage, local: &LocalState) -> Plan {
    let mut plan = Plan { wipe: page.reset, cursor: page.cursor, more: page.more, ..Plan::default() };
    let drop = |id: &str, plan: &mut Plan| {
        if local.downloaded.contains_key(id) && !plan.drop_files.iter().any(|d| d == id) {
            plan.drop_files.push(id.to_string());
        }
    };
    for change in page.changes {
        match change {
            SyncChange::Upsert { record } => {
                match record.as_ref() {
                    // New content under the same id: the stored copy is stale.
                    SyncItem::Attachment(a) if local.downloaded.get(&a.id).is_some_and(|sha| *sha != a.sha256) => {
                        drop(&a.id, &mut plan)
                    }
                    SyncItem::Timeline(entry) => plan.timeline.push(entry.clone()),
                    _ => {}
                }
                plan.upserts.push(row_of(&record));
            }
            SyncChange::Remove { kind, id } => {
                match kind {
                    SyncKind::Attachment => drop(&id, &mut plan),
                    SyncKind::Report => {
                        for attachment in local.report_attachments.get(&id).into_iter().flatten() {
                            drop(attachment, &mut plan);
                        }
                    }
                    _ => {}
                }
                plan.removals.push((kind, id));
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use portal_types::{AttachmentView, LocationView, TimelineKind};

    use super::*;

    fn attachment(id: &str, sha: &str) -> SyncChange {
        SyncChange::Upsert {
            record: Box::new(SyncItem::Attachment(AttachmentView {
                id: id.into(),
                report_id: Some("r1".into()),
                file_name: "a.pdf".into(),
                content_type: "application/pdf".into(),
                size_bytes: 4,
                sha256: sha.into(),
                download_path: format!("/portal/v1/attachments/{id}/content"),
            })),
        }
    }

    fn location(id: &str) -> SyncChange {
        SyncChange::Upsert {
            record: Box::new(SyncItem::Location(LocationView {
                id: id.into(),
                customer_id: "c".into(),
                name: "Main".into(),
                address_line: String::new(),
                postal_code: String::new(),
                city: String::new(),
                country_code: "DE".into(),
                time_zone: "Europe/Berlin".into(),
                can_download: true,
            })),
        }
    }

    fn page(reset: bool, changes: Vec<SyncChange>) -> SyncPage {
        SyncPage { reset, changes, cursor: "next".into(), more: false, total: None }
    }

    fn local(files: &[(&str, &str)]) -> LocalState {
        LocalState {
            downloaded: files.iter().map(|(id, sha)| (id.to_string(), sha.to_string())).collect(),
            ..LocalState::default()
        }
    }

    #[test]
    fn upserts_become_rows_and_the_cursor_moves() {
        let plan = plan(page(false, vec![location("l1")]), &LocalState::default());
        assert!(!plan.wipe);
        assert_eq!(plan.upserts.len(), 1);
        assert_eq!(plan.upserts[0].kind, SyncKind::Location);
        assert_eq!(plan.upserts[0].sort_key, "Main");
        assert_eq!(plan.cursor, "next");
    }

    #[test]
    fn a_reset_wipes_rows_but_leaves_files_to_the_end_of_the_sync() {
        let plan = plan(page(true, vec![location("l1")]), &local(&[("b", "1"), ("a", "2")]));
        assert!(plan.wipe);
        assert!(plan.drop_files.is_empty());
    }

    #[test]
    fn removing_an_attachment_drops_its_file_only_if_downloaded() {
        let removals = vec![
            SyncChange::Remove { kind: SyncKind::Attachment, id: "a".into() },
            SyncChange::Remove { kind: SyncKind::Attachment, id: "never-downloaded".into() },
        ];
        let plan = plan(page(false, removals), &local(&[("a", "1")]));
        assert_eq!(plan.removals.len(), 2);
        assert_eq!(plan.drop_files, ["a"]);
    }

    #[test]
    fn removing_a_report_drops_the_files_of_its_attachments() {
        let mut state = local(&[("a", "1"), ("b", "2"), ("other", "3")]);
        state.report_attachments.insert("r1".into(), vec!["a".into(), "b".into()]);
        let page = page(false, vec![SyncChange::Remove { kind: SyncKind::Report, id: "r1".into() }]);
        assert_eq!(removed_reports(&page), ["r1"]);
        assert_eq!(plan(page, &state).drop_files, ["a", "b"]);
    }

    #[test]
    fn changed_content_drops_the_stale_file_but_same_content_keeps_it() {
        let plan_changed = plan(page(false, vec![attachment("a", "new")]), &local(&[("a", "old")]));
        assert_eq!(plan_changed.drop_files, ["a"]);
        let plan_same = plan(page(false, vec![attachment("a", "old")]), &local(&[("a", "old")]));
        assert!(plan_same.drop_files.is_empty());
    }

    #[test]
    fn timeline_entries_are_collected_for_notifications() {
        let entry = TimelineEntryView {
            id: "e1".into(),
            location_id: "l1".into(),
            kind: TimelineKind::FollowUpRequired,
            subject_id: "f1".into(),
            occurred_at: "2026-11-27T08:00:00Z".into(),
        };
        let change = SyncChange::Upsert { record: Box::new(SyncItem::Timeline(entry)) };
        let plan = plan(page(false, vec![change]), &LocalState::default());
        assert_eq!(plan.timeline.len(), 1);
        assert_eq!(plan.upserts[0].sort_key, "2026-11-27T08:00:00Z");
    }
}
