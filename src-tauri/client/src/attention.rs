//! What needs the user's attention, counted for the tray, the window title and the
//! launcher badge: required follow-ups not looked at yet, reports shared and request
//! decisions since the user last opened those screens.
//!
//! "Seen" marks the newest item of a group when the user looked: its own server time
//! (RFC 3339 UTC in whole seconds, which compares as text) and its id (time-ordered,
//! which tells apart items of the same second), so the device's clock never matters.
//! The cache stores one such mark per group (`cache::attention`).

use serde::{Deserialize, Serialize};

/// Items counted together, each reset by opening its own screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Follow-ups whose status is "required".
    FollowUps,
    /// Published visit reports.
    Reports,
    /// Requests accepted or rejected (their timeline milestones).
    RequestChanges,
}

impl Group {
    pub const ALL: [Group; 3] = [Group::FollowUps, Group::Reports, Group::RequestChanges];

    /// Whether items count before the user ever opened the group's screen. A required
    /// follow-up is work waiting for them however old it is; reports and decisions
    /// that the first sync brought are history (that sync counts as a look).
    pub fn counts_before_first_look(self) -> bool {
        matches!(self, Group::FollowUps)
    }
}

/// Where an item stands in its list: its time, then its id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub at: String,
    pub id: String,
}

impl Mark {
    /// As stored: the time and the id, space-separated (neither holds a space).
    pub fn stored(&self) -> String {
        format!("{} {}", self.at, self.id)
    }

    pub fn parse(stored: &str) -> Option<Mark> {
        let (at, id) = stored.split_once(' ')?;
        Some(Mark { at: at.to_string(), id: id.to_string() })
    }
}

/// Which of a group's items count now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    Nothing,
    Everything,
    /// Items after this one.
    After(Mark),
}

/// The rule: items after the last look count; before any look, only the groups that
/// count from the start.
pub fn since(group: Group, seen: Option<&Mark>) -> Since {
    match seen {
        Some(mark) => Since::After(mark.clone()),
        None if group.counts_before_first_look() => Since::Everything,
        None => Since::Nothing,
    }
}

/// The mark a look leaves: the newest item's, never moving back (an item that left
/// the cache does not make older ones count again).
pub fn after_look(previous: Option<&Mark>, newest: Option<&Mark>) -> Option<Mark> {
    previous.max(newest).cloned()
}

/// How many items of each group need attention.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attention {
    pub follow_ups: usize,
    pub reports: usize,
    pub request_changes: usize,
}

impl Attention {
    pub fn total(&self) -> usize {
        self.follow_ups + self.reports + self.request_changes
    }

    pub fn set(&mut self, group: Group, count: usize) {
        match group {
            Group::FollowUps => self.follow_ups = count,
            Group::Reports => self.reports = count,
            Group::RequestChanges => self.request_changes = count,
        }
    }

    /// "Ordinavo Customer Portal (3)"; the name alone when nothing waits.
    pub fn titled(&self, name: &str) -> String {
        match self.total() {
            0 => name.to_string(),
            total => format!("{name} ({total})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_follow_ups_count_before_the_first_look_and_history_does_not() {
        assert_eq!(since(Group::FollowUps, None), Since::Everything);
        assert_eq!(since(Group::Reports, None), Since::Nothing);
        assert_eq!(since(Group::RequestChanges, None), Since::Nothing);
    }

    fn mark(at: &str, id: &str) -> Mark {
        Mark { at: at.into(), id: id.into() }
    }

    #[test]
    fn after_a_look_only_later_items_count() {
        let seen = mark("2026-11-27T08:00:00Z", "019a");
        for group in Group::ALL {
            assert_eq!(since(group, Some(&seen)), Since::After(seen.clone()));
        }
    }

    #[test]
    fn items_of_the_same_second_are_told_apart_by_their_ids() {
        assert!(mark("2026-11-27T08:00:00Z", "019b") > mark("2026-11-27T08:00:00Z", "019a"));
        assert!(mark("2026-11-27T08:00:01Z", "0000") > mark("2026-11-27T08:00:00Z", "ffff"));
        let seen = mark("2026-11-27T08:00:00Z", "019a");
        assert_eq!(Mark::parse(&seen.stored()), Some(seen));
        assert_eq!(Mark::parse("garbage"), None);
    }

    #[test]
    fn a_look_marks_the_newest_item_and_never_moves_back() {
        let (older, newer) = (mark("2026-11-27T08:00:00Z", "a"), mark("2026-11-28T08:00:00Z", "b"));
        assert_eq!(after_look(None, None), None);
        assert_eq!(after_look(None, Some(&older)), Some(older.clone()));
        assert_eq!(after_look(Some(&older), Some(&newer)), Some(newer.clone()));
        // The newest item left the cache: older items stay seen.
        assert_eq!(after_look(Some(&newer), Some(&older)), Some(newer.clone()));
        assert_eq!(after_look(Some(&newer), None), Some(newer));
    }

    #[test]
    fn the_title_carries_the_total_only_when_something_waits() {
        let mut attention = Attention::default();
        assert_eq!(attention.titled("Ordinavo Customer Portal"), "Ordinavo Customer Portal");
        attention.set(Group::FollowUps, 1);
        attention.set(Group::Reports, 2);
        attention.set(Group::RequestChanges, 0);
        assert_eq!(attention.total(), 3);
        assert_eq!(attention.titled("Ordinavo Customer Portal"), "Ordinavo Customer Portal (3)");
    }
}
