//! Portal benchmarks (not timed tests): `cargo bench -p ordinavo-server --bench portal`.
//!
//! - first delta sync of a user with 10,000 appointments and 1,000 published reports
//!   (goal: under 2 s end to end), and a sync with nothing new (goal: under 50 ms);
//! - live event latency from a staff action to the connected client (goal: under 1 s).
//!
//! Runs on SQLite, and on PostgreSQL too when `ORDINAVO_TEST_POSTGRES_URL` is set.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use ordinavo_server::config::Config;
use ordinavo_server::records::appointments::{self, NewAppointment};
use ordinavo_server::records::audit::Actor;
use ordinavo_server::records::contacts::{self, NewContact};
use ordinavo_server::records::customers::{self, NewCustomer};
use ordinavo_server::records::follow_ups::{self, NewFollowUp};
use ordinavo_server::records::locations::{self, NewLocation};
use ordinavo_server::records::portal_access::{self, Coverage, NewPortalUser};
use ordinavo_server::records::reports::{self, NewReport, Publication};
use ordinavo_server::records::targets::{self, NewTarget};
use ordinavo_server::records::time::Timestamp;
use serde_json::{json, Value};
use tower::ServiceExt;

const APPOINTMENTS: usize = 10_000;
const REPORTS: usize = 1_000;
const PASSWORD: &str = "benchmark passphrase 2026";

#[tokio::main]
async fn main() {
    let mut urls = vec![("sqlite", None)];
    if let Ok(url) = std::env::var("ORDINAVO_TEST_POSTGRES_URL") {
        urls.push(("postgres", Some(url)));
    }
    for (backend, admin_url) in urls {
        let dir = tempfile::tempdir().unwrap();
        let url = match admin_url {
            None => format!("sqlite://{}", dir.path().join("bench.db").display()),
            Some(admin) => {
                let name = format!("bench_{}", uuid::Uuid::now_v7().simple());
                let db = ordinavo_server::storage::connect(&admin).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&db.pool).await.unwrap();
                format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
            }
        };
        let data_dir = dir.path().to_string_lossy().to_string();
        let config = Config::from_lookup(|name| match name {
            "ORDINAVO_DATABASE_URL" => Some(url.clone()),
            "ORDINAVO_DATA_DIR" => Some(data_dir.clone()),
            _ => None,
        })
        .unwrap();
        let state = ordinavo_server::open(config).await.unwrap();
        let started = Instant::now();
        let target = seed(&state).await;
        println!(
            "[{backend}] seeded {APPOINTMENTS} appointments and {REPORTS} reports in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // Fresh planner statistics, as a live database has them.
        sqlx::query("ANALYZE").execute(&state.db.pool).await.unwrap();
        let router = ordinavo_server::app(state.clone());
        let token = sign_in(&router).await;

        let started = Instant::now();
        let (changes, pages, cursor) = sync_to_end(&router, &token, None).await;
        println!(
            "[{backend}] first sync: {changes} changes in {pages} pages, {:.0} ms (goal < 2000 ms)",
            started.elapsed().as_secs_f64() * 1000.0
        );
        let mut idle = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let (changes, _, _) = sync_to_end(&router, &token, Some(cursor.clone())).await;
            assert_eq!(changes, 0);
            idle.push(started.elapsed());
        }
        idle.sort();
        println!(
            "[{backend}] sync with nothing new: median {:.1} ms, max {:.1} ms over 20 (goal < 50 ms)",
            idle[10].as_secs_f64() * 1000.0,
            idle[19].as_secs_f64() * 1000.0
        );

        let mut latencies = Vec::new();
        for i in 0..10 {
            let request = Request::get("/portal/v1/events").header(header::AUTHORIZATION, format!("Bearer {token}"));
            let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(response.status(), 200, "event stream {i}");
            let mut body = response.into_body();
            // A reader polls the stream the whole time, as an HTTP client would.
            let (opened_tx, opened_rx) = tokio::sync::oneshot::channel();
            let (arrived_tx, arrived_rx) = tokio::sync::oneshot::channel();
            tokio::spawn(async move {
                let mut opened_tx = Some(opened_tx);
                while let Some(Ok(frame)) = body.frame().await {
                    if let Some(tx) = opened_tx.take() {
                        let _ = tx.send(());
                    }
                    if frame.into_data().is_ok_and(|d| String::from_utf8_lossy(&d).contains("follow_up_required")) {
                        let _ = arrived_tx.send(Instant::now());
                        break;
                    }
                }
            });
            within("the stream opens", opened_rx).await.unwrap();
            let started = Instant::now();
            let mut tx = within("a write transaction starts", state.db.begin_write()).await.unwrap();
            follow_ups::create(
                &mut tx,
                &Actor::System,
                NewFollowUp {
                    target_id: target.clone(),
                    origin_report_id: None,
                    description: format!("Follow-up {i}"),
                },
            )
            .await
            .unwrap();
            within("the follow-up commits", tx.commit()).await.unwrap();
            let arrived = within("the event arrives", arrived_rx).await.unwrap();
            latencies.push(arrived - started);
        }
        latencies.sort();
        println!(
            "[{backend}] live event latency: median {:.0} ms, max {:.0} ms over 10 (goal < 1000 ms)",
            latencies[5].as_secs_f64() * 1000.0,
            latencies[9].as_secs_f64() * 1000.0
        );
    }
}

/// Awaits `future`, failing loudly if it takes longer than 10 s.
async fn within<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(10), future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out waiting until {what}"),
    }
}

/// One customer, one location, a portal user with a grant, and the volume of visits and reports.
async fn seed(state: &ordinavo_server::state::AppState) -> String {
    let actor = Actor::System;
    let mut tx = state.db.begin_write().await.unwrap();
    let customer = customers::create(
        &mut tx,
        &actor,
        NewCustomer { name: "Bench Corp".into(), segment: String::new(), external_ref: None },
    )
    .await
    .unwrap();
    let location = locations::create(
        &mut tx,
        &actor,
        NewLocation {
            customer_id: customer.id.clone(),
            name: "Bench Tower".into(),
            address_line: "Sheikh Zayed Road 1".into(),
            postal_code: String::new(),
            city: "Dubai".into(),
            country_code: "AE".into(),
            time_zone: "Asia/Dubai".into(),
            external_ref: None,
        },
    )
    .await
    .unwrap();
    let contact = contacts::create(
        &mut tx,
        &actor,
        NewContact {
            customer_id: customer.id.clone(),
            name: "Bench Contact".into(),
            email: "bench@example.com".into(),
            phone: String::new(),
            job_title: String::new(),
        },
    )
    .await
    .unwrap();
    let user = portal_access::create_user(
        &mut tx,
        NewPortalUser {
            contact_id: &contact.id,
            email: "bench@example.com",
            display_name: "Bench",
            password: PASSWORD,
            language: "en",
        },
    )
    .await
    .unwrap();
    portal_access::add_grant(&mut tx, &user, &customer.id, Coverage::WholeCustomer, true).await.unwrap();
    let target = targets::create(
        &mut tx,
        &actor,
        NewTarget {
            location_id: location.id.clone(),
            contact_id: None,
            request_id: None,
            title: "Maintenance contract".into(),
            internal_notes: String::new(),
            routing_score: None,
            billing_trigger: None,
            assigned_employee: None,
            external_ref: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let start = Timestamp::now().0;
    for chunk in 0..(APPOINTMENTS / 500) {
        let mut tx = state.db.begin_write().await.unwrap();
        for i in 0..500 {
            let at = start + ((chunk * 500 + i) as i64) * 3_600_000;
            appointments::create(
                &mut tx,
                &actor,
                NewAppointment {
                    target_id: target.id.clone(),
                    starts_at: Timestamp(at),
                    ends_at: Timestamp(at + 1_800_000),
                    arrival_window_start: None,
                    arrival_window_end: None,
                    shared_with_portal: true,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    for chunk in 0..(REPORTS / 100) {
        let mut tx = state.db.begin_write().await.unwrap();
        for i in 0..100 {
            let report = reports::create(
                &mut tx,
                &actor,
                NewReport {
                    target_id: target.id.clone(),
                    appointment_id: None,
                    visit_date: "2026-11-20".into(),
                    internal_title: format!("Visit {}", chunk * 100 + i),
                    internal_body: "Checked all systems.".into(),
                    internal_notes: String::new(),
                },
            )
            .await
            .unwrap();
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
    target.id
}

async fn sign_in(router: &axum::Router) -> String {
    let request = Request::post("/portal/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "email": "bench@example.com", "password": PASSWORD }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let body: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    body["token"].as_str().unwrap().to_string()
}

/// Follows `more` to the end; returns (changes, pages, final cursor).
async fn sync_to_end(router: &axum::Router, token: &str, mut cursor: Option<String>) -> (usize, usize, String) {
    let (mut changes, mut pages) = (0, 0);
    loop {
        let path = match &cursor {
            Some(c) => format!("/portal/v1/sync?cursor={c}"),
            None => "/portal/v1/sync".to_string(),
        };
        let request =
            Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let page: Value = serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
        changes += page["changes"].as_array().unwrap().len();
        pages += 1;
        cursor = Some(page["cursor"].as_str().unwrap().to_string());
        if !page["more"].as_bool().unwrap() {
            return (changes, pages, cursor.unwrap());
        }
    }
}
