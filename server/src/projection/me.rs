//! The signed-in user's profile and the customers and locations their grants cover.

use portal_types::{CustomerAccess, LocationView, Me, SyncKind};

use super::Viewer;
use crate::error::AppResult;
use crate::records::portal_access::PortalUser;
use crate::records::query::{Packed, Select};
use crate::storage::Db;

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    customer_id: String,
    customer_name: String,
    name: String,
    address_line: String,
    postal_code: String,
    city: String,
    country_code: String,
    time_zone: String,
}

impl Packed for Row {}

fn visible(viewer: &Viewer) -> Select {
    let mut select = Select::new(
        "SELECT l.id, l.customer_id, c.name AS customer_name, l.name, l.address_line, l.postal_code, l.city, \
         l.country_code, l.time_zone FROM locations l JOIN customers c ON c.id = l.customer_id",
    );
    viewer.restrict(&mut select, SyncKind::Location);
    select
}

fn location(viewer: &Viewer, row: &Row) -> LocationView {
    LocationView {
        id: row.id.clone(),
        customer_id: row.customer_id.clone(),
        name: row.name.clone(),
        address_line: row.address_line.clone(),
        postal_code: row.postal_code.clone(),
        city: row.city.clone(),
        country_code: row.country_code.clone(),
        time_zone: row.time_zone.clone(),
        can_download: viewer.scope.may_download(&row.customer_id, &row.id),
    }
}

/// The visible locations among `ids`, for delta sync.
pub async fn locations_by_ids(db: &Db, viewer: &Viewer, ids: &[String]) -> AppResult<Vec<LocationView>> {
    let mut select = visible(viewer);
    select.filter_in("l.id", ids);
    let rows: Vec<Row> = select.fetch_packed(db, "", "").await?;
    Ok(rows.iter().map(|row| location(viewer, row)).collect())
}

pub async fn me(db: &Db, viewer: &Viewer, user: &PortalUser) -> AppResult<Me> {
    let rows: Vec<Row> =
        visible(viewer).fetch_packed(db, "ORDER BY c.name, l.name", "ORDER BY customer_name, name").await?;
    let mut customers: Vec<CustomerAccess> = Vec::new();
    for row in &rows {
        let location = location(viewer, row);
        match customers.iter_mut().find(|c| c.id == row.customer_id) {
            Some(customer) => customer.locations.push(location),
            None => customers.push(CustomerAccess {
                whole_customer: viewer.scope.customers.contains(&row.customer_id),
                id: row.customer_id.clone(),
                name: row.customer_name.clone(),
                locations: vec![location],
            }),
        }
    }
    Ok(Me {
        id: user.id.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        language: user.language.clone(),
        customer_admin: user.is_customer_admin(),
        customers,
    })
}
