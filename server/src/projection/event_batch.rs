//! The event hub's reads: each new batch of live events is read once for the whole
//! instance, and one query per batch says which subscribed users may see which event.
//! The scope and audience are checked in memory with the same `Scope` the portal's
//! queries bind; the subject's rule and the download grant go through
//! `kinds::about_visible`, as in `events::after`, so both paths apply one rule.

use std::collections::HashSet;
use std::sync::Arc;

use portal_types::{LiveEventKind, LiveEventView};

use super::events::{after_cursor, EventCursor, PAGE};
use super::Viewer;
use crate::domain::scope::Requests;
use crate::error::AppResult;
use crate::records::kinds;
use crate::records::query::{stored, Packed, Select};
use crate::records::time::Timestamp;
use crate::records::IDS_PER_QUERY;
use crate::storage::Db;

/// A stored event with what decides who may see it. It never leaves the server as
/// is: a stream receives its `view`.
#[derive(Debug, serde::Deserialize)]
pub struct NewEvent {
    pub id: String,
    pub version: i64,
    pub kind: LiveEventKind,
    pub subject_id: String,
    pub customer_id: String,
    pub location_id: String,
    pub audience: Option<String>,
    #[serde(deserialize_with = "stored::timestamp")]
    pub occurred_at: Timestamp,
}

impl Packed for NewEvent {}

impl NewEvent {
    pub fn cursor(&self) -> EventCursor {
        EventCursor { version: self.version, id: self.id.clone() }
    }

    /// What a stream sends.
    pub fn view(&self) -> Arc<LiveEventView> {
        Arc::new(LiveEventView {
            id: format!("{}.{}", self.version, self.id),
            kind: self.kind,
            subject_id: self.subject_id.clone(),
            location_id: self.location_id.clone(),
            occurred_at: self.occurred_at.rfc3339(),
        })
    }

    /// Whether the viewer's scope and the event's audience let it through, before its
    /// subject's rule is asked: `None` when not, else whether downloads are allowed there.
    pub fn candidate_for(&self, viewer: &Viewer) -> Option<bool> {
        let for_them = self.audience.as_ref().is_none_or(|audience| *audience == viewer.user_id);
        (for_them && viewer.scope.covers(&self.customer_id, &self.location_id))
            .then(|| viewer.scope.may_download(&self.customer_id, &self.location_id))
    }
}

/// Up to `PAGE` events after `cursor`, oldest first, whoever they are for.
pub async fn read_after(db: &Db, cursor: &EventCursor) -> AppResult<Vec<NewEvent>> {
    let mut select = Select::new(
        "SELECT e.id, e.version, e.kind, e.subject_id, e.customer_id, e.location_id, e.audience, e.occurred_at \
         FROM portal_events e",
    );
    after_cursor(&mut select, cursor);
    let suffix = format!("ORDER BY e.version, e.id LIMIT {PAGE}");
    Ok(select.fetch_packed(db, &suffix, "ORDER BY version, id").await?)
}

/// An event that passed `candidate_for` a user.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub event_id: String,
    pub user_id: String,
    pub downloads: bool,
}

/// The (event id, user id) pairs among `candidates` whose subject the user may see.
/// Runs one query per `IDS_PER_QUERY` candidates.
pub async fn visible(db: &Db, candidates: &[Candidate]) -> AppResult<HashSet<(String, String)>> {
    let subjects = LiveEventKind::ALL.iter().map(|k| (k.as_str(), kinds::event_subject(*k)));
    // The download grant was decided per user in memory and travels with the candidate.
    // Requests as their submitters see them: a live event about a colleague's request
    // reaches a customer admin with their next sync.
    let rule = kinds::about_visible("e", subjects, Some("w.downloads = 1"), Requests::Own).replace("{}", "w.user_id");
    let mut pairs = HashSet::new();
    for chunk in candidates.chunks(IDS_PER_QUERY) {
        let rows: Vec<String> =
            (0..chunk.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
        let sql = format!(
            "WITH w (event_id, user_id, downloads) AS (VALUES {}) \
             SELECT w.event_id, w.user_id FROM w JOIN portal_events e ON e.id = w.event_id WHERE {rule}",
            rows.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for candidate in chunk {
            query = query
                .bind(candidate.event_id.clone())
                .bind(candidate.user_id.clone())
                .bind(i64::from(candidate.downloads));
        }
        pairs.extend(query.fetch_all(&db.pool).await?);
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scope::{Grant, Scope};

    fn event(customer: &str, location: &str, audience: Option<&str>) -> NewEvent {
        NewEvent {
            id: "e1".into(),
            version: 7,
            kind: LiveEventKind::AttachmentReleased,
            subject_id: "x".into(),
            customer_id: customer.into(),
            location_id: location.into(),
            audience: audience.map(str::to_string),
            occurred_at: Timestamp(0),
        }
    }

    fn viewer(user: &str, customer: &str, locations: &[&str], can_download: bool) -> Viewer {
        let grant = Grant {
            customer_id: customer.into(),
            whole_customer: locations.is_empty(),
            location_ids: locations.iter().map(|l| l.to_string()).collect(),
            can_download,
        };
        Viewer { user_id: user.into(), scope: Scope::from_grants(&[grant]) }
    }

    #[test]
    fn candidates_are_in_scope_and_for_everyone_or_for_them() {
        let marina = viewer("omar", "northwind", &["marina"], true);
        assert_eq!(event("northwind", "marina", None).candidate_for(&marina), Some(true));
        assert_eq!(event("northwind", "berlin", None).candidate_for(&marina), None, "an ungranted location");
        assert_eq!(event("contoso", "munich", None).candidate_for(&marina), None, "another customer");
        assert_eq!(event("northwind", "marina", Some("hannah")).candidate_for(&marina), None, "someone else's");
        assert_eq!(event("northwind", "marina", Some("omar")).candidate_for(&marina), Some(true));
    }

    #[test]
    fn candidates_carry_the_download_grant_of_their_place() {
        let reader = viewer("hannah", "northwind", &[], false);
        assert_eq!(event("northwind", "berlin", None).candidate_for(&reader), Some(false));
    }
}
