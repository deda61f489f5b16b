//! Portal access: invite contacts with a grant, resend or revoke invitations, and
//! manage portal users (grants, disable/enable, sign out everywhere).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Staff;
use super::form::{begin_edit, field_errors, FormState, Posted};
use super::format;
use super::page::{done, render, render_status, AdminError, Chrome, Notice};
use crate::error::{AppError, FieldErrors};
use crate::extract::{ApiQuery, PageQuery, Path};
use crate::mail;
use crate::records::contacts::{self, Contact};
use crate::records::invitations::{self, InvitationDelivery, NewInvitation};
use crate::records::places::{self, Place};
use crate::records::portal_access::{self, PortalUserSummary};
use crate::state::AppState;
use crate::storage::now_ms;

/// An invitation or user with its grant spelled out.
pub struct AccessRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub customer: String,
    pub coverage: String,
    pub can_download: bool,
    pub when: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/access.html")]
struct AccessPage {
    c: Chrome,
    invitations: Vec<AccessRow>,
    users: Vec<AccessRow>,
}

fn coverage(c: &Chrome, places: &[Place], whole: bool, location_ids: &[String]) -> String {
    if whole {
        return c.t("access.whole_customer").to_string();
    }
    let names: Vec<&str> =
        places.iter().filter(|p| location_ids.contains(&p.location_id)).map(|p| p.location.as_str()).collect();
    names.join(", ")
}

pub async fn index(State(state): State<AppState>, staff: Staff) -> Result<Response, AdminError> {
    let c = staff.chrome("access");
    let places = places::all(&state.db).await?;
    let customer_of = |id: &str| places.iter().find(|p| p.customer_id == id).map(|p| p.customer.clone());
    let pending = PageQuery { status: Some("pending".into()), limit: Some(200), ..PageQuery::default() };
    let now = now_ms();
    let invitations = invitations::list(&state.db, &pending)
        .await?
        .items
        .into_iter()
        .map(|i| AccessRow {
            name: String::new(),
            customer: customer_of(&i.customer_id).unwrap_or_default(),
            coverage: coverage(&c, &places, i.whole_customer, &i.location_ids),
            can_download: i.can_download,
            when: format::utc(i.expires_at.0),
            status: if i.expires_at.0 <= now { "expired" } else { "pending" },
            email: i.email,
            id: i.id,
        })
        .collect();
    let mut users = Vec::new();
    for user in portal_access::list_users(&state.db).await? {
        let grants = portal_access::grants(&state.db, &user.id).await?;
        let coverage = grants
            .iter()
            .map(|g| coverage(&c, &places, g.whole_customer, &g.location_ids))
            .collect::<Vec<_>>()
            .join("; ");
        users.push(AccessRow {
            can_download: grants.iter().any(|g| g.can_download),
            when: user.last_sign_in_at.map(format::utc).unwrap_or_else(|| c.t("access.never").to_string()),
            status: if user.status == "active" { "active" } else { "disabled" },
            coverage,
            id: user.id,
            name: user.display_name,
            email: user.email,
            customer: user.customer,
        });
    }
    render(&AccessPage { c, invitations, users })
}

#[derive(Template)]
#[template(path = "admin/invite.html")]
struct InvitePage {
    c: Chrome,
    f: FormState,
    contacts: Vec<(Contact, String)>,
    places: Vec<Place>,
}

impl InvitePage {
    fn picked(&self, location_id: &str) -> bool {
        self.f.values.get("picked").is_some_and(|ids| ids.split(',').any(|id| id == location_id))
    }
}

async fn invite_page(state: &AppState, c: Chrome, f: FormState) -> Result<InvitePage, AdminError> {
    let places = places::all(&state.db).await?;
    let all = PageQuery { limit: Some(200), ..PageQuery::default() };
    let contacts = contacts::list(&state.db, &all)
        .await?
        .items
        .into_iter()
        .map(|contact| {
            let customer = places.iter().find(|p| p.customer_id == contact.customer_id).map(|p| p.customer.clone());
            (contact, customer.unwrap_or_default())
        })
        .collect();
    Ok(InvitePage { c, f, contacts, places })
}

pub async fn invite_form(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(query): ApiQuery<std::collections::HashMap<String, String>>,
) -> Result<Response, AdminError> {
    let contact = query.get("contact_id").cloned().unwrap_or_default();
    let f = FormState::from_pairs([("contact_id", contact), ("coverage", "whole".into()), ("valid_days", "7".into())]);
    render(&invite_page(&state, staff.chrome("access"), f).await?)
}

#[derive(Template)]
#[template(path = "admin/invitation_issued.html")]
struct IssuedPage {
    c: Chrome,
    delivery: InvitationDelivery,
}

pub async fn invite(State(state): State<AppState>, posted: Posted) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let whole = form.get("coverage") != "locations";
    let location_ids = if whole { Vec::new() } else { form.all("location_ids") };
    let mut errors = FieldErrors::new();
    if !whole && location_ids.is_empty() {
        errors.insert("location_ids".into(), staff.lang().t("access.pick_locations").into());
    }
    let valid_days = match form.get("valid_days").trim().parse::<i64>() {
        Ok(days) => Some(days),
        Err(_) => {
            errors.insert("valid_days".into(), staff.lang().t("form.whole_number").into());
            None
        }
    };
    let result = if errors.is_empty() {
        let input = NewInvitation {
            contact_id: form.get("contact_id").to_string(),
            location_ids,
            can_download: form.checked("can_download"),
            valid_days,
            customer_admin: form.checked("customer_admin"),
        };
        let mut tx = state.db.begin_write().await?;
        match invitations::create(&mut tx, &staff.actor(), input).await {
            Ok(issued) => {
                tx.commit().await?;
                Ok(issued)
            }
            Err(AppError::Conflict(message)) => Err(AppError::field("contact_id", message)),
            Err(err) => Err(err),
        }
    } else {
        Err(AppError::invalid(errors))
    };
    match result {
        Ok(issued) => {
            let delivery = mail::deliver(&state, issued).await?;
            render(&IssuedPage { c: staff.chrome("access"), delivery })
        }
        Err(err) => {
            let mut f = FormState::rejected(&form, field_errors(err)?);
            f.values.insert("picked".into(), form.all("location_ids").join(","));
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &invite_page(&state, staff.chrome("access"), f).await?)
        }
    }
}

pub async fn resend(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let mut tx = state.db.begin_write().await?;
    let issued = invitations::resend(&mut tx, &posted.staff.actor(), &id).await?;
    tx.commit().await?;
    let delivery = mail::deliver(&state, issued).await?;
    render(&IssuedPage { c: posted.staff.chrome("access"), delivery })
}

pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let mut tx = state.db.begin_write().await?;
    invitations::revoke(&mut tx, &posted.staff.actor(), &id).await?;
    tx.commit().await?;
    Ok(done("/admin/access", Notice::InvitationRevoked))
}

#[derive(Template)]
#[template(path = "admin/portal_user.html")]
struct UserPage {
    c: Chrome,
    user: PortalUserSummary,
    last_sign_in: String,
    f: FormState,
    places: Vec<Place>,
    granted: Vec<String>,
    whole: bool,
}

impl UserPage {
    fn is_granted(&self, location_id: &str) -> bool {
        self.granted.iter().any(|id| id == location_id)
    }
}

async fn user_page(state: &AppState, c: Chrome, id: &str, f: Option<FormState>) -> Result<UserPage, AdminError> {
    let user = portal_access::user_summary(&state.db, id).await?;
    let grants = portal_access::grants(&state.db, id).await?;
    let places: Vec<Place> =
        places::all(&state.db).await?.into_iter().filter(|p| p.customer_id == user.customer_id).collect();
    let grant = grants.iter().find(|g| g.customer_id == user.customer_id);
    let whole = grant.is_some_and(|g| g.whole_customer);
    let granted = grant.map(|g| g.location_ids.clone()).unwrap_or_default();
    let f = f.unwrap_or_else(|| {
        let can_download = if grant.is_some_and(|g| g.can_download) { "on" } else { "" };
        FormState::from_pairs([
            ("coverage", if whole { "whole" } else { "locations" }.to_string()),
            ("can_download", can_download.to_string()),
            ("updated_at", user.updated_at.to_string()),
        ])
    });
    let last_sign_in = user.last_sign_in_at.map(format::utc).unwrap_or_else(|| c.t("access.never").to_string());
    Ok(UserPage { c, user, last_sign_in, f, places, granted, whole })
}

pub async fn user(State(state): State<AppState>, Path(id): Path<String>, staff: Staff) -> Result<Response, AdminError> {
    render(&user_page(&state, staff.chrome("access"), &id, None).await?)
}

pub async fn update_grant(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let whole = form.get("coverage") != "locations";
    let location_ids = if whole { Vec::new() } else { form.all("location_ids") };
    let mut tx = begin_edit(&state, &form, "portal_users", &id).await?;
    let result = if !whole && location_ids.is_empty() {
        Err(AppError::field("location_ids", staff.lang().t("access.pick_locations")))
    } else {
        portal_access::replace_grant(&mut tx, &staff.actor(), &id, &location_ids, form.checked("can_download")).await
    };
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/portal-users/{id}"), Notice::GrantSaved))
        }
        Err(err) => {
            let f = FormState::rejected(&form, field_errors(err)?);
            let mut page = user_page(&state, staff.chrome("access"), &id, Some(f)).await?;
            page.granted = location_ids;
            page.whole = whole;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

pub async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let active = match posted.form.get("status") {
        "active" => true,
        "disabled" => false,
        _ => return Err(AppError::field("status", "must be active or disabled").into()),
    };
    let mut tx = state.db.begin_write().await?;
    portal_access::set_status(&mut tx, &posted.staff.actor(), &id, active).await?;
    tx.commit().await?;
    Ok(done(&format!("/admin/portal-users/{id}"), if active { Notice::UserEnabled } else { Notice::UserDisabled }))
}

/// Makes a portal user a customer admin, or takes it back.
pub async fn set_customer_admin(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let customer_admin = match posted.form.get("customer_admin") {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::field("customer_admin", posted.staff.lang().t("access.customer_admin_value")).into()),
    };
    let mut tx = state.db.begin_write().await?;
    portal_access::set_customer_admin(&mut tx, &posted.staff.actor(), &id, customer_admin).await?;
    tx.commit().await?;
    let notice = if customer_admin { Notice::CustomerAdminGranted } else { Notice::CustomerAdminRemoved };
    Ok(done(&format!("/admin/portal-users/{id}"), notice))
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    portal_access::user_summary(&state.db, &id).await?;
    let mut tx = state.db.begin_write().await?;
    portal_access::sign_out_everywhere(&mut tx, &posted.staff.actor(), &id).await?;
    tx.commit().await?;
    Ok(done(&format!("/admin/portal-users/{id}"), Notice::SignedOut))
}
