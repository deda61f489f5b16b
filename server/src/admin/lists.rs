//! The list pages (requests, work, reports, follow-ups): one template with filters
//! by status, customer and location, and keyset paging that keeps the filters.

use askama::Template;
use axum::response::Response;

use super::format;
use super::page::{render, AdminError, Chrome, Row};
use crate::extract::PageQuery;
use crate::records::places::{self, Place};
use crate::records::time::Timestamp;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub title_key: &'static str,
    pub action: &'static str,
    /// A "create" link: address and label key.
    pub create: Option<(&'static str, &'static str)>,
    pub statuses: &'static [&'static str],
    pub filter: PageQuery,
    pub places: Vec<Place>,
    pub customers: Vec<(String, String)>,
    pub rows: Vec<Row>,
    pub next: Option<String>,
}

impl ListPage {
    fn is(&self, value: &Option<String>, option: &str) -> bool {
        value.as_deref() == Some(option)
    }
}

/// Blank filter fields (an "any" choice) mean no filter.
pub fn clean(filter: PageQuery) -> PageQuery {
    let keep = |value: Option<String>| value.filter(|s| !s.is_empty());
    PageQuery {
        status: keep(filter.status),
        customer_id: keep(filter.customer_id),
        location_id: keep(filter.location_id),
        after: keep(filter.after),
        ..filter
    }
}

/// One record of a list, before its place is known.
pub struct Item<'a> {
    pub href: String,
    pub title: String,
    pub location_id: &'a str,
    /// Shown in the location's time zone.
    pub at: Option<Timestamp>,
    /// Shown as is (e.g. a visit date).
    pub date: Option<String>,
    pub status: &'a str,
    /// The i18n key of a marker beside the title, if any.
    pub flag: Option<&'static str>,
}

/// What a list page shows besides its rows.
pub struct Listing {
    pub title_key: &'static str,
    pub action: &'static str,
    pub create: Option<(&'static str, &'static str)>,
    pub statuses: &'static [&'static str],
}

pub async fn render_list(
    state: &AppState,
    c: Chrome,
    listing: Listing,
    filter: PageQuery,
    items: Vec<Item<'_>>,
    next_after: Option<String>,
) -> Result<Response, AdminError> {
    let places = places::all(&state.db).await?;
    let rows = items
        .into_iter()
        .map(|item| {
            let place = places.iter().find(|p| p.location_id == item.location_id);
            let zone = place.map(|p| p.time_zone.as_str()).unwrap_or("UTC");
            let when = item.date.unwrap_or_else(|| item.at.map(|at| format::local(at.0, zone)).unwrap_or_default());
            let label = place.map(Place::label).unwrap_or_default();
            let row = Row::new(c.lang, item.href, item.title, label, when, item.status);
            Row { flag: item.flag.map(|key| c.t(key)), ..row }
        })
        .collect();
    let next = next_link(listing.action, &filter, next_after);
    let customers = customers_of(&places);
    render(&ListPage {
        c,
        title_key: listing.title_key,
        action: listing.action,
        create: listing.create,
        statuses: listing.statuses,
        filter,
        places,
        customers,
        rows,
        next,
    })
}

/// The distinct customers of a place list, in order.
fn customers_of(places: &[Place]) -> Vec<(String, String)> {
    let mut customers: Vec<(String, String)> = Vec::new();
    for place in places {
        if !customers.iter().any(|(id, _)| *id == place.customer_id) {
            customers.push((place.customer_id.clone(), place.customer.clone()));
        }
    }
    customers
}

/// The next page's address, keeping the filters.
fn next_link(base: &str, filter: &PageQuery, after: Option<String>) -> Option<String> {
    let after = after?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in
        [("status", &filter.status), ("customer_id", &filter.customer_id), ("location_id", &filter.location_id)]
    {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    query.append_pair("after", &after);
    Some(format!("{base}?{}", query.finish()))
}
