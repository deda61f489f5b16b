//! Records and the operations on them: each module owns one kind of record, its
//! queries and the rules applied when it changes (timeline events, audit entries).
//! Handlers of every surface call these; none touches SQL directly.

pub mod access_log;
pub mod api_keys;
pub mod appointments;
pub mod attachments;
pub mod audit;
pub mod colleagues;
pub mod contacts;
pub mod customers;
pub mod dependents;
pub mod events;
pub mod expiry;
pub mod follow_ups;
pub mod internal;
pub mod invitations;
pub mod kinds;
pub mod locations;
pub mod messages;
pub mod places;
pub mod portal_access;
pub mod query;
pub mod releases;
pub mod reports;
pub mod requests;
pub mod sessions;
pub mod staff;
pub mod staff_sessions;
pub mod status_labels;
pub mod targets;
pub mod throttle;
pub mod time;
pub mod timeline;
pub mod tombstones;
pub mod visibility;

/// Ids bound in one `IN (…)` list at most: well under both databases' limits on
/// bound values, so that batched reads of many streams split into a few queries.
pub const IDS_PER_QUERY: usize = 1000;
