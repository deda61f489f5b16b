//! Portal users and their grants. A grant covers a whole customer or chosen
//! locations of one customer, and says whether attachments may be downloaded.

use std::collections::HashMap;

use serde_json::json;

use super::audit::{self, Actor};
use super::{sessions, IDS_PER_QUERY};
use crate::domain::password;
use crate::domain::scope::Grant;
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

pub struct NewPortalUser<'a> {
    pub contact_id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub language: &'a str,
}

/// Creates an active portal user; returns its id.
pub async fn create_user(tx: &mut WriteTx, user: NewPortalUser<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO portal_users (id, contact_id, email, display_name, password_hash, status, language, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8)",
    )
    .bind(&id)
    .bind(user.contact_id)
    .bind(user.email.to_lowercase())
    .bind(user.display_name)
    .bind(password::hash(user.password))
    .bind(user.language)
    .bind(now)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    Ok(id)
}

/// What a grant covers.
pub enum Coverage<'a> {
    WholeCustomer,
    Locations(&'a [&'a str]),
}

/// Grants `user_id` access to a customer, wholly or to some of its locations.
pub async fn add_grant(
    tx: &mut WriteTx,
    user_id: &str,
    customer_id: &str,
    coverage: Coverage<'_>,
    can_download: bool,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO portal_grants (id, portal_user_id, customer_id, whole_customer, can_download, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(customer_id)
    .bind(i64::from(matches!(coverage, Coverage::WholeCustomer)))
    .bind(i64::from(can_download))
    .bind(now)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    if let Coverage::Locations(locations) = coverage {
        for location_id in locations {
            sqlx::query("INSERT INTO portal_grant_locations (grant_id, location_id) VALUES ($1, $2)")
                .bind(&id)
                .bind(*location_id)
                .execute(&mut ***tx)
                .await?;
        }
    }
    Ok(id)
}

/// A portal user as the sign-in and profile code needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub status: String,
    pub language: String,
}

const USER_SELECT: &str = "SELECT id, email, display_name, password_hash, status, language FROM portal_users";

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<PortalUser>, sqlx::Error> {
    sqlx::query_as(&format!("{USER_SELECT} WHERE email = $1"))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&db.pool)
        .await
}

pub async fn user_by_id(db: &Db, id: &str) -> Result<Option<PortalUser>, sqlx::Error> {
    sqlx::query_as(&format!("{USER_SELECT} WHERE id = $1")).bind(id).fetch_optional(&db.pool).await
}

/// The grants of a user, with the locations of location grants, in one query (every
/// portal request reads them).
pub async fn grants(db: &Db, user_id: &str) -> Result<Vec<Grant>, sqlx::Error> {
    Ok(grants_of(db, &[user_id.to_string()]).await?.remove(user_id).unwrap_or_default())
}

/// The grants of each of `user_ids` (a user without grants is left out), in one query
/// per `IDS_PER_QUERY` users: the event hub re-reads every open stream's scope at once.
pub async fn grants_of(db: &Db, user_ids: &[String]) -> Result<HashMap<String, Vec<Grant>>, sqlx::Error> {
    let mut by_user: HashMap<String, Vec<Grant>> = HashMap::new();
    for chunk in user_ids.chunks(IDS_PER_QUERY) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT g.portal_user_id, g.id, g.customer_id, g.whole_customer, g.can_download, l.id FROM portal_grants g
             LEFT JOIN portal_grant_locations gl ON gl.grant_id = g.id
             LEFT JOIN locations l ON l.id = gl.location_id AND l.customer_id = g.customer_id
             WHERE g.portal_user_id IN ({}) ORDER BY g.portal_user_id, g.id, l.id",
            list.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String, String, i64, i64, Option<String>)>(&sql);
        for id in chunk {
            query = query.bind(id.clone());
        }
        let mut last_grant: Option<String> = None;
        for (user_id, id, customer_id, whole_customer, can_download, location_id) in query.fetch_all(&db.pool).await? {
            let grants = by_user.entry(user_id).or_default();
            if last_grant.as_ref() != Some(&id) {
                grants.push(Grant {
                    customer_id,
                    whole_customer: whole_customer != 0,
                    can_download: can_download != 0,
                    location_ids: Vec::new(),
                });
                last_grant = Some(id);
            }
            if let (Some(grant), Some(location_id)) = (grants.last_mut(), location_id) {
                grant.location_ids.push(location_id);
            }
        }
    }
    Ok(by_user)
}

/// Disables or re-enables a user. Disabling ends every session at once.
pub async fn set_status(tx: &mut WriteTx, actor: &Actor, user_id: &str, active: bool) -> AppResult<()> {
    let status = if active { "active" } else { "disabled" };
    let result = sqlx::query("UPDATE portal_users SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut ***tx)
        .await?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    if !active {
        sessions::revoke_all(tx, user_id, None).await?;
    }
    audit::record(tx, actor, &format!("portal_user.{status}"), "portal_user", Some(user_id), json!({})).await?;
    Ok(())
}

/// Removes a grant. A user left without grants loses every session at once.
pub async fn remove_grant(tx: &mut WriteTx, actor: &Actor, grant_id: &str) -> AppResult<()> {
    let row: Option<(String,)> = sqlx::query_as("SELECT portal_user_id FROM portal_grants WHERE id = $1")
        .bind(grant_id)
        .fetch_optional(&mut ***tx)
        .await?;
    let (user_id,) = row.ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM portal_grant_locations WHERE grant_id = $1").bind(grant_id).execute(&mut ***tx).await?;
    sqlx::query("DELETE FROM portal_grants WHERE id = $1").bind(grant_id).execute(&mut ***tx).await?;
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM portal_grants WHERE portal_user_id = $1")
        .bind(&user_id)
        .fetch_one(&mut ***tx)
        .await?;
    if left == 0 {
        sessions::revoke_all(tx, &user_id, None).await?;
    }
    audit::record(tx, actor, "portal_grant.remove", "portal_user", Some(&user_id), json!({ "grant_id": grant_id }))
        .await?;
    Ok(())
}

/// Changes the password after checking the current one; ends every other session.
pub async fn change_password(
    tx: &mut WriteTx,
    user: &PortalUser,
    session_id: &str,
    new_password: &str,
) -> AppResult<()> {
    if let Some(problem) = password::problem(new_password, &[&user.email, &user.display_name]) {
        return Err(AppError::field("new_password", problem));
    }
    sqlx::query("UPDATE portal_users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password::hash(new_password))
        .bind(now_ms())
        .bind(&user.id)
        .execute(&mut ***tx)
        .await?;
    sessions::revoke_all(tx, &user.id, Some(session_id)).await?;
    let actor = Actor::PortalUser { id: user.id.clone(), label: user.email.clone() };
    audit::record(tx, &actor, "portal_user.password_change", "portal_user", Some(&user.id), json!({})).await?;
    Ok(())
}

/// A portal user as staff see them in the access list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalUserSummary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub status: String,
    pub last_sign_in_at: Option<i64>,
    pub updated_at: i64,
    pub contact_id: String,
    pub customer_id: String,
    pub customer: String,
}

const SUMMARY_SELECT: &str = "SELECT u.id, u.email, u.display_name, u.status, u.last_sign_in_at, u.updated_at, \
     u.contact_id, c.customer_id, cu.name AS customer \
     FROM portal_users u JOIN contacts c ON c.id = u.contact_id JOIN customers cu ON cu.id = c.customer_id";

/// Every portal user, by customer and name.
pub async fn list_users(db: &Db) -> Result<Vec<PortalUserSummary>, sqlx::Error> {
    sqlx::query_as(&format!("{SUMMARY_SELECT} ORDER BY cu.name, u.display_name")).fetch_all(&db.pool).await
}

pub async fn user_summary(db: &Db, id: &str) -> AppResult<PortalUserSummary> {
    super::query::one(&db.pool, &format!("{SUMMARY_SELECT} WHERE u.id = $1"), id).await
}

/// Replaces a user's grant on their contact's customer: the whole customer (no
/// locations) or exactly `location_ids`. Takes effect on the user's next request.
pub async fn replace_grant(
    tx: &mut WriteTx,
    actor: &Actor,
    user_id: &str,
    location_ids: &[String],
    can_download: bool,
) -> AppResult<()> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT c.customer_id FROM portal_users u JOIN contacts c ON c.id = u.contact_id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut ***tx)
    .await?;
    let (customer_id,) = row.ok_or(AppError::NotFound)?;
    let mut fields = crate::domain::validate::Fields::new();
    for (i, location_id) in location_ids.iter().enumerate() {
        match super::locations::get(&mut ***tx, location_id).await {
            Ok(location) if location.customer_id == customer_id => {}
            Ok(_) => fields.error(&format!("location_ids[{i}]"), "belongs to another customer"),
            Err(AppError::NotFound) => fields.error(&format!("location_ids[{i}]"), "no location with this id"),
            Err(other) => return Err(other),
        }
    }
    fields.finish()?;
    let grants: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM portal_grants WHERE portal_user_id = $1 AND customer_id = $2")
            .bind(user_id)
            .bind(&customer_id)
            .fetch_all(&mut ***tx)
            .await?;
    for (grant_id,) in &grants {
        sqlx::query("DELETE FROM portal_grant_locations WHERE grant_id = $1")
            .bind(grant_id)
            .execute(&mut ***tx)
            .await?;
        sqlx::query("DELETE FROM portal_grants WHERE id = $1").bind(grant_id).execute(&mut ***tx).await?;
    }
    let ids: Vec<&str> = location_ids.iter().map(String::as_str).collect();
    let coverage = if ids.is_empty() { Coverage::WholeCustomer } else { Coverage::Locations(&ids) };
    add_grant(tx, user_id, &customer_id, coverage, can_download).await?;
    sqlx::query("UPDATE portal_users SET updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut ***tx)
        .await?;
    let details = json!({ "customer_id": customer_id, "location_ids": location_ids, "can_download": can_download });
    audit::record(tx, actor, "portal_grant.replace", "portal_user", Some(user_id), details).await?;
    Ok(())
}

/// Signs a user out of every device.
pub async fn sign_out_everywhere(tx: &mut WriteTx, actor: &Actor, user_id: &str) -> AppResult<u64> {
    let ended = sessions::revoke_all(tx, user_id, None).await?;
    audit::record(
        tx,
        actor,
        "portal_user.sign_out_everywhere",
        "portal_user",
        Some(user_id),
        json!({ "ended": ended }),
    )
    .await?;
    Ok(ended)
}
