//! Load benchmark over real HTTP (issue 10), run by `scripts/bench-load.sh [sizes…]`.
//!
//! For each size (appointments per customer) and backend it starts the release server as
//! a process, seeds two customers through `/api/v1`, signs in two portal users of the
//! first customer, times a full and an idle sync, drives `/healthz` and every portal list
//! with `wrk` (64 connections), and prints one table with the goals as PASS/MISS.
//! A missed goal is only reported; an HTTP error or wrong data fails the run.
//!
//! Arguments: `--server PATH` (the release binary), `--postgres ADMIN_URL` (also run on
//! PostgreSQL; default `ORDINAVO_TEST_POSTGRES_URL`), `--seconds N` (per wrk run), `--hold`
//! (keep each seeded server up until a line on stdin, to attach a profiler), sizes.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

#[path = "support/server.rs"]
mod server;
use server::Server;

const LOCATIONS: usize = 20;
const SCOPED_LOCATIONS: usize = 5;
const WORK_ITEMS: usize = 1_000;
const REPORTS: usize = 1_000;
/// Seeding requests in flight at once.
const IN_FLIGHT: usize = 16;
const PASSWORD: &str = "load benchmark passphrase 2026";

// The goals of issue 10.
const GOAL_SHARE_OF_HEALTHZ: f64 = 0.25;
const GOAL_P99_MS: f64 = 25.0;
const GOAL_FULL_SYNC_S: f64 = 10.0;
const GOAL_LAST_PAGE_FACTOR: f64 = 2.0;
const GOAL_IDLE_SYNC_MS: f64 = 20.0;
const GOAL_SYNC_GROWTH: f64 = 12.0;
const GOAL_P99_GROWTH: f64 = 1.5;

/// Every portal list endpoint, as the desktop app asks for it.
const LISTS: [&str; 8] = [
    "/portal/v1/appointments",
    "/portal/v1/appointments?when=past",
    "/portal/v1/work",
    "/portal/v1/timeline",
    "/portal/v1/reports",
    "/portal/v1/requests",
    "/portal/v1/follow-ups",
    "/portal/v1/me",
];

struct Args {
    server: PathBuf,
    postgres: Option<String>,
    seconds: u32,
    /// Keep each seeded server up until a line arrives on stdin, for profiling.
    hold: bool,
    sizes: Vec<usize>,
}

fn parse_args() -> Args {
    let mut args = Args {
        server: Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/ordinavo-server"),
        postgres: std::env::var("ORDINAVO_TEST_POSTGRES_URL").ok(),
        seconds: 5,
        hold: false,
        sizes: Vec::new(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        let mut value = |name: &str| given.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match arg.as_str() {
            "--server" => args.server = PathBuf::from(value("--server")),
            "--postgres" => args.postgres = Some(value("--postgres")),
            "--seconds" => args.seconds = value("--seconds").parse().expect("--seconds takes a whole number"),
            "--hold" => args.hold = true,
            // `cargo bench` passes this to every bench binary.
            "--bench" => {}
            size => {
                let size: usize = size.parse().unwrap_or_else(|_| panic!("not a size: {size}"));
                // Both users must see upcoming and past visits at every location.
                assert!(size >= 2 * LOCATIONS, "a size must be at least {}", 2 * LOCATIONS);
                args.sizes.push(size);
            }
        }
    }
    if args.sizes.is_empty() {
        args.sizes = vec![10_000, 100_000];
    }
    args
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    assert!(
        args.server.is_file(),
        "no server binary at {}: run `cargo build --release -p ordinavo-server` (scripts/bench-load.sh does)",
        args.server.display()
    );
    let mut backends = vec![("SQLite", None)];
    if let Some(url) = &args.postgres {
        backends.push(("PostgreSQL", Some(url.as_str())));
    }
    let mut runs = Vec::new();
    let mut failures = Vec::new();
    for &size in &args.sizes {
        for &(backend, admin_url) in &backends {
            let run = run(&args, backend, admin_url, size).await;
            print_run(&run);
            failures.extend(run.failures());
            runs.push(run);
        }
    }
    print_growth(&runs);
    // Error answers under load are wrong data, not slowness: fail, after the tables.
    assert!(failures.is_empty(), "HTTP errors under load:\n{}", failures.join("\n"));
}

/// The figures of one backend at one size.
struct Run {
    backend: &'static str,
    size: usize,
    seed_seconds: f64,
    seed_requests: u64,
    healthz: Load,
    lists: Vec<ListLoad>,
    sync: SyncFigures,
}

struct ListLoad {
    path: &'static str,
    user: &'static str,
    load: Load,
}

impl Run {
    fn failures(&self) -> Vec<String> {
        let healthz = ListLoad { path: "/healthz", user: "-", load: self.healthz.clone() };
        std::iter::once(&healthz)
            .chain(&self.lists)
            .filter(|list| list.load.non_2xx > 0)
            .map(|list| {
                format!(
                    "{} {} {} ({}): {} non-2xx answers",
                    self.backend, self.size, list.path, list.user, list.load.non_2xx
                )
            })
            .collect()
    }
}

async fn run(args: &Args, backend: &'static str, admin_url: Option<&str>, size: usize) -> Run {
    println!("\n[{backend}, {size} appointments per customer] starting");
    let dir = tempfile::tempdir().unwrap();
    let database = match admin_url {
        None => Database::Sqlite(format!("sqlite://{}", dir.path().join("bench.db").display())),
        Some(admin) => Database::create_postgres(admin).await,
    };
    let server = Server::start(&args.server, dir.path(), database.url()).await;
    let api = Api::new(&server.base, &server.key);

    let started = Instant::now();
    let customer_a = seed_customer(&api, "a", size).await;
    let customer_b = seed_customer(&api, "b", size).await;
    let users = invite_users(&api, &customer_a).await;
    let seed_seconds = started.elapsed().as_secs_f64();
    let seed_requests = api.requests.load(Ordering::Relaxed);
    println!(
        "[{backend}] seeded 2 customers × ({LOCATIONS} locations, {WORK_ITEMS} work items, {size} appointments, \
         {REPORTS} published reports with attachments) in {seed_seconds:.1} s ({seed_requests} requests, {:.0}/s)",
        seed_requests as f64 / seed_seconds
    );
    // Fresh planner statistics, as autovacuum gives a live PostgreSQL; nothing runs ANALYZE on SQLite.
    database.analyze().await;

    let foreign: HashSet<String> = customer_b.locations.iter().cloned().collect();
    for user in &users {
        check_lists(&api, user, &customer_a, &foreign).await;
    }
    let sync = time_sync(&api, &users[0], &customer_a, size).await;
    println!(
        "[{backend}] full sync {:.2} s ({} pages, {} changes), idle median {:.1} ms",
        sync.total_seconds, sync.pages, sync.changes, sync.idle_median_ms
    );
    if args.hold {
        hold(&server, &users);
    }

    let healthz = wrk(&format!("{}/healthz", server.base), None, args.seconds).await;
    println!("[{backend}] /healthz {:.0} req/s", healthz.requests_per_second);
    let mut lists = Vec::new();
    for user in &users {
        for path in LISTS {
            let load = wrk(&format!("{}{path}", server.base), Some(&user.token), args.seconds).await;
            // The server finishes what wrk left in flight before the next endpoint is measured.
            let settle = api.http.get(format!("{}{path}", server.base)).bearer_auth(&user.token);
            api.send(&format!("GET {path} after load"), settle).await;
            println!(
                "[{backend}] {path} ({}) {:.0} req/s, p99 {:.1} ms",
                user.name, load.requests_per_second, load.p99_ms
            );
            lists.push(ListLoad { path, user: user.name, load });
        }
    }
    drop(server);
    database.remove().await;
    Run { backend, size, seed_seconds, seed_requests, healthz, lists, sync }
}

/// Waits for a line on stdin with the seeded server up, telling how to reach it, so a
/// profiler can be attached to one endpoint under load (`perf record -p PID`).
fn hold(server: &Server, users: &[User]) {
    println!("holding: server {} (pid {})", server.base, server.child.id());
    for user in users {
        println!("holding: {} token {}", user.name, user.token);
    }
    println!("holding: send a line on stdin to go on");
    std::io::stdin().read_line(&mut String::new()).expect("read stdin");
}

/// The benchmark's own database: a SQLite file, or a fresh PostgreSQL database.
enum Database {
    Sqlite(String),
    Postgres { admin: String, name: String, url: String },
}

impl Database {
    async fn create_postgres(admin: &str) -> Database {
        let name = format!("bench_load_{}", uuid::Uuid::now_v7().simple());
        let db = ordinavo_server::storage::connect(admin).await.expect("connect to the PostgreSQL admin URL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&db.pool).await.expect("create the database");
        db.pool.close().await;
        let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
        Database::Postgres { admin: admin.to_string(), url: format!("{base}/{name}"), name }
    }

    fn url(&self) -> &str {
        match self {
            Database::Sqlite(url) | Database::Postgres { url, .. } => url,
        }
    }

    async fn analyze(&self) {
        if let Database::Postgres { url, .. } = self {
            let db = ordinavo_server::storage::connect(url).await.expect("connect to the bench database");
            sqlx::query("ANALYZE").execute(&db.pool).await.expect("ANALYZE");
            db.pool.close().await;
        }
    }

    /// Frees the space at once; the SQLite file goes with its temporary directory.
    async fn remove(self) {
        if let Database::Postgres { admin, name, .. } = self {
            let db = ordinavo_server::storage::connect(&admin).await.expect("connect to the PostgreSQL admin URL");
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&db.pool)
                .await
                .expect("drop the database");
            db.pool.close().await;
        }
    }
}

/// An HTTP client that fails loudly on any answer but a success.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
    requests: Arc<AtomicU64>,
}

impl Api {
    fn new(base: &str, key: &str) -> Api {
        Api {
            // Generous, so that only a hung server stops the run.
            http: reqwest::Client::builder().timeout(Duration::from_secs(300)).build().unwrap(),
            base: base.to_string(),
            key: key.to_string(),
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A call to the integration API with the API key.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(&format!("{method} {path}"), request).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn send(&self, what: &str, request: reqwest::RequestBuilder) -> Value {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().await.unwrap_or_else(|err| panic!("{what}: {err}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_else(|err| panic!("{what}: {err}"));
        assert!(status.is_success(), "{what}: HTTP {status}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{what}: not JSON ({err}): {text}"))
    }

    /// A portal read as the user of `token`.
    async fn portal_get(&self, path: &str, query: &[(&str, &str)], token: &str) -> Value {
        let request = self.http.get(format!("{}{path}", self.base)).query(query).bearer_auth(token);
        self.send(&format!("GET {path}"), request).await
    }
}

/// Runs `job(0..count)` with `IN_FLIGHT` at a time; the results keep their order.
async fn concurrently<T, F: Future<Output = T>>(count: usize, job: impl FnMut(usize) -> F) -> Vec<T> {
    stream::iter(0..count).map(job).buffered(IN_FLIGHT).collect().await
}

fn id(record: &Value) -> String {
    record["id"].as_str().unwrap_or_else(|| panic!("no id in {record}")).to_string()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

struct Customer {
    id: String,
    locations: Vec<String>,
    label: &'static str,
}

/// One customer of the data set: locations, work items, shared appointments half in the
/// past and half ahead, and published reports each with a released PDF.
async fn seed_customer(api: &Api, label: &'static str, appointments: usize) -> Customer {
    let customer = api.post("/api/v1/customers", json!({ "name": format!("Bench customer {label}") })).await;
    let customer_id = id(&customer);
    let locations = concurrently(LOCATIONS, |i| {
        api.post(
            "/api/v1/locations",
            json!({
                "customer_id": customer_id,
                "name": format!("Site {label}{i}"),
                "address_line": format!("{} Sheikh Zayed Road", i + 1),
                "city": "Dubai",
                "country_code": "AE",
                "time_zone": "Asia/Dubai",
            }),
        )
    })
    .await;
    let locations: Vec<String> = locations.iter().map(id).collect();
    let targets = concurrently(WORK_ITEMS, |i| {
        api.post(
            "/api/v1/targets",
            json!({ "location_id": locations[i % LOCATIONS], "title": format!("Maintenance contract {label}{i}") }),
        )
    })
    .await;
    let targets: Vec<String> = targets.iter().map(id).collect();

    // Two years each way; every past visit ended before now.
    let now = Utc::now();
    let spacing = chrono::Duration::minutes((2 * 365 * 24 * 60 / appointments.div_ceil(2)).max(1) as i64);
    concurrently(appointments, |i| {
        let k = (i / 2) as i32;
        let starts = if i % 2 == 0 {
            now - chrono::Duration::hours(3) - spacing * (k + 1)
        } else {
            now + chrono::Duration::hours(1) + spacing * k
        };
        let ends = starts + chrono::Duration::minutes(60 + (i * 7 % 61) as i64);
        api.post(
            "/api/v1/appointments",
            json!({
                "target_id": targets[i % WORK_ITEMS],
                "starts_at": rfc3339(starts),
                "ends_at": rfc3339(ends),
                "shared_with_portal": true,
            }),
        )
    })
    .await;

    concurrently(REPORTS, |i| {
        let target = targets[i % WORK_ITEMS].clone();
        async move {
            let visit_date = (now - chrono::Duration::days(i as i64 + 1)).format("%Y-%m-%d").to_string();
            let report = api
                .post(
                    "/api/v1/visit-reports",
                    json!({
                        "target_id": target,
                        "visit_date": visit_date,
                        "internal_title": format!("Visit {label}{i}"),
                        "internal_body": "Checked all systems.",
                        "internal_notes": "Internal only.",
                    }),
                )
                .await;
            let report_id = id(&report);
            api.call(Method::POST, &format!("/api/v1/visit-reports/{report_id}/approve"), None).await;
            let published = api
                .post(
                    &format!("/api/v1/visit-reports/{report_id}/publish"),
                    json!({
                        "portal_title": format!("Maintenance visit {i}"),
                        "portal_summary": "All systems checked and working.",
                        "portal_message": "Thank you for your time.",
                    }),
                )
                .await;
            assert_eq!(published["status"], "published", "publish answered {published}");
            // Each file differs: attachments are stored by content.
            let pdf = format!("%PDF-1.4\n% visit report {label}{i}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
            let file = Part::bytes(pdf.into_bytes()).file_name(format!("visit-{i}.pdf")).mime_str("application/pdf");
            let form = Form::new().text("owner_kind", "report").text("owner_id", report_id).part("file", file.unwrap());
            let upload =
                api.http.post(format!("{}/api/v1/attachments", api.base)).bearer_auth(&api.key).multipart(form);
            let attachment = api.send("POST /api/v1/attachments", upload).await;
            let released = api
                .call(
                    Method::PATCH,
                    &format!("/api/v1/attachments/{}", id(&attachment)),
                    Some(json!({ "released": true })),
                )
                .await;
            assert_eq!(released["released"], true, "release answered {released}");
        }
    })
    .await;
    Customer { id: customer_id, locations, label }
}

/// A measured portal user: its session and the locations it may see.
struct User {
    name: &'static str,
    email: String,
    token: String,
    locations: HashSet<String>,
    whole_customer: bool,
}

/// Invites a whole-customer contact and a contact of five sites, accepts both invitations
/// through the portal and signs both in.
async fn invite_users(api: &Api, customer: &Customer) -> Vec<User> {
    let plans = [
        ("whole customer", "whole", customer.locations.clone(), true),
        ("5 of 20 sites", "sites", customer.locations[..SCOPED_LOCATIONS].to_vec(), false),
    ];
    let mut users = Vec::new();
    for (name, local, locations, whole_customer) in plans {
        let email = format!("{local}@{}.bench.example", customer.label);
        let contact = api
            .post(
                "/api/v1/contacts",
                json!({ "customer_id": customer.id, "name": format!("Bench {local}"), "email": email }),
            )
            .await;
        let granted: Vec<&String> = if whole_customer { Vec::new() } else { locations.iter().collect() };
        let invitation = api
            .post(
                "/api/v1/invitations",
                json!({ "contact_id": id(&contact), "location_ids": granted, "can_download": true }),
            )
            .await;
        let code = invitation["code"].as_str().unwrap_or_else(|| panic!("no code in {invitation}"));
        let accept = api.http.post(format!("{}/portal/v1/invitations/accept", api.base)).json(&json!({
            "code": code,
            "display_name": format!("Bench {local}"),
            "password": PASSWORD,
        }));
        api.send("POST /portal/v1/invitations/accept", accept).await;
        let sign_in = api
            .http
            .post(format!("{}/portal/v1/session", api.base))
            .json(&json!({ "email": email, "password": PASSWORD }));
        let session = api.send("POST /portal/v1/session", sign_in).await;
        let token = session["token"].as_str().unwrap_or_else(|| panic!("no token in {session}")).to_string();
        users.push(User { name, email, token, locations: locations.into_iter().collect(), whole_customer });
    }
    users
}

/// Fails unless every list answers for `user` with rows of its own locations only, in order.
async fn check_lists(api: &Api, user: &User, customer: &Customer, foreign: &HashSet<String>) {
    for path in LISTS {
        let (path, query) = match path.split_once('?') {
            Some((path, "when=past")) => (path, vec![("when", "past")]),
            _ => (path, Vec::new()),
        };
        let body = api.portal_get(path, &query, &user.token).await;
        let what = format!("GET {path} {query:?} as {}", user.name);
        if path == "/portal/v1/me" {
            assert_eq!(body["email"], user.email.as_str(), "{what}: {body}");
            let customers = body["customers"].as_array().unwrap_or_else(|| panic!("{what}: no customers: {body}"));
            assert_eq!(customers.len(), 1, "{what}: {body}");
            assert_eq!(customers[0]["id"], customer.id.as_str(), "{what}: {body}");
            assert_eq!(customers[0]["whole_customer"], user.whole_customer, "{what}: {body}");
            let seen: HashSet<String> = customers[0]["locations"].as_array().unwrap().iter().map(id).collect();
            assert_eq!(seen, user.locations, "{what}: the locations differ from the grant");
            continue;
        }
        let items = body["items"].as_array().unwrap_or_else(|| panic!("{what}: no items: {body}"));
        for item in items {
            check_location(item, user, foreign, &what);
        }
        let expect_rows = ["/portal/v1/appointments", "/portal/v1/work", "/portal/v1/timeline", "/portal/v1/reports"];
        if expect_rows.contains(&path) {
            assert!(!items.is_empty(), "{what}: no rows");
        }
        if path == "/portal/v1/appointments" {
            let starts: Vec<DateTime<Utc>> = items.iter().map(|item| instant(&item["starts_at"])).collect();
            let now = Utc::now();
            if query.is_empty() {
                assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{what}: not soonest first");
                let ended = items.iter().any(|item| instant(&item["ends_at"]) <= now);
                assert!(!ended, "{what}: a visit that ended among the upcoming");
            } else {
                assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{what}: not latest first");
                assert!(starts.iter().all(|&at| at < now), "{what}: an upcoming visit among the past");
            }
        }
    }
}

/// Fails if `item`, or a view it embeds, lies outside the user's locations.
fn check_location(item: &Value, user: &User, foreign: &HashSet<String>, what: &str) {
    for value in [item, &item["next_appointment"], &item["planned_appointment"]] {
        if let Some(location) = value["location_id"].as_str() {
            assert!(!foreign.contains(location), "{what}: a row of the other customer: {item}");
            assert!(user.locations.contains(location), "{what}: a row outside the grant: {item}");
        }
    }
}

fn instant(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("not an instant: {value}"));
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|err| panic!("not an instant ({err}): {text}")).to_utc()
}

struct SyncFigures {
    total_seconds: f64,
    pages: usize,
    changes: usize,
    megabytes: f64,
    first_page_ms: f64,
    last_page_ms: f64,
    idle_median_ms: f64,
    idle_max_ms: f64,
}

/// Times a full sync of `user` (the whole-customer one), checking it brings exactly the
/// visible set once, then 20 syncs with nothing new from its final cursor.
async fn time_sync(api: &Api, user: &User, customer: &Customer, appointments: usize) -> SyncFigures {
    let mut cursor: Option<String> = None;
    let (mut pages, mut bytes, mut total) = (Vec::new(), 0usize, Duration::ZERO);
    let mut seen = HashSet::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let what = format!("sync as {}", user.name);
    loop {
        let mut query = vec![("limit", "1000")];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.as_str()));
        }
        let started = Instant::now();
        let response = api
            .http
            .get(format!("{}/portal/v1/sync", api.base))
            .query(&query)
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap_or_else(|err| panic!("{what}: {err}"));
        let status = response.status();
        let body = response.bytes().await.unwrap_or_else(|err| panic!("{what}: {err}"));
        let took = started.elapsed();
        assert!(status.is_success(), "{what}: HTTP {status}: {}", String::from_utf8_lossy(&body));
        total += took;
        pages.push(took);
        bytes += body.len();
        let page: Value = serde_json::from_slice(&body).unwrap_or_else(|err| panic!("{what}: not JSON: {err}"));
        if pages.len() == 1 {
            assert_eq!(page["reset"], true, "{what}: the first page of a full sync must reset");
        }
        for change in page["changes"].as_array().unwrap_or_else(|| panic!("{what}: no changes")) {
            assert_eq!(change["op"], "upsert", "{what}: a removal in a first sync: {change}");
            let kind = change["kind"].as_str().unwrap_or_else(|| panic!("{what}: no kind: {change}")).to_string();
            let item = &change["item"];
            check_location(item, user, &HashSet::new(), &what);
            assert!(seen.insert((kind.clone(), id(item))), "{what}: sent twice: {change}");
            *kinds.entry(kind).or_default() += 1;
        }
        cursor = Some(page["cursor"].as_str().unwrap_or_else(|| panic!("{what}: no cursor")).to_string());
        if page["more"] != true {
            break;
        }
    }
    for (kind, expected) in [
        ("location", customer.locations.len()),
        ("appointment", appointments),
        ("report", REPORTS),
        ("attachment", REPORTS),
    ] {
        assert_eq!(kinds.get(kind).copied().unwrap_or(0), expected, "{what}: {kind} rows; all kinds: {kinds:?}");
    }
    println!("  full sync brought {kinds:?}");

    let cursor = cursor.unwrap();
    let mut idle = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let page =
            api.portal_get("/portal/v1/sync", &[("limit", "1000"), ("cursor", cursor.as_str())], &user.token).await;
        idle.push(started.elapsed());
        assert_eq!(page["changes"].as_array().map(Vec::len), Some(0), "{what}: changes when nothing changed: {page}");
        assert_eq!(page["more"], false, "{what}: more when nothing changed");
    }
    idle.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    SyncFigures {
        total_seconds: total.as_secs_f64(),
        pages: pages.len(),
        changes: seen.len(),
        megabytes: bytes as f64 / 1e6,
        first_page_ms: ms(pages[0]),
        last_page_ms: ms(*pages.last().unwrap()),
        idle_median_ms: (ms(idle[9]) + ms(idle[10])) / 2.0,
        idle_max_ms: ms(idle[19]),
    }
}

/// What wrk measured on one endpoint.
#[derive(Clone, Default)]
struct Load {
    requests_per_second: f64,
    p99_ms: f64,
    requests: u64,
    non_2xx: u64,
    socket_errors: u64,
    timeouts: u64,
}

/// Drives `url` with wrk: 64 connections on 2 threads. Answers slower than 10 s count as
/// timeouts (wrk leaves them out of its latencies).
async fn wrk(url: &str, token: Option<&str>, seconds: u32) -> Load {
    let mut command = tokio::process::Command::new("wrk");
    command.args(["-c64", "-t2", "--latency", "--timeout", "10s", "-d"]).arg(format!("{seconds}s"));
    if let Some(token) = token {
        command.arg("-H").arg(format!("Authorization: Bearer {token}"));
    }
    let output = command.arg(url).output().await.expect("run wrk (scripts/bench-load.sh installs it)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "wrk {url} failed: {text}{}", String::from_utf8_lossy(&output.stderr));
    parse_wrk(&text).unwrap_or_else(|| panic!("unexpected wrk output for {url}:\n{text}"))
}

fn parse_wrk(text: &str) -> Option<Load> {
    let mut load = Load::default();
    let mut saw_rate = false;
    for line in text.lines().map(str::trim) {
        if let Some(rate) = line.strip_prefix("Requests/sec:") {
            load.requests_per_second = rate.trim().parse().ok()?;
            saw_rate = true;
        } else if let Some(p99) = line.strip_prefix("99%") {
            load.p99_ms = parse_duration_ms(p99.trim())?;
        } else if let Some((count, _)) = line.split_once(" requests in ") {
            load.requests = count.trim().parse().ok()?;
        } else if let Some(count) = line.strip_prefix("Non-2xx or 3xx responses:") {
            load.non_2xx = count.trim().parse().ok()?;
        } else if let Some(errors) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 12"
            for part in errors.split(',') {
                let (name, count) = part.trim().split_once(' ')?;
                let count: u64 = count.trim().parse().ok()?;
                load.socket_errors += count;
                if name == "timeout" {
                    load.timeouts = count;
                }
            }
        }
    }
    saw_rate.then_some(load)
}

/// wrk's durations: "812.00us", "1.23ms", "2.00s", "1.50m".
fn parse_duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    Some(number * factor)
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "MISS"
    }
}

/// 12345.6 as "12,346".
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// wrk reports no latency when no answer came back during the run.
fn p99(load: &Load) -> String {
    if load.requests == 0 {
        "no answer".into()
    } else {
        format!("{:.1}", load.p99_ms)
    }
}

fn errors(load: &Load) -> String {
    if load.non_2xx == 0 && load.socket_errors == 0 {
        return "0".into();
    }
    let mut parts = Vec::new();
    if load.non_2xx > 0 {
        parts.push(format!("{} non-2xx", load.non_2xx));
    }
    if load.socket_errors > 0 {
        parts.push(format!("{} socket ({} timeouts)", load.socket_errors, load.timeouts));
    }
    parts.join(", ")
}

fn list_passes(load: &Load, healthz: &Load) -> bool {
    load.requests > 0
        && load.requests_per_second >= GOAL_SHARE_OF_HEALTHZ * healthz.requests_per_second
        && load.p99_ms <= GOAL_P99_MS
        && load.non_2xx == 0
        && load.socket_errors == 0
}

fn print_run(run: &Run) {
    let healthz = &run.healthz;
    println!("\n### {}, {} appointments per customer\n", run.backend, thousands(run.size as f64));
    println!(
        "Seeded in {:.1} s ({} API requests). Goal per list: ≥ {:.0} % of `/healthz` req/s, p99 ≤ {GOAL_P99_MS} ms, \
         no errors.\n",
        run.seed_seconds,
        thousands(run.seed_requests as f64),
        GOAL_SHARE_OF_HEALTHZ * 100.0
    );
    println!("| endpoint | user | req/s | % of /healthz | p99 ms | errors | goal |");
    println!("|---|---|---:|---:|---:|---|---|");
    println!(
        "| `/healthz` | – | {} | 100 % | {} | {} | |",
        thousands(healthz.requests_per_second),
        p99(healthz),
        errors(healthz)
    );
    for list in &run.lists {
        let load = &list.load;
        println!(
            "| `{}` | {} | {} | {:.1} % | {} | {} | {} |",
            list.path,
            list.user,
            thousands(load.requests_per_second),
            100.0 * load.requests_per_second / healthz.requests_per_second.max(f64::MIN_POSITIVE),
            p99(load),
            errors(load),
            verdict(list_passes(load, healthz))
        );
    }
    let sync = &run.sync;
    println!("\n| sync of the whole-customer user | figure | goal |");
    println!("|---|---|---|");
    println!(
        "| full sync (server side) | {:.2} s: {} pages, {} changes, {:.1} MB | ≤ {GOAL_FULL_SYNC_S} s {} |",
        sync.total_seconds,
        thousands(sync.pages as f64),
        thousands(sync.changes as f64),
        sync.megabytes,
        verdict(sync.total_seconds <= GOAL_FULL_SYNC_S)
    );
    println!(
        "| first / last page | {:.1} ms / {:.1} ms | last ≤ {GOAL_LAST_PAGE_FACTOR}× first {} |",
        sync.first_page_ms,
        sync.last_page_ms,
        verdict(sync.last_page_ms <= GOAL_LAST_PAGE_FACTOR * sync.first_page_ms)
    );
    println!(
        "| sync with nothing new (20 runs) | median {:.1} ms, max {:.1} ms | median ≤ {GOAL_IDLE_SYNC_MS} ms {} |",
        sync.idle_median_ms,
        sync.idle_max_ms,
        verdict(sync.idle_median_ms <= GOAL_IDLE_SYNC_MS)
    );
}

/// Growth from the smallest to the largest size, per backend.
fn print_growth(runs: &[Run]) {
    let mut backends: Vec<&str> = Vec::new();
    for run in runs {
        if !backends.contains(&run.backend) {
            backends.push(run.backend);
        }
    }
    for backend in backends {
        let of_backend: Vec<&Run> = runs.iter().filter(|run| run.backend == backend).collect();
        let small = of_backend.iter().min_by_key(|run| run.size).unwrap();
        let large = of_backend.iter().max_by_key(|run| run.size).unwrap();
        if small.size == large.size {
            continue;
        }
        println!(
            "\n### Growth on {backend}, {} → {} appointments per customer\n",
            thousands(small.size as f64),
            thousands(large.size as f64)
        );
        println!("| measure | user | small | large | ratio | goal |");
        println!("|---|---|---:|---:|---:|---|");
        let ratio = large.sync.total_seconds / small.sync.total_seconds;
        println!(
            "| full sync | whole customer | {:.2} s | {:.2} s | {ratio:.1} | ≤ {GOAL_SYNC_GROWTH} {} |",
            small.sync.total_seconds,
            large.sync.total_seconds,
            verdict(ratio <= GOAL_SYNC_GROWTH)
        );
        let mut worst: f64 = 0.0;
        for (before, after) in small.lists.iter().zip(&large.lists) {
            // A list that gave no answer at either size has no ratio; it misses.
            let answered = before.load.requests > 0 && after.load.requests > 0;
            let ratio = if answered { after.load.p99_ms / before.load.p99_ms.max(0.001) } else { f64::INFINITY };
            worst = worst.max(ratio);
            println!(
                "| `{}` p99 | {} | {} ms | {} ms | {ratio:.2} | ≤ {GOAL_P99_GROWTH} {} |",
                before.path,
                before.user,
                p99(&before.load),
                p99(&after.load),
                verdict(ratio <= GOAL_P99_GROWTH)
            );
        }
        println!("\nWorst list p99 ratio on {backend}: {worst:.2} ({}).", verdict(worst <= GOAL_P99_GROWTH));
    }
}
