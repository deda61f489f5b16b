//! The deployment of `deploy/`: Debian's nginx with a self-signed certificate in front
//! of two `ordinavo-server` processes on one PostgreSQL, each with its own data
//! directory. The staff-to-customer story runs through it; files uploaded on one
//! instance download on the other; live events cross instances; then one instance is
//! killed with SIGKILL and the story goes on through the other with nothing lost.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ordinavo_e2e::Server;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const PASSWORD: &str = "a long portal passphrase";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn two_instances_behind_nginx_serve_the_whole_story_and_survive_losing_one() {
    let Ok(admin_url) = std::env::var("ORDINAVO_TEST_POSTGRES_URL") else {
        eprintln!("skipped: several instances need PostgreSQL (ORDINAVO_TEST_POSTGRES_URL)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let proxy_port = free_port();
    let public_url = format!("https://localhost:{proxy_port}");
    let database_url = fresh_database(&admin_url);
    let env = |name: &str| {
        vec![
            ("ORDINAVO_DATA_DIR".to_string(), dir.path().join(name).display().to_string()),
            ("ORDINAVO_DATABASE_URL".to_string(), database_url.clone()),
            ("ORDINAVO_PUBLIC_URL".to_string(), public_url.clone()),
            // nginx reaches the instances from this address; clients come from others.
            ("ORDINAVO_TRUSTED_PROXIES".to_string(), "127.0.0.1".to_string()),
        ]
    };
    let a = Server::start(&env("a"), &[]);
    let b = Server::start(&env("b"), &[]);
    let certificate = self_signed_certificate(dir.path());
    let _nginx = Nginx::start(dir.path(), proxy_port, &[&a.base_url, &b.base_url]);

    let key = String::from_utf8(a.cli(&["api-key", "create", "--name", "deployment"]).stdout).unwrap();
    let key = key.trim().to_string();
    let customer_client = client(&certificate, proxy_port, [127, 0, 0, 5]);
    let proxy = Http { client: customer_client.clone(), base: public_url.clone() };
    let staff_a = Http { client: Client::new(), base: a.base_url.clone() };
    let staff_b = Http { client: Client::new(), base: b.base_url.clone() };

    // Staff set the customer up and invite a contact, through the proxy.
    let customer = proxy.send(&key, "POST", "/api/v1/customers", json!({ "name": "Northwind Properties" })).await;
    let location = proxy
        .send(
            &key,
            "POST",
            "/api/v1/locations",
            json!({ "customer_id": customer["id"], "name": "Northwind Tower",
            "address_line": "Sheikh Zayed Road 1", "city": "Dubai", "country_code": "AE", "time_zone": "Asia/Dubai" }),
        )
        .await;
    let contact = proxy
        .send(
            &key,
            "POST",
            "/api/v1/contacts",
            json!({ "customer_id": customer["id"], "name": "Hannah Becker",
            "email": "facilities@northwind.example" }),
        )
        .await;
    let invitation = proxy
        .send(&key, "POST", "/api/v1/invitations", json!({ "contact_id": contact["id"], "can_download": true }))
        .await;
    let code = invitation["code"].as_str().expect("the code, as no SMTP is set");
    let accepted = proxy
        .send(
            "",
            "POST",
            "/portal/v1/invitations/accept",
            json!({ "code": code, "display_name": "Hannah",
            "password": PASSWORD }),
        )
        .await;
    assert!(accepted["token"].is_string(), "{accepted}");
    let token = sign_in(&proxy, "facilities@northwind.example", PASSWORD).await;

    // The contact listens for live events and submits a request.
    let mut events = EventStream::open(customer_client.clone(), &public_url, &token, None).await;
    let request = proxy
        .send(
            &token,
            "POST",
            "/portal/v1/requests",
            json!({ "location_id": location["id"], "kind": "service",
            "title": "Lift makes a noise", "description": "Between floors 3 and 4." }),
        )
        .await;

    // Staff review and schedule on instance B, and the event reaches the stream wherever it is.
    staff_b
        .send(
            &key,
            "POST",
            &format!("/api/v1/requests/{}/decision", request["id"].as_str().unwrap()),
            json!({ "status": "accepted" }),
        )
        .await;
    let target = staff_b
        .send(
            &key,
            "POST",
            "/api/v1/targets",
            json!({ "location_id": location["id"], "request_id": request["id"],
            "title": "Lift inspection" }),
        )
        .await;
    let appointment = staff_b
        .send(
            &key,
            "POST",
            "/api/v1/appointments",
            json!({ "target_id": target["id"],
            "starts_at": "2027-01-10T08:00:00Z", "ends_at": "2027-01-10T10:00:00Z", "shared_with_portal": true }),
        )
        .await;
    events.wait_for(appointment["id"].as_str().unwrap()).await;

    // The visit happens, the report is published, and its file is uploaded on instance A.
    for status in ["in_progress", "completed"] {
        let path = format!("/api/v1/appointments/{}", appointment["id"].as_str().unwrap());
        staff_a.send(&key, "PATCH", &path, json!({ "status": status })).await;
    }
    let report = staff_a
        .send(
            &key,
            "POST",
            "/api/v1/visit-reports",
            json!({ "target_id": target["id"],
            "appointment_id": appointment["id"], "visit_date": "2027-01-10", "internal_title": "Lift",
            "internal_body": "Guide rail worn", "internal_notes": "bill 3 hours" }),
        )
        .await;
    let report_id = report["id"].as_str().unwrap();
    staff_a.send(&key, "POST", &format!("/api/v1/visit-reports/{report_id}/approve"), json!({})).await;
    staff_a
        .send(
            &key,
            "POST",
            &format!("/api/v1/visit-reports/{report_id}/publish"),
            json!({ "portal_title": "Lift inspection", "portal_summary": "The guide rail is to be replaced." }),
        )
        .await;
    events.wait_for(report_id).await;
    let form =
        reqwest::multipart::Form::new().text("owner_kind", "report").text("owner_id", report_id.to_string()).part(
            "file",
            reqwest::multipart::Part::bytes(PDF).file_name("Lift report.pdf").mime_str("application/pdf").unwrap(),
        );
    let uploaded =
        staff_a.client.post(format!("{}/api/v1/attachments", staff_a.base)).bearer_auth(&key).multipart(form);
    let uploaded: Value = expect(uploaded, StatusCode::CREATED).await.json().await.unwrap();
    let attachment = uploaded["id"].as_str().unwrap();
    staff_a.send(&key, "PATCH", &format!("/api/v1/attachments/{attachment}"), json!({ "released": true })).await;

    // The file downloads from instance B directly and through the proxy (round-robin: both).
    let content = format!("/portal/v1/attachments/{attachment}/content");
    let on_b = staff_b.client.get(format!("{}{content}", staff_b.base)).bearer_auth(&token);
    assert_eq!(expect(on_b, StatusCode::OK).await.bytes().await.unwrap(), PDF);
    for _ in 0..2 {
        let through = proxy.client.get(format!("{public_url}{content}")).bearer_auth(&token);
        assert_eq!(expect(through, StatusCode::OK).await.bytes().await.unwrap(), PDF);
    }

    // Staff cookies are Secure behind TLS.
    let login = proxy.client.get(format!("{public_url}/admin/login")).send().await.unwrap();
    let cookies: Vec<&str> = login.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(!cookies.is_empty() && cookies.iter().all(|c| c.contains("; Secure")), "{cookies:?}");

    // Sign-in limits count per client address as nginx forwards it; a forged header changes nothing.
    let guesser = Http { client: client(&certificate, proxy_port, [127, 0, 0, 3]), base: public_url.clone() };
    let mut locked = false;
    for attempt in 0..40 {
        let body = json!({ "email": format!("nobody{attempt}@northwind.example"), "password": "wrong password" });
        let request = guesser.client.post(format!("{public_url}/portal/v1/session")).json(&body);
        let status = request.header("X-Forwarded-For", format!("10.9.9.{attempt}")).send().await.unwrap().status();
        assert!(status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS, "{status}");
        if status == StatusCode::TOO_MANY_REQUESTS {
            locked = true;
            break;
        }
    }
    assert!(locked, "one client's failures end in 429 although it forged X-Forwarded-For");
    let right = json!({ "email": "facilities@northwind.example", "password": PASSWORD });
    let refused = guesser.client.post(format!("{public_url}/portal/v1/session")).json(&right).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "the locked-out client stays locked out");
    sign_in(
        &Http { client: client(&certificate, proxy_port, [127, 0, 0, 4]), base: public_url.clone() },
        "facilities@northwind.example",
        PASSWORD,
    )
    .await;

    // Instance A dies mid-story: everything goes on through B.
    let last_event = events.last_id.clone();
    a.stop(); // SIGKILL: no shutdown of its own
    let token = sign_in(&proxy, "facilities@northwind.example", PASSWORD).await;
    let second = proxy
        .send(
            &token,
            "POST",
            "/portal/v1/requests",
            json!({ "location_id": location["id"], "kind": "maintenance",
            "title": "Door closer", "description": "The entrance door slams." }),
        )
        .await;
    let mut events = EventStream::open(customer_client.clone(), &public_url, &token, last_event).await;
    let follow = proxy
        .send(
            &key,
            "POST",
            "/api/v1/appointments",
            json!({ "target_id": target["id"],
            "starts_at": "2027-01-20T08:00:00Z", "ends_at": "2027-01-20T09:00:00Z", "shared_with_portal": true }),
        )
        .await;
    events.wait_for(follow["id"].as_str().unwrap()).await;
    let requests = proxy.get(&token, "/portal/v1/requests").await;
    let titles: Vec<&str> =
        requests["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2, "both requests are there: {titles:?}");
    assert!(titles.contains(&"Door closer") && second["id"].is_string());
    let appointments = proxy.get(&token, "/portal/v1/appointments").await;
    assert!(appointments["items"].as_array().unwrap().iter().any(|a| a["id"] == follow["id"]), "{appointments}");
    let through = proxy.client.get(format!("{public_url}{content}")).bearer_auth(&token);
    assert_eq!(expect(through, StatusCode::OK).await.bytes().await.unwrap(), PDF);
    let mut cursor: Option<String> = None;
    let mut synced = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/portal/v1/sync?cursor={c}"),
            None => "/portal/v1/sync".to_string(),
        };
        let page = proxy.get(&token, &path).await;
        cursor = page["cursor"].as_str().map(str::to_string);
        synced += page["changes"].as_array().map_or(0, Vec::len);
        if page["more"] != json!(true) {
            break;
        }
    }
    assert!(synced >= 6, "a full sync through the surviving instance brings everything: {synced} changes");
}

/// A client that reaches the proxy as `localhost`, from the loopback address
/// `source`, trusting the test's certificate.
fn client(certificate: &[u8], port: u16, source: [u8; 4]) -> Client {
    Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certificate).unwrap())
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], port)))
        .local_address(IpAddr::V4(Ipv4Addr::from(source)))
        .build()
        .unwrap()
}

struct Http {
    client: Client,
    base: String,
}

impl Http {
    /// Sends `body` with the bearer `token` (none when empty) and expects a 2xx JSON answer.
    async fn send(&self, token: &str, method: &str, path: &str, body: Value) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.base)).json(&body);
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if path == "/portal/v1/requests" {
            request = request.header("Idempotency-Key", uuid::Uuid::now_v7().to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn get(&self, token: &str, path: &str) -> Value {
        let request = self.client.get(format!("{}{path}", self.base)).bearer_auth(token);
        expect(request, StatusCode::OK).await.json().await.unwrap()
    }
}

async fn expect(request: reqwest::RequestBuilder, status: StatusCode) -> reqwest::Response {
    let response = request.send().await.unwrap();
    if response.status() != status {
        panic!("expected {status}, got {}: {}", response.status(), response.text().await.unwrap());
    }
    response
}

async fn sign_in(http: &Http, email: &str, password: &str) -> String {
    let session = http.send("", "POST", "/portal/v1/session", json!({ "email": email, "password": password })).await;
    session["token"].as_str().expect("a session token").to_string()
}

/// A live event stream read in the background, line by line.
struct EventStream {
    lines: mpsc::UnboundedReceiver<String>,
    last_id: Option<String>,
}

impl EventStream {
    async fn open(client: Client, base: &str, token: &str, last_id: Option<String>) -> EventStream {
        let mut request = client.get(format!("{base}/portal/v1/events")).bearer_auth(token);
        if let Some(id) = &last_id {
            request = request.header("Last-Event-ID", id);
        }
        let mut response = expect(request, StatusCode::OK).await;
        let (sender, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut pending = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find('\n') {
                    let line: String = pending.drain(..=end).collect();
                    if sender.send(line.trim_end().to_string()).is_err() {
                        return;
                    }
                }
            }
        });
        EventStream { lines, last_id }
    }

    /// Waits for an event that names `subject`, remembering the last event id seen.
    async fn wait_for(&mut self, subject: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = tokio::time::timeout(left, self.lines.recv()).await;
            let line =
                line.unwrap_or_else(|_| panic!("no live event about {subject} within 30 s")).expect("stream open");
            if let Some(id) = line.strip_prefix("id:") {
                self.last_id = Some(id.trim().to_string());
            }
            if line.starts_with("data:") && line.contains(subject) {
                return;
            }
        }
    }
}

/// Debian's nginx with `deploy/nginx/ordinavo.conf` filled in, in the foreground.
struct Nginx {
    child: Child,
}

impl Nginx {
    fn start(dir: &Path, port: u16, instances: &[&str]) -> Nginx {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let template = std::fs::read_to_string(root.join("deploy/nginx/ordinavo.conf")).unwrap();
        let servers: Vec<String> = instances
            .iter()
            .map(|url| format!("server {} max_fails=1 fail_timeout=30s;", url.trim_start_matches("http://")))
            .collect();
        let site = template
            .replace("@LISTEN@", &format!("127.0.0.1:{port}"))
            .replace("@SERVER_NAME@", "localhost")
            .replace("@CERTIFICATE@", &dir.join("cert.pem").display().to_string())
            .replace("@CERTIFICATE_KEY@", &dir.join("key.pem").display().to_string())
            .replace("@INSTANCES@", &servers.join("\n    "));
        let unfilled = site.lines().filter(|line| !line.trim_start().starts_with('#')).any(|line| line.contains('@'));
        assert!(!unfilled, "every value of the template is filled in");
        let nginx = dir.join("nginx");
        for sub in ["body", "proxy"] {
            std::fs::create_dir_all(nginx.join(sub)).unwrap();
        }
        std::fs::write(nginx.join("ordinavo.conf"), site).unwrap();
        let n = nginx.display();
        let main = format!(
            "daemon off;\nworker_processes 1;\npid {n}/nginx.pid;\nerror_log {n}/error.log warn;\n{}\
             events {{ worker_connections 512; }}\n\
             http {{\n  access_log {n}/access.log;\n  client_body_temp_path {n}/body;\n  proxy_temp_path {n}/proxy;\n  \
             include {n}/ordinavo.conf;\n}}\n",
            // As root, the workers would otherwise run as nobody, who cannot write the temp folders.
            if is_root() { "user root;\n" } else { "" }
        );
        std::fs::write(nginx.join("nginx.conf"), main).unwrap();
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists());
        let binary = binary.expect("nginx, installed by scripts/install-deps.sh");
        let child = Command::new(binary)
            .arg("-p")
            .arg(&nginx)
            .arg("-c")
            .arg(nginx.join("nginx.conf"))
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nginx");
        let mut started = Nginx { child };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = started.child.try_wait().unwrap() {
                panic!(
                    "nginx exited with {status}: {}",
                    std::fs::read_to_string(nginx.join("error.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "nginx did not listen within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        started
    }
}

impl Drop for Nginx {
    /// SIGTERM, so the master stops its workers too (SIGKILL would leave them running).
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

/// A certificate for `localhost`, made with openssl; returns it in PEM.
fn self_signed_certificate(dir: &Path) -> Vec<u8> {
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost", "-keyout"])
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl made the certificate");
    std::fs::read(dir.join("cert.pem")).unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A new database on the test cluster, shared by both instances.
fn fresh_database(admin_url: &str) -> String {
    let name = format!("deployment_{}", std::process::id());
    let created = Command::new("psql")
        .args([admin_url, "-v", "ON_ERROR_STOP=1", "-qc", &format!("CREATE DATABASE {name}")])
        .status()
        .expect("run psql");
    assert!(created.success(), "creating {name}");
    let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(admin_url);
    format!("{base}/{name}")
}
