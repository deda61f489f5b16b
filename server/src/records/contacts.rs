//! Contacts: people at a customer. A contact becomes a portal user only by accepting an invitation.

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
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct Contact {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl HasId for Contact {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub customer_id: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub job_title: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
}

const SELECT: &str =
    "SELECT k.id, k.customer_id, k.name, k.email, k.phone, k.job_title, k.created_at, k.updated_at FROM contacts k";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Contact>> {
    let spec = ListSpec { alias: "k", customer_column: Some("k.customer_id"), ..ListSpec::default() };
    query::list(db, SELECT, spec, query).await
}

/// The contacts of a customer, by name.
pub async fn of_customer(db: &Db, customer_id: &str) -> AppResult<Vec<Contact>> {
    query::children(db, SELECT, "k.customer_id", customer_id, "k.name").await
}

pub async fn get<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Contact> {
    query::one(executor, &format!("{SELECT} WHERE k.id = $1"), id).await
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewContact) -> AppResult<Contact> {
    customers::get(&mut ***tx, &input.customer_id).await.map_err(|err| err.for_field("customer_id", "customer"))?;
    let now = Timestamp(now_ms());
    let mut contact = Contact {
        id: new_id(),
        customer_id: input.customer_id,
        name: String::new(),
        email: String::new(),
        phone: String::new(),
        job_title: String::new(),
        created_at: now,
        updated_at: now,
    };
    let patch = ContactPatch {
        name: Some(input.name),
        email: Some(input.email),
        phone: Some(input.phone),
        job_title: Some(input.job_title),
    };
    apply(&mut contact, &patch)?;
    sqlx::query(
        "INSERT INTO contacts (id, customer_id, name, email, phone, job_title, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&contact.id)
    .bind(&contact.customer_id)
    .bind(&contact.name)
    .bind(&contact.email)
    .bind(&contact.phone)
    .bind(&contact.job_title)
    .bind(now.0)
    .bind(now.0)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "contact.create", "contact", Some(&contact.id), json!({})).await?;
    Ok(contact)
}

pub async fn update(tx: &mut WriteTx, actor: &Actor, id: &str, patch: ContactPatch) -> AppResult<Contact> {
    let mut contact = get(&mut ***tx, id).await?;
    apply(&mut contact, &patch)?;
    contact.updated_at = Timestamp::now();
    sqlx::query("UPDATE contacts SET name = $1, email = $2, phone = $3, job_title = $4, updated_at = $5 WHERE id = $6")
        .bind(&contact.name)
        .bind(&contact.email)
        .bind(&contact.phone)
        .bind(&contact.job_title)
        .bind(contact.updated_at.0)
        .bind(id)
        .execute(&mut ***tx)
        .await?;
    audit::record(tx, actor, "contact.update", "contact", Some(id), json!({})).await?;
    Ok(contact)
}

/// Deletes a contact that never had portal access; one with access or history is kept.
pub async fn delete(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<()> {
    get(&mut ***tx, id).await?;
    let (uses,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM portal_users WHERE contact_id = $1)
              + (SELECT COUNT(*) FROM portal_invitations WHERE contact_id = $1)
              + (SELECT COUNT(*) FROM targets WHERE contact_id = $1)",
    )
    .bind(id)
    .fetch_one(&mut ***tx)
    .await?;
    if uses > 0 {
        return Err(AppError::Conflict(
            "this contact has portal access, invitations or work and cannot be deleted".into(),
        ));
    }
    sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id).execute(&mut ***tx).await?;
    audit::record(tx, actor, "contact.delete", "contact", Some(id), json!({})).await?;
    Ok(())
}

fn apply(contact: &mut Contact, patch: &ContactPatch) -> AppResult<()> {
    let mut fields = Fields::new();
    if let Some(v) = &patch.name {
        contact.name = fields.text("name", v, MAX_LINE);
    }
    if let Some(v) = &patch.email {
        contact.email = fields.email("email", v);
    }
    if let Some(v) = &patch.phone {
        contact.phone = fields.optional_text("phone", Some(v), 40).unwrap_or_default();
    }
    if let Some(v) = &patch.job_title {
        contact.job_title = fields.optional_text("job_title", Some(v), MAX_LINE).unwrap_or_default();
    }
    fields.finish()
}
