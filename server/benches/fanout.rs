//! Live event fan-out benchmark (issue 12 item 4), run by `scripts/bench-fanout.sh`.
//!
//! For each backend it starts the release server as a process, seeds two customers
//! through `/api/v1`, invites four portal users with different scopes, opens
//! `--streams` event streams spread over them, then makes `--changes` staff changes
//! through `/api/v1` (follow-ups, alternately at a location most users see and at the
//! other customer's) and times each event from the staff request to every stream that
//! may see it. A stream that receives an event it may not see, or misses one, fails the
//! run. It reports p50/p99 delivery latency and the server's CPU time and resident memory.
//!
//! Arguments: `--server PATH`, `--postgres ADMIN_URL` (default `ORDINAVO_TEST_POSTGRES_URL`),
//! `--streams N` (default 2000), `--changes N` (default 20).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;

#[path = "support/server.rs"]
mod server;
use server::Server;

const PASSWORD: &str = "fan-out benchmark passphrase 2026";
/// The goal of issue 12: every stream has the change within a second.
const GOAL_P99_MS: f64 = 1000.0;

struct Args {
    server: PathBuf,
    postgres: Option<String>,
    streams: usize,
    changes: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        server: Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/ordinavo-server"),
        postgres: std::env::var("ORDINAVO_TEST_POSTGRES_URL").ok(),
        streams: 2000,
        changes: 20,
    };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        let mut value = |name: &str| given.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match arg.as_str() {
            "--server" => args.server = PathBuf::from(value("--server")),
            "--postgres" => args.postgres = Some(value("--postgres")),
            "--streams" => args.streams = value("--streams").parse().expect("--streams takes a number"),
            "--changes" => args.changes = value("--changes").parse().expect("--changes takes a number"),
            // `cargo bench` passes this to every bench binary.
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    assert!(args.server.is_file(), "no server binary at {}", args.server.display());
    let mut backends = vec![("SQLite", None)];
    if let Some(url) = &args.postgres {
        backends.push(("PostgreSQL", Some(url.clone())));
    }
    let mut rows = Vec::new();
    for (backend, admin) in backends {
        rows.push(run(&args, backend, admin.as_deref()).await);
    }
    println!("\n| backend | streams | changes | deliveries | p50 | p99 | max | server CPU (changes) | CPU idle 10 s | RSS | peak RSS | goal p99 ≤ 1 s |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for row in &rows {
        println!("{row}");
    }
}

struct Figures {
    backend: &'static str,
    streams: usize,
    changes: usize,
    deliveries: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    cpu_changes_s: f64,
    cpu_idle_s: f64,
    rss_mib: f64,
    peak_rss_mib: f64,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let goal = if self.p99_ms <= GOAL_P99_MS { "PASS" } else { "MISS" };
        write!(
            f,
            "| {} | {} | {} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} s | {:.2} s | {:.0} MiB | {:.0} MiB | {goal} |",
            self.backend,
            self.streams,
            self.changes,
            self.deliveries,
            self.p50_ms,
            self.p99_ms,
            self.max_ms,
            self.cpu_changes_s,
            self.cpu_idle_s,
            self.rss_mib,
            self.peak_rss_mib
        )
    }
}

/// A portal user of the run: who they are and whether they see each change's place.
struct User {
    token: String,
    sees_first: bool,
    sees_second: bool,
}

async fn run(args: &Args, backend: &'static str, admin: Option<&str>) -> Figures {
    println!("\n[{backend}] starting");
    let dir = tempfile::tempdir().unwrap();
    let (url, database) = match admin {
        None => (format!("sqlite://{}", dir.path().join("bench.db").display()), None),
        Some(admin) => {
            let name = format!("bench_fanout_{}", uuid::Uuid::now_v7().simple());
            let db = ordinavo_server::storage::connect(admin).await.expect("connect to PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&db.pool).await.unwrap();
            db.pool.close().await;
            let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
            (format!("{base}/{name}"), Some((admin.to_string(), name)))
        }
    };
    let server = Server::start(&args.server, dir.path(), &url).await;
    let api = Api { http: reqwest::Client::new(), base: server.base.clone(), key: server.key.clone() };

    // Customer A with four sites, customer B with two; a target at each.
    let a = api.post("/api/v1/customers", json!({ "name": "Fan-out A" })).await;
    let b = api.post("/api/v1/customers", json!({ "name": "Fan-out B" })).await;
    let mut sites = Vec::new();
    for (customer, count) in [(&a, 4), (&b, 2)] {
        for i in 0..count {
            let location = api
                .post(
                    "/api/v1/locations",
                    json!({ "customer_id": id(customer), "name": format!("Site {i}"), "address_line": "1 Main St",
                            "city": "Dubai", "country_code": "AE", "time_zone": "Asia/Dubai" }),
                )
                .await;
            let target =
                api.post("/api/v1/targets", json!({ "location_id": id(&location), "title": "Maintenance" })).await;
            sites.push((id(&location), id(&target)));
        }
    }
    // The changes happen at A's first site and at B's first site.
    let (first, second) = (&sites[0], &sites[4]);
    let plans: [(&str, &Value, Vec<&str>, bool, bool); 4] = [
        ("whole-a", &a, vec![], true, false),
        ("site-a0", &a, vec![first.0.as_str()], true, false),
        ("sites-a1-a3", &a, vec![sites[1].0.as_str(), sites[2].0.as_str(), sites[3].0.as_str()], false, false),
        ("whole-b", &b, vec![], false, true),
    ];
    let mut users = Vec::new();
    for (local, customer, locations, sees_first, sees_second) in plans {
        let token = api.portal_user(local, &id(customer), &locations).await;
        users.push(User { token, sees_first, sees_second });
    }

    // The streams, spread over the users; each reports (stream, subject, arrival).
    let (arrivals, mut arrived) = mpsc::unbounded_channel::<(usize, String, Instant)>();
    let opened = Arc::new(Mutex::new(0usize));
    let mut expected_first = 0;
    let mut expected_second = 0;
    let sse = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let mut scope_of = Vec::new();
    let mut readers = Vec::new();
    for stream in 0..args.streams {
        let user = &users[stream % users.len()];
        expected_first += usize::from(user.sees_first);
        expected_second += usize::from(user.sees_second);
        scope_of.push((user.sees_first, user.sees_second));
        let request = sse.get(format!("{}/portal/v1/events", server.base)).bearer_auth(&user.token);
        let (arrivals, opened) = (arrivals.clone(), Arc::clone(&opened));
        readers.push(tokio::spawn(async move {
            let mut response = request.send().await.expect("open an event stream");
            assert!(response.status().is_success(), "event stream: HTTP {}", response.status());
            let mut buffer = String::new();
            let mut counted = false;
            while let Some(chunk) = response.chunk().await.expect("read an event stream") {
                let at = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    if !counted && block.starts_with(':') && block.contains("connected") {
                        counted = true;
                        *opened.lock().unwrap() += 1;
                    }
                    if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                        let event: Value = serde_json::from_str(data.trim()).unwrap();
                        let subject = event["subject_id"].as_str().unwrap().to_string();
                        let _ = arrivals.send((stream, subject, at));
                    }
                }
            }
            panic!("event stream {stream} ended");
        }));
    }
    drop(arrivals);
    let started = Instant::now();
    while *opened.lock().unwrap() < args.streams {
        assert!(started.elapsed() < Duration::from_secs(120), "streams did not open within 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("[{backend}] {} streams open in {:.1} s", args.streams, started.elapsed().as_secs_f64());

    let idle_before = cpu_seconds(server.child.id());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let cpu_idle_s = cpu_seconds(server.child.id()) - idle_before;

    let cpu_before = cpu_seconds(server.child.id());
    let mut latencies = Vec::new();
    for change in 0..args.changes {
        let at_first = change % 2 == 0;
        let (target, expected) = if at_first { (&first.1, expected_first) } else { (&second.1, expected_second) };
        let sent = Instant::now();
        let follow_up = api
            .post("/api/v1/follow-ups", json!({ "target_id": target, "description": format!("Change {change}") }))
            .await;
        let subject = id(&follow_up);
        let mut reached: HashMap<usize, Instant> = HashMap::new();
        while reached.len() < expected {
            let (stream, seen, at) = tokio::time::timeout(Duration::from_secs(30), arrived.recv())
                .await
                .unwrap_or_else(|_| panic!("change {change}: {} of {expected} streams within 30 s", reached.len()))
                .expect("streams open");
            assert_eq!(seen, subject, "stream {stream} received an event out of order or out of scope");
            let (sees_first, sees_second) = scope_of[stream];
            assert!(if at_first { sees_first } else { sees_second }, "stream {stream} received an event out of scope");
            assert!(reached.insert(stream, at).is_none(), "stream {stream} received the change twice");
        }
        latencies.extend(reached.values().map(|at| at.duration_since(sent).as_secs_f64() * 1000.0));
        // The next change comes after a pause, as staff changes do.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let cpu_changes_s = cpu_seconds(server.child.id()) - cpu_before;
    let (rss_mib, peak_rss_mib) = memory_mib(server.child.id());
    assert!(arrived.try_recv().is_err(), "an event reached a stream that may not see it");
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    let figures = Figures {
        backend,
        streams: args.streams,
        changes: args.changes,
        deliveries: latencies.len(),
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
        max_ms: *latencies.last().unwrap(),
        cpu_changes_s,
        cpu_idle_s,
        rss_mib,
        peak_rss_mib,
    };
    println!("{figures}");
    // The streams end with the server; their readers go first, so that is no failure.
    readers.iter().for_each(tokio::task::JoinHandle::abort);
    for reader in readers {
        let _ = reader.await;
    }
    drop(server);
    if let Some((admin, name)) = database {
        let db = ordinavo_server::storage::connect(&admin).await.unwrap();
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&db.pool).await.unwrap();
        db.pool.close().await;
    }
    figures
}

/// User plus system CPU time of a process so far, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // The kernel's USER_HZ is 100 on every Linux this runs on.
    ticks / 100.0
}

/// Resident and peak resident memory of a process, from `/proc/<pid>/status`.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn id(record: &Value) -> String {
    record["id"].as_str().unwrap_or_else(|| panic!("no id in {record}")).to_string()
}

struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    async fn post(&self, path: &str, body: Value) -> Value {
        let request = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.key).json(&body);
        send(&format!("POST {path}"), request).await
    }

    /// Invites a contact of `customer` with a grant of `locations` (whole customer when
    /// empty), accepts and signs in; returns the session token.
    async fn portal_user(&self, local: &str, customer: &str, locations: &[&str]) -> String {
        let email = format!("{local}@fanout.bench.example");
        let contact = self
            .post(
                "/api/v1/contacts",
                json!({ "customer_id": customer, "name": format!("Bench {local}"), "email": email }),
            )
            .await;
        let invitation = self
            .post(
                "/api/v1/invitations",
                json!({ "contact_id": id(&contact), "location_ids": locations, "can_download": true }),
            )
            .await;
        let code = invitation["code"].as_str().unwrap_or_else(|| panic!("no code in {invitation}"));
        let accept = self.http.post(format!("{}/portal/v1/invitations/accept", self.base)).json(&json!({
            "code": code, "display_name": format!("Bench {local}"), "password": PASSWORD,
        }));
        send("accept", accept).await;
        let sign_in = self
            .http
            .post(format!("{}/portal/v1/session", self.base))
            .json(&json!({ "email": email, "password": PASSWORD }));
        let session = send("sign in", sign_in).await;
        session["token"].as_str().unwrap_or_else(|| panic!("no token in {session}")).to_string()
    }
}

async fn send(what: &str, request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.unwrap_or_else(|err| panic!("{what}: {err}"));
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{what}: HTTP {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
