//! Customers, their locations (with a time zone picker) and their contacts: list
//! with search, create and edit.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Staff;
use super::form::{begin_edit, field_errors, FormData, FormState, Posted};
use super::page::{done, render, render_status, AdminError, Chrome, Notice};
use crate::error::AppError;
use crate::extract::{ApiQuery, Path};
use crate::records::contacts::{self, Contact, ContactPatch, NewContact};
use crate::records::customers::{self, Customer, CustomerPatch, NewCustomer};
use crate::records::locations::{self, Location, LocationPatch, NewLocation};
use crate::state::AppState;
use crate::storage::WriteTx;

#[derive(serde::Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "admin/customers.html")]
struct CustomersPage {
    c: Chrome,
    q: String,
    customers: Vec<Customer>,
    f: FormState,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    ApiQuery(search): ApiQuery<Search>,
) -> Result<Response, AdminError> {
    let customers = customers::search(&state.db, &search.q).await?;
    render(&CustomersPage { c: staff.chrome("customers"), q: search.q, customers, f: FormState::default() })
}

pub async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let input = NewCustomer {
        name: form.get("name").to_string(),
        segment: form.get("segment").to_string(),
        external_ref: None,
    };
    let mut tx = state.db.begin_write().await?;
    match customers::create(&mut tx, &staff.actor(), input).await {
        Ok(customer) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/customers/{}", customer.id), Notice::Created))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            let customers = customers::search(&state.db, "").await?;
            let page = CustomersPage { c: staff.chrome("customers"), q: String::new(), customers, f };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "admin/customer.html")]
struct CustomerPage {
    c: Chrome,
    customer: Customer,
    locations: Vec<Location>,
    contacts: Vec<Contact>,
    f: FormState,
}

impl CustomerPage {
    /// The customer form's field: re-shown input, else the stored value.
    fn cv(&self, name: &str) -> String {
        if self.f.on("customer") {
            return self.f.v(name).to_string();
        }
        match name {
            "name" => self.customer.name.clone(),
            "segment" => self.customer.segment.clone(),
            "external_ref" => self.customer.external_ref.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

async fn customer_page(state: &AppState, c: Chrome, id: &str, f: FormState) -> Result<CustomerPage, AdminError> {
    let customer = customers::get(&state.db.pool, id).await?;
    let locations = locations::of_customer(&state.db, id).await?;
    let contacts = contacts::of_customer(&state.db, id).await?;
    Ok(CustomerPage { c, customer, locations, contacts, f })
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>, staff: Staff) -> Result<Response, AdminError> {
    render(&customer_page(&state, staff.chrome("customers"), &id, FormState::default()).await?)
}

/// Commits and goes back to the customer, or re-shows its page with the form's errors.
async fn finish<T>(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form: &FormData,
    tx: WriteTx,
    result: Result<T, AppError>,
) -> Result<Response, AdminError> {
    match result {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/customers/{id}"), Notice::Saved))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(form, field_errors(err)?);
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &customer_page(state, staff.chrome("customers"), id, f).await?,
            )
        }
    }
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let mut tx = begin_edit(&state, &form, "customers", &id).await?;
    let patch = CustomerPatch {
        name: Some(form.get("name").to_string()),
        segment: Some(form.get("segment").to_string()),
        external_ref: Some(form.get("external_ref").to_string()),
    };
    let result = customers::update(&mut tx, &staff.actor(), &id, patch).await;
    finish(&state, &staff, &id, &form, tx, result).await
}

pub async fn add_location(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let input = NewLocation {
        customer_id: id.clone(),
        name: form.get("name").to_string(),
        address_line: form.get("address_line").to_string(),
        postal_code: form.get("postal_code").to_string(),
        city: form.get("city").to_string(),
        country_code: form.get("country_code").to_string(),
        time_zone: form.get("time_zone").to_string(),
        external_ref: None,
    };
    let mut tx = state.db.begin_write().await?;
    let result = locations::create(&mut tx, &staff.actor(), input).await;
    finish(&state, &staff, &id, &form, tx, result).await
}

pub async fn add_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let input = NewContact {
        customer_id: id.clone(),
        name: form.get("name").to_string(),
        email: form.get("email").to_string(),
        phone: form.get("phone").to_string(),
        job_title: form.get("job_title").to_string(),
    };
    let mut tx = state.db.begin_write().await?;
    let result = contacts::create(&mut tx, &staff.actor(), input).await;
    finish(&state, &staff, &id, &form, tx, result).await
}

#[derive(Template)]
#[template(path = "admin/location.html")]
struct LocationPage {
    c: Chrome,
    location: Location,
    f: FormState,
}

fn location_form(l: &Location) -> FormState {
    FormState::from_pairs([
        ("form", "edit".to_string()),
        ("name", l.name.clone()),
        ("address_line", l.address_line.clone()),
        ("postal_code", l.postal_code.clone()),
        ("city", l.city.clone()),
        ("country_code", l.country_code.clone()),
        ("time_zone", l.time_zone.clone()),
    ])
}

pub async fn location(
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Staff,
) -> Result<Response, AdminError> {
    let location = locations::get(&state.db.pool, &id).await?;
    let f = location_form(&location);
    render(&LocationPage { c: staff.chrome("customers"), location, f })
}

pub async fn update_location(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let mut tx = begin_edit(&state, &form, "locations", &id).await?;
    let patch = LocationPatch {
        name: Some(form.get("name").to_string()),
        address_line: Some(form.get("address_line").to_string()),
        postal_code: Some(form.get("postal_code").to_string()),
        city: Some(form.get("city").to_string()),
        country_code: Some(form.get("country_code").to_string()),
        time_zone: Some(form.get("time_zone").to_string()),
        external_ref: None,
    };
    match locations::update(&mut tx, &staff.actor(), &id, patch).await {
        Ok(location) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/customers/{}", location.customer_id), Notice::Saved))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            let location = locations::get(&state.db.pool, &id).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &LocationPage { c: staff.chrome("customers"), location, f })
        }
    }
}

#[derive(Template)]
#[template(path = "admin/contact.html")]
struct ContactPage {
    c: Chrome,
    contact: Contact,
    f: FormState,
}

pub async fn contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
    staff: Staff,
) -> Result<Response, AdminError> {
    let contact = contacts::get(&state.db.pool, &id).await?;
    let f = FormState::from_pairs([
        ("form", "edit".to_string()),
        ("name", contact.name.clone()),
        ("email", contact.email.clone()),
        ("phone", contact.phone.clone()),
        ("job_title", contact.job_title.clone()),
    ]);
    render(&ContactPage { c: staff.chrome("customers"), contact, f })
}

pub async fn update_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, AdminError> {
    let Posted { staff, form } = posted;
    let mut tx = begin_edit(&state, &form, "contacts", &id).await?;
    let patch = ContactPatch {
        name: Some(form.get("name").to_string()),
        email: Some(form.get("email").to_string()),
        phone: Some(form.get("phone").to_string()),
        job_title: Some(form.get("job_title").to_string()),
    };
    match contacts::update(&mut tx, &staff.actor(), &id, patch).await {
        Ok(contact) => {
            tx.commit().await?;
            Ok(done(&format!("/admin/customers/{}", contact.customer_id), Notice::Saved))
        }
        Err(err) => {
            drop(tx);
            let f = FormState::rejected(&form, field_errors(err)?);
            let contact = contacts::get(&state.db.pool, &id).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &ContactPage { c: staff.chrome("customers"), contact, f })
        }
    }
}
