//! A customer admin's colleagues: the portal users of the admin's customer whose
//! grants lie within the admin's own (`Scope::holds`), and the invitations for them.
//! Every read and change a customer admin makes goes through `Admin`, so whatever lies
//! outside their grants answers exactly like an id that does not exist.

use portal_types::{
    ColleagueGrant, ColleagueInvitationDelivery, ColleagueInvitationView, ColleagueView, NewColleagueInvitation,
};

use super::audit::Actor;
use super::contacts::{self, Contact, NewContact};
use super::invitations::{self, Invitation, InvitationDelivery, IssuedInvitation};
use super::locations;
use super::portal_access::{self, grants_json, read_grants};
use super::time::Timestamp;
use crate::domain::scope::{Grant, Scope};
use crate::domain::validate::{Fields, MAX_LINE};
use crate::error::{AppError, AppResult};
use crate::storage::{now_ms, Db, WriteTx};

/// A signed-in customer admin: who they are, their customer and their scope.
#[derive(Debug, Clone)]
pub struct Admin {
    pub user_id: String,
    pub customer_id: String,
    pub scope: Scope,
}

impl Admin {
    /// The admin for a portal user who is one, with the scope of this request.
    pub async fn of(db: &Db, user_id: &str, scope: &Scope) -> AppResult<Self> {
        let (customer_id,): (String,) = sqlx::query_as(
            "SELECT c.customer_id FROM portal_users u JOIN contacts c ON c.id = u.contact_id WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
        Ok(Admin { user_id: user_id.to_string(), customer_id, scope: scope.clone() })
    }

    /// Whether a colleague holding `grants` of this customer is one the admin manages:
    /// the admin themselves, or someone whose every grant lies within the admin's.
    fn manages(&self, user_id: &str, grants: &[Grant]) -> bool {
        user_id == self.user_id || self.scope.holds_all(grants)
    }

    /// Whether an invitation is one the admin manages: for their customer and with a
    /// grant within theirs.
    fn manages_invitation(&self, invitation: &Invitation) -> bool {
        invitation.customer_id == self.customer_id
            && self.scope.holds(&Grant {
                customer_id: invitation.customer_id.clone(),
                whole_customer: invitation.whole_customer,
                location_ids: invitation.location_ids.clone(),
                can_download: invitation.can_download,
            })
    }
}

/// A portal user of the customer with their grants, as stored.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    display_name: String,
    email: String,
    status: String,
    customer_admin: i64,
    last_sign_in_at: Option<i64>,
    grants: String,
}

impl UserRow {
    fn view(self, admin: &Admin, grants: Vec<Grant>) -> ColleagueView {
        ColleagueView {
            is_you: self.id == admin.user_id,
            customer_admin: self.customer_admin != 0,
            grants: grants
                .into_iter()
                .filter(|g| g.customer_id == admin.customer_id)
                .map(|g| ColleagueGrant {
                    whole_customer: g.whole_customer,
                    location_ids: g.location_ids,
                    can_download: g.can_download,
                })
                .collect(),
            last_sign_in_at: self.last_sign_in_at.map(|at| Timestamp(at).rfc3339()),
            id: self.id,
            display_name: self.display_name,
            email: self.email,
            status: self.status,
        }
    }
}

/// Every colleague the admin manages, by id; `only` narrows the read to one user.
async fn managed(db: &Db, admin: &Admin, only: Option<&str>) -> AppResult<Vec<ColleagueView>> {
    let mut sql = format!(
        "SELECT u.id, u.display_name, u.email, u.status, u.customer_admin, u.last_sign_in_at, {} AS grants
         FROM portal_users u JOIN contacts c ON c.id = u.contact_id WHERE c.customer_id = $1",
        grants_json(db.backend, "u.id")
    );
    if only.is_some() {
        sql.push_str(" AND u.id = $2");
    }
    sql.push_str(" ORDER BY u.id");
    let mut query = sqlx::query_as::<_, UserRow>(&sql).bind(admin.customer_id.clone());
    if let Some(id) = only {
        query = query.bind(id.to_string());
    }
    let mut colleagues = Vec::new();
    for row in query.fetch_all(&db.pool).await? {
        let grants = read_grants(&row.grants)?;
        if admin.manages(&row.id, &grants) {
            colleagues.push(row.view(admin, grants));
        }
    }
    Ok(colleagues)
}

/// A page of the admin's colleagues in id order: at most `limit + 1` after `after`.
pub async fn list(db: &Db, admin: &Admin, after: Option<&str>, limit: usize) -> AppResult<Vec<ColleagueView>> {
    let mut colleagues = managed(db, admin, None).await?;
    colleagues.retain(|c| after.is_none_or(|after| c.id.as_str() > after));
    colleagues.truncate(limit + 1);
    Ok(colleagues)
}

/// The ids of every user whose access log the admin reads: themselves and their colleagues.
pub async fn ids(db: &Db, admin: &Admin) -> AppResult<Vec<String>> {
    Ok(managed(db, admin, None).await?.into_iter().map(|c| c.id).collect())
}

/// One colleague the admin manages; anyone else is "not found".
pub async fn get(db: &Db, admin: &Admin, id: &str) -> AppResult<ColleagueView> {
    managed(db, admin, Some(id)).await?.into_iter().next().ok_or(AppError::NotFound)
}

/// Disables or re-enables a colleague the admin manages. Disabling ends their sessions
/// at once; an admin cannot disable themselves.
pub async fn set_active(
    tx: &mut WriteTx,
    db: &Db,
    admin: &Admin,
    actor: &Actor,
    id: &str,
    active: bool,
) -> AppResult<()> {
    let colleague = get(db, admin, id).await?;
    if colleague.is_you {
        return Err(AppError::Conflict("you cannot disable or enable your own access".into()));
    }
    portal_access::set_status(tx, actor, id, active).await
}

/// Invites a colleague with a grant within the admin's own. A location that does not
/// exist, belongs to another customer or lies outside the admin's grants is "not
/// found"; a grant wider than the admin's in any other way (the whole customer, or
/// downloads the admin may not make) is refused field by field. Nothing is written
/// unless every check passes.
pub async fn invite(
    tx: &mut WriteTx,
    admin: &Admin,
    actor: &Actor,
    input: NewColleagueInvitation,
) -> AppResult<IssuedInvitation> {
    let mut location_ids = input.location_ids.clone();
    location_ids.sort();
    location_ids.dedup();
    for location_id in &location_ids {
        match locations::get(&mut ***tx, location_id).await {
            Ok(location)
                if location.customer_id == admin.customer_id
                    && admin.scope.covers(&location.customer_id, &location.id) => {}
            Ok(_) | Err(AppError::NotFound) => return Err(AppError::NotFound),
            Err(other) => return Err(other),
        }
    }
    let mut fields = Fields::new();
    let name = fields.text("name", &input.name, MAX_LINE);
    let email = fields.email("email", &input.email);
    let grant = Grant {
        customer_id: admin.customer_id.clone(),
        whole_customer: location_ids.is_empty(),
        location_ids: location_ids.clone(),
        can_download: input.can_download,
    };
    if !admin.scope.holds(&grant) {
        if grant.whole_customer && !admin.scope.customers.contains(&admin.customer_id) {
            fields.error("location_ids", "pick at least one of your locations: you may not grant the whole customer");
        } else {
            fields.error("can_download", "you may not allow downloads where you cannot download yourself");
        }
    }
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM portal_users WHERE email = $1").bind(&email).fetch_optional(&mut ***tx).await?;
    if taken.is_some() {
        fields.error("email", "this address already has portal access");
    }
    fields.finish()?;
    let contact = contact_for(tx, admin, actor, &name, &email).await?;
    let grant = invitations::Grant {
        location_ids,
        can_download: input.can_download,
        valid_days: invitations::DEFAULT_VALID_DAYS,
    };
    invitations::issue(tx, actor, &contact, grant, false).await
}

/// The contact of the admin's customer with this address, or a new one.
async fn contact_for(tx: &mut WriteTx, admin: &Admin, actor: &Actor, name: &str, email: &str) -> AppResult<Contact> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM contacts WHERE customer_id = $1 AND LOWER(email) = $2 ORDER BY id LIMIT 1")
            .bind(&admin.customer_id)
            .bind(email)
            .fetch_optional(&mut ***tx)
            .await?;
    match found {
        Some((id,)) => contacts::get(&mut ***tx, &id).await,
        None => {
            let input = NewContact {
                customer_id: admin.customer_id.clone(),
                name: name.to_string(),
                email: email.to_string(),
                phone: String::new(),
                job_title: String::new(),
            };
            contacts::create(tx, actor, input).await
        }
    }
}

/// The pending invitations the admin manages, oldest first.
pub async fn pending(db: &Db, admin: &Admin) -> AppResult<Vec<ColleagueInvitationView>> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM portal_invitations WHERE customer_id = $1 AND status = 'pending' ORDER BY id")
            .bind(&admin.customer_id)
            .fetch_all(&db.pool)
            .await?;
    let mut conn = db.pool.acquire().await?;
    let mut views = Vec::new();
    for (id,) in ids {
        let invitation = invitations::get(&mut conn, &id).await?;
        if admin.manages_invitation(&invitation) {
            views.push(invitation_view(&mut conn, invitation).await?);
        }
    }
    Ok(views)
}

/// An invitation the admin manages; any other is "not found".
async fn managed_invitation(tx: &mut WriteTx, admin: &Admin, id: &str) -> AppResult<Invitation> {
    let invitation = invitations::get(tx, id).await?;
    if admin.manages_invitation(&invitation) {
        Ok(invitation)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn resend(tx: &mut WriteTx, admin: &Admin, actor: &Actor, id: &str) -> AppResult<IssuedInvitation> {
    managed_invitation(tx, admin, id).await?;
    invitations::resend(tx, actor, id).await
}

pub async fn revoke(tx: &mut WriteTx, admin: &Admin, actor: &Actor, id: &str) -> AppResult<ColleagueInvitationView> {
    managed_invitation(tx, admin, id).await?;
    let invitation = invitations::revoke(tx, actor, id).await?;
    invitation_view(tx, invitation).await
}

/// The portal's view of an invitation, named after its contact.
pub async fn invitation_view(
    conn: &mut sqlx::AnyConnection,
    invitation: Invitation,
) -> AppResult<ColleagueInvitationView> {
    let contact = contacts::get(&mut *conn, &invitation.contact_id).await?;
    let status = if invitation.status == "pending" && invitation.expires_at.0 <= now_ms() {
        "expired".to_string()
    } else {
        invitation.status
    };
    Ok(ColleagueInvitationView {
        id: invitation.id,
        name: contact.name,
        email: invitation.email,
        whole_customer: invitation.whole_customer,
        location_ids: invitation.location_ids,
        can_download: invitation.can_download,
        status,
        expires_at: invitation.expires_at.rfc3339(),
        created_at: invitation.created_at.rfc3339(),
    })
}

/// The portal's view of a delivered invitation.
pub async fn delivery_view(db: &Db, delivery: InvitationDelivery) -> AppResult<ColleagueInvitationDelivery> {
    let mut conn = db.pool.acquire().await?;
    Ok(ColleagueInvitationDelivery {
        invitation: invitation_view(&mut conn, delivery.invitation).await?,
        emailed: delivery.emailed,
        code: delivery.code,
        link: delivery.link,
    })
}

/// The page size asked for: `limit` 1–200, default 50, as every portal list.
pub fn page_limit(limit: Option<u32>) -> AppResult<usize> {
    let mut fields = Fields::new();
    let limit = crate::records::query::PageQuery { limit, ..Default::default() }.limit(&mut fields);
    fields.finish()?;
    Ok(limit as usize)
}
