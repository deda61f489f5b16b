//! The portal's visibility rules as SQL, built from the status enums so that each
//! rule is written once. `kinds` gives each portal kind its rule from these.

use super::messages::Visibility;
use crate::domain::lifecycle::{AppointmentStatus, ReportStatus, TargetStatus};

/// `column IN (…)` over wire names; they are static literals, never user input.
pub fn any_of(column: &str, names: impl Iterator<Item = &'static str>) -> String {
    let quoted: Vec<String> = names.map(|name| format!("'{name}'")).collect();
    format!("{column} IN ({})", quoted.join(", "))
}

/// A report the customer may read: published (approved alone is not enough).
pub fn report_published(alias: &str) -> String {
    format!("{alias}.status = '{}'", ReportStatus::Published.as_str())
}

/// An appointment staff shared with the portal.
pub fn appointment_shared(alias: &str) -> String {
    format!("{alias}.shared_with_portal = 1")
}

/// Work that is still open: what the portal lists as open work.
pub fn work_open(alias: &str) -> String {
    any_of(&format!("{alias}.status"), TargetStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()))
}

/// A visit that will still happen: the next visit of open work.
pub fn visit_coming(alias: &str) -> String {
    any_of(&format!("{alias}.status"), AppointmentStatus::ALL.iter().filter(|s| s.is_coming()).map(|s| s.as_str()))
}

/// A message on a request for the customer (internal notes never reach the portal).
pub fn message_for_customer(alias: &str) -> String {
    format!("{alias}.visibility = '{}'", Visibility::Customer.as_str())
}

/// The longest appointment, which bounds how long ago a visit still in progress
/// began: lists of visits not yet over read the index from there, not from the start.
pub const LONGEST_APPOINTMENT: &str = "(SELECT COALESCE(MAX(x.ends_at - x.starts_at), 0) FROM appointments x)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_statuses_from_the_enums() {
        assert_eq!(report_published("v"), "v.status = 'published'");
        assert_eq!(work_open("t"), "t.status IN ('new', 'scheduled', 'in_progress', 'on_hold')");
        assert_eq!(visit_coming("a"), "a.status IN ('scheduled', 'in_progress')");
        assert_eq!(message_for_customer("m"), "m.visibility = 'customer'");
    }
}
