//! Desktop client benchmarks (numbers to report, no timing asserts). Run inside a
//! desktop session, e.g.
//! `scripts/desktop-session.sh cargo bench -p ordinavo-client --bench sync`:
//!
//! - first sync of 10,000 appointments (`ORDINAVO_BENCH_APPOINTMENTS` for another
//!   number, e.g. 100000) and 1,000 published reports into an empty cache, including
//!   the client applying every page;
//! - a sync with nothing new;
//! - cold start of the client library: open the cache and read the first window of
//!   upcoming appointments, as the appointments screen does;
//! - reading that window again (median of 20), through the UI's read-only connection;
//! - resident memory of the desktop app (Xvfb) after it ran the first sync itself.
//!
//! The data is seeded through the server library, then served by the real server binary.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ordinavo_client::cache::window::{When, Window};
use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::{Client, ServerAddress};
use ordinavo_e2e::Server;
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
use portal_types::{AppointmentView, SyncKind};

/// Appointments to seed unless `ORDINAVO_BENCH_APPOINTMENTS` says otherwise (a multiple of 500).
const APPOINTMENTS: usize = 10_000;
/// The appointments screen's first window.
const SCREEN: u32 = 100;
const REPORTS: usize = 1_000;
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "benchmark passphrase 2026";

fn appointment_count() -> usize {
    std::env::var("ORDINAVO_BENCH_APPOINTMENTS").ok().and_then(|n| n.parse().ok()).unwrap_or(APPOINTMENTS)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("server");
    runtime.block_on(seed(&data_dir));
    let env = [("ORDINAVO_DATA_DIR".to_string(), data_dir.to_string_lossy().to_string())];
    let server = Server::start(&env, &[]);
    let address = ServerAddress::parse(&server.base_url).unwrap();
    let app_dir = dir.path().join("app");

    runtime.block_on(async {
        let mut client = Client::sign_in(&app_dir, &address, EMAIL, PASSWORD, Arc::new(DesktopNotifier)).await.unwrap();
        let started = Instant::now();
        let first = client.sync().await.unwrap();
        println!(
            "first sync into an empty cache: {} changes in {} pages, {:.0} ms",
            first.changes,
            first.pages,
            ms(started.elapsed())
        );
        let mut idle = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            let outcome = client.sync().await.unwrap();
            assert_eq!(outcome.changes, 0);
            idle.push(started.elapsed());
        }
        idle.sort();
        println!("no-change sync: median {:.1} ms, max {:.1} ms", ms(idle[5]), ms(idle[9]));
    });

    let screen = Window { when: Some(When::Upcoming), ..Window::of(SyncKind::Appointment, SCREEN) };
    let started = Instant::now();
    let client = Client::resume(&app_dir, Arc::new(DesktopNotifier)).unwrap().unwrap();
    let reader = client.reader().unwrap();
    let first = reader.window::<AppointmentView>(&screen).unwrap();
    println!(
        "cold start to the first appointments window: {:.1} ms ({} of {} cached appointments read)",
        ms(started.elapsed()),
        first.items.len(),
        client.count(SyncKind::Appointment).unwrap()
    );
    let mut reads: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            reader.window::<AppointmentView>(&screen).unwrap();
            started.elapsed()
        })
        .collect();
    reads.sort();
    println!("appointments window read: median {:.2} ms, max {:.2} ms", ms(reads[10]), ms(reads[19]));
    drop(client);

    desktop_memory(&runtime, &address, dir.path());
    drop(server);
}

/// Starts the real desktop app signed in to an empty cache, waits until its own
/// first sync is stored, and reads its resident memory.
fn desktop_memory(runtime: &tokio::runtime::Runtime, address: &ServerAddress, dir: &Path) {
    let binary = ordinavo_e2e::server_binary().with_file_name("ordinavo-desktop");
    if !binary.exists() || std::env::var_os("DISPLAY").is_none() {
        println!("desktop memory: skipped (needs target/debug/ordinavo-desktop and a display)");
        return;
    }
    let xdg = dir.join("xdg");
    let app_dir = xdg.join("example.ordinavo.portal");
    let client =
        runtime.block_on(Client::sign_in(&app_dir, address, EMAIL, PASSWORD, Arc::new(DesktopNotifier))).unwrap();
    let cache = client.account().dir(&app_dir).join("cache.sqlite");
    drop(client);
    let mut child = Command::new(&binary)
        .env("XDG_DATA_HOME", &xdg)
        .env("ORDINAVO_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let synced = loop {
        if appointments_in(&cache) >= appointment_count() {
            break true;
        }
        if started.elapsed() > Duration::from_secs(120) || child.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let rss = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: unknown").to_string();
    let _ = child.kill();
    let _ = child.wait();
    if synced {
        println!("desktop app after its first sync ({:.1} s): {}", started.elapsed().as_secs_f64(), rss.trim());
    } else {
        println!("desktop app did not finish its first sync; {}", rss.trim());
    }
}

fn appointments_in(cache: &Path) -> usize {
    let Ok(conn) = rusqlite::Connection::open_with_flags(cache, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM records WHERE kind = 'appointment'", [], |r| r.get(0)).unwrap_or(0)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One customer with a whole-customer portal user, 10,000 (or as many as asked) shared appointments and
/// 1,000 published reports, written through the server's own records layer.
async fn seed(data_dir: &Path) {
    std::fs::create_dir_all(data_dir).unwrap();
    let data = data_dir.to_string_lossy().to_string();
    let config = Config::from_lookup(|name| (name == "ORDINAVO_DATA_DIR").then(|| data.clone())).unwrap();
    let state = ordinavo_server::open(config).await.unwrap();
    let actor = Actor::System;
    let mut tx = state.db.begin_write().await.unwrap();
    let new_customer = NewCustomer { name: "Bench Corp".into(), segment: String::new(), external_ref: None };
    let customer = customers::create(&mut tx, &actor, new_customer).await.unwrap();
    let new_location = NewLocation {
        customer_id: customer.id.clone(),
        name: "Bench Tower".into(),
        address_line: "Sheikh Zayed Road 1".into(),
        postal_code: String::new(),
        city: "Dubai".into(),
        country_code: "AE".into(),
        time_zone: "Asia/Dubai".into(),
        external_ref: None,
    };
    let location = locations::create(&mut tx, &actor, new_location).await.unwrap();
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
    let new_target = NewTarget {
        location_id: location.id.clone(),
        contact_id: None,
        request_id: None,
        title: "Maintenance contract".into(),
        internal_notes: String::new(),
        routing_score: None,
        billing_trigger: None,
        assigned_employee: None,
        external_ref: None,
    };
    let target = targets::create(&mut tx, &actor, new_target).await.unwrap();
    tx.commit().await.unwrap();
    let start = Timestamp::now().0;
    for chunk in 0..(appointment_count() / 500) {
        let mut tx = state.db.begin_write().await.unwrap();
        for i in 0..500 {
            let at = start + ((chunk * 500 + i) as i64) * 3_600_000;
            let appointment = NewAppointment {
                target_id: target.id.clone(),
                starts_at: Timestamp(at),
                ends_at: Timestamp(at + 1_800_000),
                arrival_window_start: None,
                arrival_window_end: None,
                shared_with_portal: true,
            };
            appointments::create(&mut tx, &actor, appointment).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    for chunk in 0..(REPORTS / 100) {
        let mut tx = state.db.begin_write().await.unwrap();
        for i in 0..100 {
            let new_report = NewReport {
                target_id: target.id.clone(),
                appointment_id: None,
                visit_date: "2026-11-20".into(),
                internal_title: format!("Visit {}", chunk * 100 + i),
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
