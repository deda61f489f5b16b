//! A real `ordinavo-server` with demo data, an integration API key to act as staff,
//! and an app data folder for the client — inside the desktop session that
//! `scripts/desktop-session.sh` provides (keyring and notification daemon).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ordinavo_client::cache::window::Window;
use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::{Client, ServerAddress};
use ordinavo_e2e::Server;
use portal_types::{LocationView, SyncKind};
use serde_json::{json, Value};

pub const PASSWORD: &str = "portal-demo-2026";
pub const FACILITIES: &str = "facilities@northwind.example";

/// Fails (never skips) outside a desktop session, naming the fix.
pub fn require_desktop_session() {
    assert_eq!(
        std::env::var("ORDINAVO_DESKTOP_SESSION").as_deref(),
        Ok("ready"),
        "these tests need a D-Bus session with an unlocked keyring and a notification daemon: \
         run them through scripts/desktop-session.sh (as `make test` does)"
    );
}

pub struct Stack {
    pub server: Server,
    pub data_dir: PathBuf,
    pub app_dir: tempfile::TempDir,
    pub key: String,
    pub http: reqwest::Client,
    pub server_dir: tempfile::TempDir,
}

impl Stack {
    pub fn start() -> Stack {
        require_desktop_session();
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("server");
        let env = [("ORDINAVO_DATA_DIR".to_string(), data_dir.to_string_lossy().to_string())];
        let server = Server::start(&env, &["--demo"]);
        let created = server.cli(&["api-key", "create", "--name", "client-tests"]);
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
        let key = String::from_utf8(created.stdout).unwrap().trim().to_string();
        Stack {
            server,
            data_dir,
            app_dir: tempfile::tempdir().unwrap(),
            key,
            http: reqwest::Client::new(),
            server_dir: dir,
        }
    }

    pub fn address(&self) -> ServerAddress {
        ServerAddress::parse(&self.server.base_url).unwrap()
    }

    pub fn app(&self) -> &Path {
        self.app_dir.path()
    }

    pub async fn sign_in(&self, email: &str) -> Client {
        Client::sign_in(self.app(), &self.address(), email, PASSWORD, Arc::new(DesktopNotifier)).await.unwrap()
    }

    /// Acts as staff through the integration API; returns the JSON answer after checking the status.
    pub async fn staff(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = self
            .http
            .request(method, format!("{}{path}", self.server.base_url))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.staff(reqwest::Method::POST, path, body).await
    }

    pub async fn target(&self, location_id: &str, title: &str) -> String {
        let target = self.post("/api/v1/targets", json!({ "location_id": location_id, "title": title })).await;
        target["id"].as_str().unwrap().to_string()
    }

    /// A published report with one released attachment; returns (report id, attachment id).
    pub async fn published_report(&self, location_id: &str, content: &[u8]) -> (String, String) {
        let target = self.target(location_id, "Pump service").await;
        let report = self
            .post(
                "/api/v1/visit-reports",
                json!({ "target_id": target, "visit_date": "2026-11-20", "internal_title": "Pumps",
                        "internal_body": "Pump 2 bearing noisy", "internal_notes": "internal only" }),
            )
            .await;
        let report = report["id"].as_str().unwrap().to_string();
        self.post(&format!("/api/v1/visit-reports/{report}/approve"), json!({})).await;
        self.post(
            &format!("/api/v1/visit-reports/{report}/publish"),
            json!({ "portal_title": "Pump service", "portal_summary": "Both pumps serviced." }),
        )
        .await;
        let form = reqwest::multipart::Form::new().text("owner_kind", "report").text("owner_id", report.clone()).part(
            "file",
            reqwest::multipart::Part::bytes(content.to_vec())
                .file_name("Pump protocol.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
        let response = self
            .http
            .post(format!("{}/api/v1/attachments", self.server.base_url))
            .bearer_auth(&self.key)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let attachment: Value = response.json().await.unwrap();
        let attachment = attachment["id"].as_str().unwrap().to_string();
        self.staff(reqwest::Method::PATCH, &format!("/api/v1/attachments/{attachment}"), json!({ "released": true }))
            .await;
        (report, attachment)
    }

    /// Runs SQL on the server's database, as staff tools outside the API would.
    pub fn server_sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.data_dir.join("ordinavo.db")).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        conn.execute_batch(sql).unwrap();
    }

    /// Requests with this title on the server, as staff see them.
    pub async fn requests_titled(&self, title: &str) -> usize {
        let mut count = 0;
        let mut after: Option<String> = None;
        loop {
            let mut url = format!("{}/api/v1/requests?limit=100", self.server.base_url);
            if let Some(after) = &after {
                url.push_str(&format!("&after={after}"));
            }
            let page: Value = self.http.get(url).bearer_auth(&self.key).send().await.unwrap().json().await.unwrap();
            count += page["items"].as_array().unwrap().iter().filter(|r| r["title"] == title).count();
            match page["next_after"].as_str() {
                Some(next) => after = Some(next.to_string()),
                None => return count,
            }
        }
    }
}

/// The Northwind location named `name` in the client's cache.
pub fn location(client: &Client, name: &str) -> LocationView {
    let locations: Vec<LocationView> = client.window(&Window::of(SyncKind::Location, 500)).unwrap().items;
    locations.into_iter().find(|l| l.name.contains(name)).unwrap_or_else(|| panic!("no location {name}"))
}

/// Files left under a folder, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// A switchable TCP relay in front of the server: closing it cuts every connection
/// and refuses new ones, as a lost network would; opening it brings the server back.
pub struct Gate {
    pub url: String,
    open: Arc<std::sync::atomic::AtomicBool>,
    relays: Arc<std::sync::Mutex<tokio::task::JoinSet<()>>>,
}

impl Gate {
    pub async fn start(upstream: &str) -> Gate {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let open = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let relays = Arc::new(std::sync::Mutex::new(tokio::task::JoinSet::new()));
        let (is_open, tasks) = (open.clone(), relays.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !is_open.load(std::sync::atomic::Ordering::SeqCst) {
                    continue;
                }
                let upstream = upstream.clone();
                tasks.lock().unwrap().spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Gate { url, open, relays }
    }

    pub fn address(&self) -> ServerAddress {
        ServerAddress::parse(&self.url).unwrap()
    }

    pub fn close(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        self.relays.lock().unwrap().abort_all();
    }

    pub fn reopen(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The second client process of the outbox crash tests (`examples/outbox_probe.rs`).
pub fn probe() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let path = deps.parent().unwrap().parent().unwrap().join("examples/outbox_probe");
    assert!(path.exists(), "{} is missing; `cargo test` builds it", path.display());
    path
}
