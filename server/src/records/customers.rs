//! Customers: the companies the service company serves.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::query::{self, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use crate::domain::validate::{Fields, MAX_LINE};
use crate::error::AppResult;
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct Customer {
    pub id: String,
    pub name: String,
    /// Line of business, e.g. "Facility management".
    pub segment: String,
    /// The id of this customer in the company's internal system.
    pub external_ref: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl HasId for Customer {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub name: String,
    #[serde(default)]
    pub segment: String,
    pub external_ref: Option<String>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub segment: Option<String>,
    pub external_ref: Option<String>,
}

const SELECT: &str = "SELECT c.id, c.name, c.segment, c.external_ref, c.created_at, c.updated_at FROM customers c";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Customer>> {
    let spec = ListSpec { alias: "c", ..ListSpec::default() };
    query::list(db, SELECT, spec, query).await
}

/// Customers whose name contains `text` (any case), by name; all when `text` is empty.
pub async fn search(db: &Db, text: &str) -> AppResult<Vec<Customer>> {
    let mut select = query::Select::new(SELECT);
    if !text.trim().is_empty() {
        let escaped = text.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        select.filter("LOWER(c.name) LIKE {} ESCAPE '\\'", query::Arg::Text(format!("%{escaped}%")));
    }
    Ok(select.fetch_all(db, "ORDER BY c.name LIMIT 200").await?)
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Customer> {
    query::one(executor, &format!("{SELECT} WHERE c.id = $1"), id).await
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewCustomer) -> AppResult<Customer> {
    let mut fields = Fields::new();
    let now = now_ms();
    let customer = Customer {
        id: new_id(),
        name: fields.text("name", &input.name, MAX_LINE),
        segment: fields.optional_text("segment", Some(&input.segment), MAX_LINE).unwrap_or_default(),
        external_ref: fields.optional_text("external_ref", input.external_ref.as_deref(), MAX_LINE),
        created_at: Timestamp(now),
        updated_at: Timestamp(now),
    };
    fields.finish()?;
    let version = tx.version().await?;
    sqlx::query(
        "INSERT INTO customers (id, name, segment, external_ref, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&customer.id)
    .bind(&customer.name)
    .bind(&customer.segment)
    .bind(&customer.external_ref)
    .bind(now)
    .bind(now)
    .bind(version)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "customer.create", "customer", Some(&customer.id), json!({ "name": customer.name }))
        .await?;
    Ok(customer)
}

pub async fn update(tx: &mut WriteTx, actor: &Actor, id: &str, patch: CustomerPatch) -> AppResult<Customer> {
    let mut customer = get(&mut ***tx, id).await?;
    let mut fields = Fields::new();
    if let Some(name) = &patch.name {
        customer.name = fields.text("name", name, MAX_LINE);
    }
    if let Some(segment) = &patch.segment {
        customer.segment = fields.optional_text("segment", Some(segment), MAX_LINE).unwrap_or_default();
    }
    if let Some(external_ref) = &patch.external_ref {
        customer.external_ref = fields.optional_text("external_ref", Some(external_ref), MAX_LINE);
    }
    fields.finish()?;
    customer.updated_at = Timestamp::now();
    let version = tx.version().await?;
    sqlx::query(
        "UPDATE customers SET name = $1, segment = $2, external_ref = $3, updated_at = $4, version = $5 WHERE id = $6",
    )
    .bind(&customer.name)
    .bind(&customer.segment)
    .bind(&customer.external_ref)
    .bind(customer.updated_at.0)
    .bind(version)
    .bind(id)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "customer.update", "customer", Some(id), json!({})).await?;
    Ok(customer)
}
