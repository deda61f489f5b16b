//! The signed-in user's profile and the customers and locations their grants cover.

use portal_types::{CustomerAccess, LocationView, Me};
use sqlx::FromRow;

use super::Viewer;
use crate::error::AppResult;
use crate::records::portal_access::PortalUser;
use crate::records::query::Select;
use crate::storage::Db;

#[derive(FromRow)]
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

pub async fn me(db: &Db, viewer: &Viewer, user: &PortalUser) -> AppResult<Me> {
    let mut select = Select::new(
        "SELECT l.id, l.customer_id, c.name AS customer_name, l.name, l.address_line, l.postal_code, l.city, \
         l.country_code, l.time_zone FROM locations l JOIN customers c ON c.id = l.customer_id",
    );
    select.scoped(&viewer.scope, "l.customer_id", "l.id");
    let rows: Vec<Row> = select.fetch_all(db, "ORDER BY c.name, l.name").await?;
    let mut customers: Vec<CustomerAccess> = Vec::new();
    for row in rows {
        let can_download = viewer.scope.may_download(&row.customer_id, &row.id);
        let location = LocationView {
            id: row.id,
            customer_id: row.customer_id.clone(),
            name: row.name,
            address_line: row.address_line,
            postal_code: row.postal_code,
            city: row.city,
            country_code: row.country_code,
            time_zone: row.time_zone,
            can_download,
        };
        match customers.iter_mut().find(|c| c.id == row.customer_id) {
            Some(customer) => customer.locations.push(location),
            None => customers.push(CustomerAccess {
                whole_customer: viewer.scope.customers.contains(&row.customer_id),
                id: row.customer_id,
                name: row.customer_name,
                locations: vec![location],
            }),
        }
    }
    Ok(Me {
        id: user.id.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        language: user.language.clone(),
        customers,
    })
}
