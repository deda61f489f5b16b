//! The portal projection: what a portal user sees, built only from portal view
//! types and only through the user's scope. The portal API and the admin web's
//! "view as contact" both call these functions, so there is one implementation.

pub mod appointments;
pub mod attachments;
pub mod event_batch;
pub mod events;
pub mod follow_ups;
pub mod me;
pub mod reports;
pub mod requests;
pub mod sync;
pub mod timeline;
pub mod work;

use portal_types::SyncKind;

use crate::domain::scope::{Grant, Scope};
use crate::domain::validate::Fields;
use crate::error::AppResult;
use crate::records::kinds;
use crate::records::query::{Key, Ordered, Select};

/// Who is looking: the user and their scope.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: String,
    pub scope: Scope,
}

impl Viewer {
    /// The viewer for a portal user as of now: their grants make their scope, and a
    /// customer admin sees every request in it.
    pub async fn of(db: &crate::storage::Db, user_id: &str) -> Result<Self, sqlx::Error> {
        let grants = crate::records::portal_access::grants(db, user_id).await?;
        let user = crate::records::portal_access::user_by_id(db, user_id).await?;
        Ok(Self::of_user(user_id, &grants, user.is_some_and(|u| u.is_customer_admin())))
    }

    /// The viewer whose scope `grants` make, for a customer admin or not.
    pub fn of_user(user_id: &str, grants: &[Grant], customer_admin: bool) -> Self {
        let scope = Scope::from_grants(grants).for_customer_admin(customer_admin);
        Viewer { user_id: user_id.to_string(), scope }
    }

    /// The viewer whose scope `grants` make.
    pub fn new(user_id: &str, grants: &[Grant]) -> Self {
        Viewer { user_id: user_id.to_string(), scope: Scope::from_grants(grants) }
    }

    /// Restricts `select`, whose row of `kind` has the kind's alias, to the rows this
    /// viewer may see: their scope and the kind's visibility rule.
    pub fn restrict(&self, select: &mut Select, kind: SyncKind) {
        kinds::of(kind).restrict(select, &self.scope, &self.user_id);
    }

    /// The same rule as one condition on `alias`, its values bound in `select`, for
    /// rows of `kind` embedded in another kind's query.
    pub fn condition(&self, select: &mut Select, kind: SyncKind, alias: &str) -> String {
        kinds::of(kind).condition(select, alias, &self.scope, &self.user_id)
    }
}

/// The list order of `kind`.
fn order(kind: SyncKind) -> Key {
    kinds::of(kind).order()
}

/// A page of at most `limit` rows of `kind`'s list, in its list order.
fn ordered(kind: SyncKind, select: Select, limit: usize) -> Ordered {
    ordered_by(kind, select, order(kind), limit)
}

/// A page of `kind`'s list in `key` order, its keys read from the kind's own table.
fn ordered_by(kind: SyncKind, select: Select, key: Key, limit: usize) -> Ordered {
    Ordered::new(select, key, limit).keys_from(&kinds::of(kind).from())
}

/// Paging of portal lists: `limit` (1–200, default 50) and an opaque `after` cursor.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PortalPage {
    pub limit: Option<u32>,
    pub after: Option<String>,
    /// Only this location (must be in scope to match anything).
    pub location_id: Option<String>,
}

impl PortalPage {
    pub fn limit(&self) -> AppResult<usize> {
        let mut fields = Fields::new();
        let limit = crate::records::query::PageQuery { limit: self.limit, ..Default::default() }.limit(&mut fields);
        fields.finish()?;
        Ok(limit as usize)
    }
}

/// Cuts a fetched `limit + 1` rows down to a page, with the cursor of its last item.
pub fn page<T>(items: Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> portal_types::Page<T> {
    page_of(items, limit, cursor, |item| item)
}

/// Like `page`, for rows that carry their cursor but not their view: the cursor
/// comes from the last row kept, then each row becomes its view.
pub fn page_of<R, T>(
    mut rows: Vec<R>,
    limit: usize,
    cursor: impl Fn(&R) -> String,
    view: impl FnMut(R) -> T,
) -> portal_types::Page<T> {
    let next_after = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(cursor)
    } else {
        None
    };
    portal_types::Page { items: rows.into_iter().map(view).collect(), next_after }
}
