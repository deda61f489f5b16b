//! Names for the ids that staff lists show: which customer and location a row is
//! at, and the location's time zone for its dates.

use std::collections::HashMap;

use super::query::Select;
use crate::storage::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Place {
    pub location_id: String,
    pub customer_id: String,
    pub customer: String,
    pub location: String,
    pub time_zone: String,
}

impl Place {
    /// `Northwind · Berlin Mitte`.
    pub fn label(&self) -> String {
        format!("{} · {}", self.customer, self.location)
    }
}

/// The places of the given locations, by location id.
pub async fn of<'a>(
    db: &Db,
    location_ids: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, Place>, sqlx::Error> {
    let mut ids: Vec<String> = location_ids.into_iter().map(str::to_string).collect();
    ids.sort();
    ids.dedup();
    let mut select = Select::new(
        "SELECT l.id AS location_id, c.id AS customer_id, c.name AS customer, l.name AS location, l.time_zone \
         FROM locations l JOIN customers c ON c.id = l.customer_id",
    );
    select.filter_in("l.id", &ids);
    let places: Vec<Place> = select.fetch_all(db, "").await?;
    Ok(places.into_iter().map(|place| (place.location_id.clone(), place)).collect())
}

/// Every location with its customer, for pickers, ordered by customer and name.
pub async fn all(db: &Db) -> Result<Vec<Place>, sqlx::Error> {
    Select::new(
        "SELECT l.id AS location_id, c.id AS customer_id, c.name AS customer, l.name AS location, l.time_zone \
         FROM locations l JOIN customers c ON c.id = l.customer_id",
    )
    .fetch_all(db, "ORDER BY c.name, l.name")
    .await
}
