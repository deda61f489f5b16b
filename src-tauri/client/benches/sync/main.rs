//! Desktop benchmarks of issue 10: numbers to report against the goals as
//! PASS/MISS, never timing asserts. Run by `scripts/bench-desktop.sh [sizes…]`, which
//! builds the release server and app, then runs, inside a desktop session,
//! `cargo bench -p ordinavo-client --bench sync` (see docs/performance.md, "Desktop").
//!
//! For each size (`ORDINAVO_BENCH_APPOINTMENTS`, comma-separated; default 10000 and
//! 100000 appointments), from a fresh data set served by the release server:
//!
//! - the client library: first sync into an empty cache including applying every
//!   page (and its first and last full page), a sync with nothing new, and opening
//!   the cache and reading the first appointments window;
//! - the real release app: its first-run screen (cold start and memory), signing in
//!   through the form and its first sync in the background until the cache holds
//!   every appointment; then a second launch with that cache: cold start to the
//!   first screen, opening the appointments screen, and the memory of its process
//!   tree at rest there.

mod app;
mod seed;
mod table;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ordinavo_client::api::Api;
use ordinavo_client::cache::window::{When, Window};
use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::{Client, ServerAddress};
use ordinavo_e2e::{Build, Server};
use portal_types::{AppointmentView, SyncKind};

use app::App;
use seed::{EMAIL, PASSWORD};

/// Sizes unless `ORDINAVO_BENCH_APPOINTMENTS` says otherwise.
const SIZES: [usize; 2] = [10_000, 100_000];
/// The appointments screen's first window.
const SCREEN: u32 = 100;
/// Changes per sync page, as the client asks for them.
const PAGE: u32 = 1000;
/// Opening the appointments screen again, for a median beside the first time.
const REOPENS: usize = 5;

/// What the client library measured at one size.
pub struct Library {
    /// The same full sync fetched and parsed but not applied, by a session of its own.
    pub fetch_only_s: f64,
    pub changes: usize,
    pub pages: usize,
    pub first_sync_s: f64,
    pub first_page_ms: f64,
    pub last_full_page_ms: f64,
    pub idle_sync_ms: f64,
    pub window_ms: f64,
}

/// What the real app measured at one size.
pub struct Desktop {
    pub first_run_start_ms: f64,
    pub first_run_mb: app::Memory,
    pub first_sync_s: f64,
    pub cold_start_ms: f64,
    pub open_ms: f64,
    pub reopen_median_ms: f64,
    pub appointments_mb: app::Memory,
}

pub struct Figures {
    pub size: usize,
    pub library: Library,
    pub desktop: Option<Desktop>,
}

fn sizes() -> Vec<usize> {
    match std::env::var("ORDINAVO_BENCH_APPOINTMENTS") {
        Ok(list) => list.split(',').map(|n| n.trim().parse().expect("ORDINAVO_BENCH_APPOINTMENTS: numbers")).collect(),
        Err(_) => SIZES.to_vec(),
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let in_session = std::env::var("ORDINAVO_DESKTOP_SESSION").as_deref() == Ok("ready");
    if !in_session {
        println!("the real app is skipped: run inside scripts/desktop-session.sh (scripts/bench-desktop.sh does)");
    }
    let mut all = Vec::new();
    for size in sizes() {
        println!("== {size} appointments");
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("server");
        let started = Instant::now();
        runtime.block_on(seed::seed(&data_dir, size));
        println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
        let env = [("ORDINAVO_DATA_DIR".to_string(), data_dir.to_string_lossy().to_string())];
        let server = Server::start_built(Build::Release, &env, &[]);
        let library = runtime.block_on(library(&server, &dir.path().join("library"), size));
        let desktop = in_session.then(|| runtime.block_on(desktop(&server, &dir.path().join("app"), size)));
        drop(server);
        all.push(Figures { size, library, desktop });
    }
    table::print(&all);
}

/// The client library against the server, as the app's sync loop uses it.
async fn library(server: &Server, app_dir: &Path, size: usize) -> Library {
    let address = ServerAddress::parse(&server.base_url).unwrap();
    let mut client = Client::sign_in(app_dir, &address, EMAIL, PASSWORD, Arc::new(DesktopNotifier)).await.unwrap();
    let started = Instant::now();
    let mut run = client.begin_sync().unwrap();
    let mut pages: Vec<(usize, Duration)> = Vec::new();
    loop {
        let (before, page) = (run.outcome.changes, Instant::now());
        let more = client.sync_step(&mut run).await.unwrap();
        pages.push((run.outcome.changes - before, page.elapsed()));
        if !more {
            break;
        }
    }
    let first_sync = started.elapsed();
    let full = pages.iter().map(|(changes, _)| *changes).max().unwrap_or(0);
    let last_full = pages.iter().rev().find(|(changes, _)| *changes == full).map(|(_, t)| *t).unwrap_or_default();
    println!(
        "library first sync: {} changes in {} pages, {:.1} s (first page {:.0} ms, last full page {:.0} ms)",
        run.outcome.changes,
        pages.len(),
        first_sync.as_secs_f64(),
        ms(pages[0].1),
        ms(last_full)
    );
    let mut idle = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        assert_eq!(client.sync().await.unwrap().changes, 0);
        idle.push(started.elapsed());
    }
    idle.sort();
    let changes = run.outcome.changes;
    drop(client);
    let fetch_only_s = fetch_only(&address).await;

    let screen = Window { when: Some(When::Upcoming), ..Window::of(SyncKind::Appointment, SCREEN) };
    let started = Instant::now();
    let client = Client::resume(app_dir, Arc::new(DesktopNotifier)).unwrap().unwrap();
    let first = client.reader().unwrap().window::<AppointmentView>(&screen).unwrap();
    let window = started.elapsed();
    assert_eq!(client.count(SyncKind::Appointment).unwrap(), size, "every appointment is cached");
    assert!(!first.items.is_empty(), "upcoming appointments are cached");
    Library {
        fetch_only_s,
        changes,
        pages: pages.len(),
        first_sync_s: first_sync.as_secs_f64(),
        first_page_ms: ms(pages[0].1),
        last_full_page_ms: ms(last_full),
        idle_sync_ms: ms(idle[5]),
        window_ms: ms(window),
    }
}

/// A full sync's pages fetched and parsed as the client does, without applying
/// them: the server's and the transfer's share of the first sync, in seconds.
async fn fetch_only(address: &ServerAddress) -> f64 {
    let token = Api::new(address.clone(), None).sign_in(EMAIL, PASSWORD).await.unwrap().token;
    let api = Api::new(address.clone(), Some(token));
    let started = Instant::now();
    let mut cursor: Option<String> = None;
    loop {
        let page = api.sync_page(cursor.as_deref(), PAGE).await.unwrap();
        cursor = Some(page.cursor);
        if !page.more {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    api.sign_out().await.unwrap();
    println!("full sync fetched and parsed, not applied: {seconds:.1} s");
    seconds
}

/// The real release app: first run, sign-in and first sync, then a cold start with the full cache.
async fn desktop(server: &Server, home: &Path, size: usize) -> Desktop {
    let binary = Build::Release.binary("ordinavo-desktop");
    let data = home.join("data");
    let env = vec![
        ("XDG_DATA_HOME".to_string(), data.to_string_lossy().to_string()),
        ("XDG_CONFIG_HOME".to_string(), home.join("config").to_string_lossy().to_string()),
        ("XDG_CACHE_HOME".to_string(), home.join("cache").to_string_lossy().to_string()),
        ("LANG".to_string(), "en_US.UTF-8".to_string()),
        ("ORDINAVO_LOG".to_string(), "warn".to_string()),
    ];

    let first_run = App::launch(&binary, &env).await;
    let first_run_start_ms = first_run.first_screen_ms().await;
    let first_run_mb = app::memory_at_rest(first_run.pid).await;
    println!("app first run: sign-in screen {first_run_start_ms:.0} ms, {:.0} MB", first_run_mb.total_mb);
    let started = Instant::now();
    first_run.sign_in(&server.base_url, EMAIL, PASSWORD).await;
    first_run.wait_synced(&data, size, Duration::from_secs(900)).await;
    let first_sync_s = started.elapsed().as_secs_f64();
    println!("app sign-in and first sync: {first_sync_s:.1} s");
    first_run.quit().await;

    let app = App::launch(&binary, &env).await;
    let cold_start_ms = app.first_screen_ms().await;
    app.wait_idle().await;
    let open_ms = app.open_appointments_ms().await;
    let mut reopens = Vec::new();
    for _ in 0..REOPENS {
        app.go_home().await;
        reopens.push(app.open_appointments_ms().await);
    }
    reopens.sort_by(f64::total_cmp);
    let appointments_mb = app::memory_at_rest(app.pid).await;
    println!(
        "app with the cache: first screen {cold_start_ms:.0} ms, appointments {open_ms:.0} ms (again: {reopens:.0?}), {:.0} MB ({})",
        appointments_mb.total_mb,
        appointments_mb.breakdown()
    );
    app.quit().await;
    Desktop {
        first_run_start_ms,
        first_run_mb,
        first_sync_s,
        cold_start_ms,
        open_ms,
        reopen_median_ms: reopens[REOPENS / 2],
        appointments_mb,
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
