//! Portal invitations: staff invite a contact with a grant; the contact accepts with
//! the code (128 bits, stored hashed, single use, 7 days by default) and becomes a
//! portal user holding that grant.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use utoipa::ToSchema;

use super::audit::{self, Actor};
use super::portal_access::{self, Coverage, NewPortalUser};
use super::query::{self, flag, HasId, ListSpec};
use super::query::{Page, PageQuery};
use super::time::Timestamp;
use super::{contacts, locations};
use crate::domain::lifecycle::InvitationStatus;
use crate::domain::validate::{Fields, MAX_LINE};
use crate::domain::{password, tokens};
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

pub const DEFAULT_VALID_DAYS: i64 = 7;
const DAY_MS: i64 = 24 * 3600 * 1000;
pub const CODE_PREFIX: &str = "inv_";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Invitation {
    pub id: String,
    pub contact_id: String,
    /// The address the current code was sent to; a resend uses the contact's current one.
    pub email: String,
    pub customer_id: String,
    pub whole_customer: bool,
    pub location_ids: Vec<String>,
    pub can_download: bool,
    /// Whether the user it creates is a customer admin.
    pub customer_admin: bool,
    /// `pending`, `accepted` or `revoked`; a pending invitation past `expires_at` has expired.
    pub status: String,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl HasId for Invitation {
    fn id(&self) -> &str {
        &self.id
    }
}

impl FromRow<'_, AnyRow> for Invitation {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            contact_id: row.try_get("contact_id")?,
            email: row.try_get("email")?,
            customer_id: row.try_get("customer_id")?,
            whole_customer: flag(row, "whole_customer")?,
            location_ids: Vec::new(),
            can_download: flag(row, "can_download")?,
            customer_admin: flag(row, "customer_admin")?,
            status: row.try_get("status")?,
            expires_at: row.try_get("expires_at")?,
            accepted_at: row.try_get("accepted_at")?,
            revoked_at: row.try_get("revoked_at")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A new invitation with its code, before delivery.
#[derive(Debug)]
pub struct IssuedInvitation {
    pub invitation: Invitation,
    pub code: String,
    pub link: String,
}

/// What the inviting staff member gets back: the code and link only when they
/// were not e-mailed, and only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDelivery {
    pub invitation: Invitation,
    /// True when the invitation was e-mailed to the contact.
    pub emailed: bool,
    /// The plain code, when it was not e-mailed; hand it to the contact yourself.
    pub code: Option<String>,
    /// `ordinavo://invite/<code>`, when it was not e-mailed.
    pub link: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub contact_id: String,
    /// Locations to grant; empty or absent grants the whole customer.
    #[serde(default)]
    pub location_ids: Vec<String>,
    #[serde(default)]
    pub can_download: bool,
    /// Days until the code expires (1–30, default 7).
    pub valid_days: Option<i64>,
    /// Make the user a customer admin: they may invite, disable and re-enable
    /// colleagues within their own grants, and see every request made there.
    #[serde(default)]
    pub customer_admin: bool,
}

const SELECT: &str =
    "SELECT i.id, i.contact_id, i.email, i.customer_id, i.whole_customer, i.can_download, i.customer_admin, i.status, \
     i.expires_at, i.accepted_at, i.revoked_at, i.created_at FROM portal_invitations i";

pub async fn list(db: &Db, query: &PageQuery) -> AppResult<Page<Invitation>> {
    let spec = ListSpec {
        alias: "i",
        customer_column: Some("i.customer_id"),
        status_column: Some("i.status"),
        statuses: InvitationStatus::NAMES,
        ..ListSpec::default()
    };
    let mut page: Page<Invitation> = query::list(db, SELECT, spec, query).await?;
    for invitation in &mut page.items {
        invitation.location_ids = location_ids(&db.pool, &invitation.id).await?;
    }
    Ok(page)
}

pub async fn get(conn: &mut sqlx::AnyConnection, id: &str) -> AppResult<Invitation> {
    let mut invitation: Invitation = query::one(&mut *conn, &format!("{SELECT} WHERE i.id = $1"), id).await?;
    invitation.location_ids = location_ids(&mut *conn, id).await?;
    Ok(invitation)
}

async fn location_ids<'c>(executor: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> AppResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT location_id FROM portal_invitation_locations WHERE invitation_id = $1 ORDER BY location_id",
    )
    .bind(id)
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

fn link(code: &str) -> String {
    format!("ordinavo://invite/{code}")
}

/// Invites a contact. A contact who already has portal access cannot be invited again.
pub async fn create(tx: &mut WriteTx, actor: &Actor, input: NewInvitation) -> AppResult<IssuedInvitation> {
    let contact =
        contacts::get(&mut ***tx, &input.contact_id).await.map_err(|err| err.for_field("contact_id", "contact"))?;
    let mut fields = Fields::new();
    let valid_days = input.valid_days.unwrap_or(DEFAULT_VALID_DAYS);
    if !(1..=30).contains(&valid_days) {
        fields.error("valid_days", "must be between 1 and 30");
    }
    for (i, location_id) in input.location_ids.iter().enumerate() {
        match locations::get(&mut ***tx, location_id).await {
            Ok(location) if location.customer_id == contact.customer_id => {}
            Ok(_) => fields.error(&format!("location_ids[{i}]"), "belongs to another customer"),
            Err(AppError::NotFound) => fields.error(&format!("location_ids[{i}]"), "no location with this id"),
            Err(other) => return Err(other),
        }
    }
    fields.finish()?;
    let grant = Grant { location_ids: input.location_ids, can_download: input.can_download, valid_days };
    issue(tx, actor, &contact, grant, input.customer_admin).await
}

/// What an invitation grants: the locations (none: the whole customer), downloads and
/// how many days its code is valid.
pub struct Grant {
    pub location_ids: Vec<String>,
    pub can_download: bool,
    pub valid_days: i64,
}

/// Stores an invitation of `contact` with `grant`, already checked by the caller. A
/// contact who already has portal access cannot be invited again. The audit log names
/// who invited (staff or a customer admin) and whom.
pub async fn issue(
    tx: &mut WriteTx,
    actor: &Actor,
    contact: &contacts::Contact,
    grant: Grant,
    customer_admin: bool,
) -> AppResult<IssuedInvitation> {
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM portal_users WHERE contact_id = $1")
        .bind(&contact.id)
        .fetch_one(&mut ***tx)
        .await?;
    if existing > 0 {
        return Err(AppError::Conflict("this contact already has portal access; edit their grants instead".into()));
    }
    let code = tokens::generate(CODE_PREFIX, 16);
    let id = new_id();
    let now = now_ms();
    let mut location_ids = grant.location_ids;
    location_ids.sort();
    location_ids.dedup();
    let (invited_by, invited_by_portal_user) = match actor {
        Actor::Staff { id, .. } => (Some(id.clone()), None),
        Actor::PortalUser { id, .. } => (None, Some(id.clone())),
        _ => (None, None),
    };
    sqlx::query(
        "INSERT INTO portal_invitations (id, contact_id, email, token_hash, customer_id, whole_customer, can_download,
             customer_admin, status, expires_at, invited_by, invited_by_portal_user, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(&contact.id)
    .bind(&contact.email)
    .bind(tokens::hash(&code))
    .bind(&contact.customer_id)
    .bind(i64::from(location_ids.is_empty()))
    .bind(i64::from(grant.can_download))
    .bind(i64::from(customer_admin))
    .bind(now + grant.valid_days * DAY_MS)
    .bind(invited_by)
    .bind(invited_by_portal_user)
    .bind(now)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    for location_id in &location_ids {
        sqlx::query("INSERT INTO portal_invitation_locations (invitation_id, location_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(location_id)
            .execute(&mut ***tx)
            .await?;
    }
    let details = json!({
        "contact_id": contact.id,
        "email": contact.email,
        "location_ids": location_ids,
        "can_download": grant.can_download,
        "customer_admin": customer_admin,
    });
    audit::record(tx, actor, "invitation.create", "portal_invitation", Some(&id), details).await?;
    let invitation = get(tx, &id).await?;
    Ok(IssuedInvitation { invitation, link: link(&code), code })
}

/// Issues a new code for a pending invitation (the old code stops working) and restarts
/// its validity. The code goes to the contact's current address, which becomes the
/// invitation's address.
pub async fn resend(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<IssuedInvitation> {
    let invitation = get(tx, id).await?;
    if InvitationStatus::parse(&invitation.status) != Some(InvitationStatus::Pending) {
        return Err(AppError::Conflict(format!("the invitation is {}", invitation.status)));
    }
    let contact = contacts::get(&mut ***tx, &invitation.contact_id).await?;
    let code = tokens::generate(CODE_PREFIX, 16);
    let now = now_ms();
    sqlx::query(
        "UPDATE portal_invitations SET token_hash = $1, email = $2, expires_at = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(tokens::hash(&code))
    .bind(&contact.email)
    .bind(now + DEFAULT_VALID_DAYS * DAY_MS)
    .bind(now)
    .bind(id)
    .execute(&mut ***tx)
    .await?;
    audit::record(tx, actor, "invitation.resend", "portal_invitation", Some(id), json!({})).await?;
    let invitation = get(tx, id).await?;
    Ok(IssuedInvitation { invitation, link: link(&code), code })
}

pub async fn revoke(tx: &mut WriteTx, actor: &Actor, id: &str) -> AppResult<Invitation> {
    let invitation = get(tx, id).await?;
    if InvitationStatus::parse(&invitation.status) != Some(InvitationStatus::Pending) {
        return Err(AppError::Conflict(format!("the invitation is {}", invitation.status)));
    }
    let now = now_ms();
    sqlx::query("UPDATE portal_invitations SET status = 'revoked', revoked_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut ***tx)
        .await?;
    audit::record(tx, actor, "invitation.revoke", "portal_invitation", Some(id), json!({})).await?;
    get(tx, id).await
}

/// Accepts an invitation: creates the portal user with the invited grant. Returns the user id.
/// Unknown codes are 404; used, revoked and expired ones are 410.
pub async fn accept(tx: &mut WriteTx, code: &str, display_name: &str, new_password: &str) -> AppResult<String> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM portal_invitations WHERE token_hash = $1")
        .bind(tokens::hash(code.trim()))
        .fetch_optional(&mut ***tx)
        .await?;
    let Some((id,)) = row else {
        return Err(AppError::NotFound);
    };
    let invitation = get(tx, &id).await?;
    match InvitationStatus::parse(&invitation.status) {
        Some(InvitationStatus::Accepted) => {
            return Err(AppError::Gone("this invitation has already been used; sign in instead".into()))
        }
        Some(InvitationStatus::Revoked) => {
            return Err(AppError::Gone("this invitation was withdrawn; ask for a new one".into()))
        }
        _ if invitation.expires_at.0 <= now_ms() => {
            return Err(AppError::Gone("this invitation has expired; ask for a new one".into()))
        }
        _ => {}
    }
    // A code belongs to the address it was sent to: once the contact's address is
    // corrected, only a code resent to the new address can become a login.
    let contact = contacts::get(&mut ***tx, &invitation.contact_id).await?;
    if !contact.email.eq_ignore_ascii_case(&invitation.email) {
        return Err(AppError::Gone(
            "this code was sent to an e-mail address that has since changed; ask for a new invitation".into(),
        ));
    }
    let mut fields = Fields::new();
    let display_name = fields.text("display_name", display_name, MAX_LINE);
    if let Some(problem) = password::problem(new_password, &[&invitation.email, &display_name]) {
        fields.error("password", problem);
    }
    fields.finish()?;
    // Claim the invitation first: of two concurrent acceptances, only one updates the row.
    let claimed = sqlx::query(
        "UPDATE portal_invitations SET status = 'accepted', accepted_at = $1, updated_at = $1
         WHERE id = $2 AND status = 'pending'",
    )
    .bind(now_ms())
    .bind(&id)
    .execute(&mut ***tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(AppError::Gone("this invitation has already been used; sign in instead".into()));
    }
    let user_id = portal_access::create_user(
        tx,
        NewPortalUser {
            contact_id: &invitation.contact_id,
            email: &invitation.email,
            display_name: &display_name,
            password: new_password,
            language: "en",
        },
    )
    .await
    .map_err(|err| match AppError::from(err) {
        AppError::Conflict(_) => AppError::Conflict("a portal user with this e-mail address already exists".into()),
        other => other,
    })?;
    let location_refs: Vec<&str> = invitation.location_ids.iter().map(String::as_str).collect();
    let coverage =
        if invitation.whole_customer { Coverage::WholeCustomer } else { Coverage::Locations(&location_refs) };
    portal_access::add_grant(tx, &user_id, &invitation.customer_id, coverage, invitation.can_download).await?;
    if invitation.customer_admin {
        sqlx::query("UPDATE portal_users SET customer_admin = 1 WHERE id = $1")
            .bind(&user_id)
            .execute(&mut ***tx)
            .await?;
    }
    let actor = Actor::PortalUser { id: user_id.clone(), label: invitation.email.clone() };
    audit::record(tx, &actor, "invitation.accept", "portal_invitation", Some(&id), json!({})).await?;
    Ok(user_id)
}
