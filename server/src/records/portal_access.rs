//! Portal users and their grants. A grant covers a whole customer or chosen
//! locations of one customer, and says whether attachments may be downloaded.

use std::collections::HashMap;

use serde_json::json;

use super::audit::{self, Actor};
use super::query::json as sql_json;
use super::{sessions, IDS_PER_QUERY};
use crate::domain::password;
use crate::domain::scope::Grant;
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Backend, Db, WriteTx};
use portal_types::SessionEnd;

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
    /// 1 when staff made the user a customer admin (see `is_customer_admin`).
    pub customer_admin: i64,
}

impl PortalUser {
    /// Whether the user may manage colleagues within their grants and sees every
    /// request made there.
    pub fn is_customer_admin(&self) -> bool {
        self.customer_admin != 0
    }
}

const USER_SELECT: &str =
    "SELECT id, email, display_name, password_hash, status, language, customer_admin FROM portal_users";

pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<PortalUser>, sqlx::Error> {
    sqlx::query_as(&format!("{USER_SELECT} WHERE email = $1"))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&db.pool)
        .await
}

pub async fn user_by_id(db: &Db, id: &str) -> Result<Option<PortalUser>, sqlx::Error> {
    sqlx::query_as(&format!("{USER_SELECT} WHERE id = $1")).bind(id).fetch_optional(&db.pool).await
}

/// The grants of a user, with the locations of location grants, in one query.
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
            "SELECT u.id, {} FROM portal_users u WHERE u.id IN ({})",
            grants_json(db.backend, "u.id"),
            list.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for id in chunk {
            query = query.bind(id.clone());
        }
        for (user_id, grants) in query.fetch_all(&db.pool).await? {
            let grants = read_grants(&grants)?;
            if !grants.is_empty() {
                by_user.insert(user_id, grants);
            }
        }
    }
    Ok(by_user)
}

/// A column holding, as JSON text, the grants of the user whose id is `user_id` (a
/// column of the enclosing query), each with the locations it names that belong to
/// its customer. Every read of grants goes through it, sign-in checks included, so
/// every portal request reads its session and its scope in one query.
pub(super) fn grants_json(backend: Backend, user_id: &str) -> String {
    let locations = sql_json::array(
        backend,
        "l.id",
        "FROM portal_grant_locations gl JOIN locations l ON l.id = gl.location_id AND l.customer_id = g.customer_id
         WHERE gl.grant_id = g.id",
        "ORDER BY l.id",
    );
    let grant = sql_json::object(
        backend,
        &[
            ("customer_id", "g.customer_id"),
            ("whole_customer", "g.whole_customer"),
            ("can_download", "g.can_download"),
            ("location_ids", &sql_json::nestable(backend, &locations)),
        ],
    );
    let from = format!("FROM portal_grants g WHERE g.portal_user_id = {user_id}");
    sql_json::text(backend, &sql_json::array(backend, &grant, &from, "ORDER BY g.id"))
}

/// A grant as `grants_json` builds it.
#[derive(serde::Deserialize)]
pub(super) struct StoredGrant {
    customer_id: String,
    whole_customer: i64,
    can_download: i64,
    location_ids: Vec<String>,
}

impl From<StoredGrant> for Grant {
    fn from(g: StoredGrant) -> Self {
        Grant {
            customer_id: g.customer_id,
            whole_customer: g.whole_customer != 0,
            can_download: g.can_download != 0,
            location_ids: g.location_ids,
        }
    }
}

/// Reads what `grants_json` built.
pub(super) fn read_grants(text: &str) -> Result<Vec<Grant>, sqlx::Error> {
    let stored: Vec<StoredGrant> = serde_json::from_str(text).map_err(|err| sqlx::Error::Decode(err.into()))?;
    Ok(stored.into_iter().map(Grant::from).collect())
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
        sessions::revoke_all(tx, user_id, None, SessionEnd::Disabled).await?;
    }
    audit::record(tx, actor, &format!("portal_user.{status}"), "portal_user", Some(user_id), json!({})).await?;
    Ok(())
}

/// Makes a user a customer admin or takes it back; takes effect on their next request.
pub async fn set_customer_admin(tx: &mut WriteTx, actor: &Actor, user_id: &str, customer_admin: bool) -> AppResult<()> {
    let result = sqlx::query("UPDATE portal_users SET customer_admin = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(customer_admin))
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut ***tx)
        .await?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let details = json!({ "customer_admin": customer_admin });
    audit::record(tx, actor, "portal_user.customer_admin", "portal_user", Some(user_id), details).await?;
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
        sessions::revoke_all(tx, &user_id, None, SessionEnd::AccessRemoved).await?;
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
    sessions::revoke_all(tx, &user.id, Some(session_id), SessionEnd::PasswordChanged).await?;
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
    pub customer_admin: i64,
}

const SUMMARY_SELECT: &str = "SELECT u.id, u.email, u.display_name, u.status, u.last_sign_in_at, u.updated_at, \
     u.contact_id, c.customer_id, cu.name AS customer, u.customer_admin \
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
    let ended = sessions::revoke_all(tx, user_id, None, SessionEnd::SignedOutByStaff).await?;
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
