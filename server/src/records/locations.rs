//! Locations: sites of a customer, each with an address and an IANA time zone.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::customers;
use super::query::{self, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use crate::domain::validate::{Fields, MAX_LINE};
use crate::error::AppResult;
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct Location {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub address_line: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166 alpha-2, e.g. `DE`.
    pub country_code: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub external_ref: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl HasId for Location {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLocation {
    pub customer_id: String,
    pub name: String,
    pub address_line: String,
    #[serde(default)]
    pub postal_code: String,
    pub city: String,
    pub country_code: String,
    pub time_zone: String,
    pub external_ref: Option<String>,
}

/// Fields to change; the customer of a location never changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPatch {
    pub name: Option<String>,
    pub address_line: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub time_zone: Option<String>,
    pub external_ref: Option<String>,
}

const SELECT: &str = "SELECT l.id, l.customer_id, l.name, l.address_line, l.postal_code, l.city, l.country_code, \
     l.time_zone, l.external_ref, l.created_at, l.updated_at FROM locations l";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Location>> {
    let spec = ListSpec { alias: "l", customer_column: Some("l.customer_id"), ..ListSpec::default() };
    query::list(db, SELECT, spec, query).await
}

/// The locations of a customer, by name.
pub async fn of_customer(db: &Db, customer_id: &str) -> AppResult<Vec<Location>> {
    query::children(db, SELECT, "l.customer_id", customer_id, "l.name").await
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Location> {
    query::one(executor, &format!("{SELECT} WHERE l.id = $1"), id).await
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewLocation) -> AppResult<Location> {
    customers::get(&mut ***tx, &input.customer_id).await.map_err(|err| err.for_field("customer_id", "customer"))?;
    let now = Timestamp(now_ms());
    let mut location = Location {
        id: new_id(),
        customer_id: input.customer_id,
        name: String::new(),
        address_line: String::new(),
        postal_code: String::new(),
        city: String::new(),
        country_code: String::new(),
        time_zone: String::new(),
        external_ref: None,
        created_at: now,
        updated_at: now,
    };
    let patch = LocationPatch {
        name: Some(input.name),
        address_line: Some(input.address_line),
        postal_code: Some(input.postal_code),
        city: Some(input.city),
        country_code: Some(input.country_code),
        time_zone: Some(input.time_zone),
        external_ref: input.external_ref,
    };
    apply(&mut location, &patch)?;
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO locations (id, customer_id, name, address_line, postal_code, city, country_code, time_zone,
             external_ref, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&location.id)
    .bind(&location.customer_id)
    .bind(&location.name)
    .bind(&location.address_line)
    .bind(&location.postal_code)
    .bind(&location.city)
    .bind(&location.country_code)
    .bind(&location.time_zone)
    .bind(&location.external_ref)
    .bind(now.0)
    .bind(now.0)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "location.create", "location", Some(&location.id), json!({ "name": location.name }))
        .await?;
    Ok(location)
}

pub async fn update(tx: &mut WriteTx, actor: &Actor, id: &str, patch: LocationPatch) -> AppResult<Location> {
    let mut location = get(&mut ***tx, id).await?;
    apply(&mut location, &patch)?;
    location.updated_at = Timestamp::now();
    let version = tx.version().await?;
    sqlx::query(
        "UPDATE locations SET name = $1, address_line = $2, postal_code = $3, city = $4, country_code = $5,
             time_zone = $6, external_ref = $7, updated_at = $8, version = $9 WHERE id = $10",
    )
    .bind(&location.name)
    .bind(&location.address_line)
    .bind(&location.postal_code)
    .bind(&location.city)
    .bind(&location.country_code)
    .bind(&location.time_zone)
    .bind(&location.external_ref)
    .bind(location.updated_at.0)
    .bind(version)
    .bind(id)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "location.update", "location", Some(id), json!({})).await?;
    Ok(location)
}

/// Validates and applies a patch; creation goes through here too, so the rules live once.
fn apply(location: &mut Location, patch: &LocationPatch) -> AppResult<()> {
    let mut fields = Fields::new();
    if let Some(v) = &patch.name {
        location.name = fields.text("name", v, MAX_LINE);
    }
    if let Some(v) = &patch.address_line {
        location.address_line = fields.text("address_line", v, MAX_LINE);
    }
    if let Some(v) = &patch.postal_code {
        location.postal_code = fields.optional_text("postal_code", Some(v), 20).unwrap_or_default();
    }
    if let Some(v) = &patch.city {
        location.city = fields.text("city", v, MAX_LINE);
    }
    if let Some(v) = &patch.country_code {
        location.country_code = fields.country_code("country_code", v);
    }
    if let Some(v) = &patch.time_zone {
        location.time_zone = fields.time_zone("time_zone", v);
    }
    if let Some(v) = &patch.external_ref {
        location.external_ref = fields.optional_text("external_ref", Some(v), MAX_LINE);
    }
    fields.finish()
}
