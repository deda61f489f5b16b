//! The data set, written through the server's own records layer into an empty
//! SQLite database (much faster than `/api/v1`, and the same rows): the issue 10
//! customer as the load benchmark (`server/benches/load.rs`) shapes it.

use std::path::Path;

use ordinavo_server::config::Config;
use ordinavo_server::records::appointments::{self, NewAppointment};
use ordinavo_server::records::audit::Actor;
use ordinavo_server::records::contacts::{self, NewContact};
use ordinavo_server::records::customers::{self, NewCustomer};
use ordinavo_server::records::locations::{self, NewLocation};
use ordinavo_server::records::portal_access::{self, Coverage, NewPortalUser};
use ordinavo_server::records::reports::{self, NewReport, Publication};
use ordinavo_server::records::targets::{self, NewTarget};
use ordinavo_server::records::time::Timestamp;

pub const LOCATIONS: usize = 20;
pub const WORK_ITEMS: usize = 1_000;
pub const REPORTS: usize = 1_000;
pub const EMAIL: &str = "bench@example.com";
pub const PASSWORD: &str = "benchmark passphrase 2026";

/// Rows written per transaction.
const CHUNK: usize = 500;
/// Appointments spread over two years each way from now.
const SPREAD_MS: i64 = 2 * 365 * 24 * 3_600_000;
const HOUR_MS: i64 = 3_600_000;

/// One customer with 20 locations and 1,000 work items spread over them; a
/// whole-customer portal user; `appointments` shared visits, half in the past and
/// half ahead, 1 to 2 hours long (the server records their timeline events); and
/// 1,000 published visit reports.
pub async fn seed(data_dir: &Path, appointments: usize) {
    std::fs::create_dir_all(data_dir).unwrap();
    let data = data_dir.to_string_lossy().to_string();
    let config = Config::from_lookup(|name| (name == "ORDINAVO_DATA_DIR").then(|| data.clone())).unwrap();
    let state = ordinavo_server::open(config).await.unwrap();
    let actor = Actor::System;
    let mut tx = state.db.begin_write().await.unwrap();
    let new_customer = NewCustomer { name: "Bench Corp".into(), segment: String::new(), external_ref: None };
    let customer = customers::create(&mut tx, &actor, new_customer).await.unwrap();
    let mut sites = Vec::new();
    for l in 0..LOCATIONS {
        let new_location = NewLocation {
            customer_id: customer.id.clone(),
            name: format!("Bench Tower {}", l + 1),
            address_line: format!("Sheikh Zayed Road {}", l + 1),
            postal_code: String::new(),
            city: "Dubai".into(),
            country_code: "AE".into(),
            time_zone: "Asia/Dubai".into(),
            external_ref: None,
        };
        sites.push(locations::create(&mut tx, &actor, new_location).await.unwrap());
    }
    let new_contact = NewContact {
        customer_id: customer.id.clone(),
        name: "Bench Contact".into(),
        email: EMAIL.into(),
        phone: String::new(),
        job_title: String::new(),
    };
    let contact = contacts::create(&mut tx, &actor, new_contact).await.unwrap();
    let user = NewPortalUser {
        contact_id: &contact.id,
        email: EMAIL,
        display_name: "Bench",
        password: PASSWORD,
        language: "en",
    };
    let user = portal_access::create_user(&mut tx, user).await.unwrap();
    portal_access::add_grant(&mut tx, &user, &customer.id, Coverage::WholeCustomer, true).await.unwrap();
    let mut work = Vec::new();
    for w in 0..WORK_ITEMS {
        let new_target = NewTarget {
            location_id: sites[w % LOCATIONS].id.clone(),
            contact_id: None,
            request_id: None,
            title: format!("Maintenance contract {}", w + 1),
            internal_notes: String::new(),
            routing_score: None,
            billing_trigger: None,
            assigned_employee: None,
            external_ref: None,
        };
        work.push(targets::create(&mut tx, &actor, new_target).await.unwrap());
    }
    tx.commit().await.unwrap();

    let now = Timestamp::now().0;
    let half = (appointments / 2).max(1) as i64;
    let step = SPREAD_MS / half;
    for chunk in (0..appointments).collect::<Vec<_>>().chunks(CHUNK) {
        let mut tx = state.db.begin_write().await.unwrap();
        for &i in chunk {
            let n = i as i64;
            // Even ones go back from now, odd ones ahead, so both lists fill at every size.
            let starts = if i % 2 == 0 { now - (n / 2 + 1) * step } else { now + (n / 2 + 1) * step };
            let appointment = NewAppointment {
                target_id: work[i % WORK_ITEMS].id.clone(),
                starts_at: Timestamp(starts),
                ends_at: Timestamp(starts + HOUR_MS + (n % 5) * HOUR_MS / 4),
                arrival_window_start: None,
                arrival_window_end: None,
                shared_with_portal: true,
            };
            appointments::create(&mut tx, &actor, appointment).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    for chunk in (0..REPORTS).collect::<Vec<_>>().chunks(CHUNK) {
        let mut tx = state.db.begin_write().await.unwrap();
        for &i in chunk {
            let new_report = NewReport {
                target_id: work[i % WORK_ITEMS].id.clone(),
                appointment_id: None,
                visit_date: "2026-11-20".into(),
                internal_title: format!("Visit {i}"),
                internal_body: "Checked all systems.".into(),
                internal_notes: String::new(),
            };
            let report = reports::create(&mut tx, &actor, new_report).await.unwrap();
            reports::approve(&mut tx, &actor, &report.id).await.unwrap();
            let publication = Publication {
                portal_title: "Maintenance visit".into(),
                portal_summary: "All systems checked and working.".into(),
                portal_message: String::new(),
            };
            reports::publish(&mut tx, &actor, &report.id, publication).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    state.db.pool.close().await;
}
