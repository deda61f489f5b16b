//! Test support: a fresh app per test on each backend — SQLite always, PostgreSQL
//! when `ORDINAVO_TEST_POSTGRES_URL` names a server — driven without a socket.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use ordinavo_server::config::Config;
use ordinavo_server::records::api_keys;
use ordinavo_server::state::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub struct TestApp {
    pub backend: &'static str,
    pub state: AppState,
    pub router: Router,
    pub key: String,
    _dir: tempfile::TempDir,
}

/// A database URL for a fresh, empty database on each available backend.
pub async fn database_urls(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    let mut urls = vec![("sqlite", format!("sqlite://{}", dir.join("test.db").display()))];
    if let Ok(admin_url) = std::env::var("ORDINAVO_TEST_POSTGRES_URL") {
        let name = format!("test_{}", uuid::Uuid::now_v7().simple());
        let db = ordinavo_server::storage::connect(&admin_url).await.expect("connect to the test PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&db.pool).await.expect("create test database");
        db.pool.close().await;
        let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
        urls.push(("postgres", format!("{base}/{name}")));
    }
    urls
}

/// A fresh, empty database on each available backend, with a data directory for it.
pub async fn fresh_databases() -> Vec<(&'static str, String, tempfile::TempDir)> {
    let probe = tempfile::tempdir().unwrap();
    let mut databases = Vec::new();
    for (backend, url) in database_urls(probe.path()).await {
        let dir = tempfile::tempdir().unwrap();
        let url = if backend == "sqlite" { format!("sqlite://{}", dir.path().join("test.db").display()) } else { url };
        databases.push((backend, url, dir));
    }
    databases
}

impl TestApp {
    /// One fresh app per available backend, each with a valid API key.
    pub async fn all() -> Vec<TestApp> {
        Self::all_with(&[]).await
    }

    /// One fresh app per available backend, with extra configuration variables.
    pub async fn all_with(extra: &[(&str, String)]) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for (backend, url, dir) in fresh_databases().await {
            apps.push(Self::configured(backend, url, dir, extra).await);
        }
        apps
    }

    /// A fresh SQLite app with extra configuration variables.
    pub async fn sqlite_with(extra: &[(&str, String)]) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self::configured("sqlite", url, dir, extra).await
    }

    /// An app on the database `url`, with its data in `dir` and extra configuration variables.
    pub async fn configured(
        backend: &'static str,
        url: String,
        dir: tempfile::TempDir,
        extra: &[(&str, String)],
    ) -> TestApp {
        let data_dir = dir.path().to_string_lossy().to_string();
        let config = Config::from_lookup(|name| match name {
            "ORDINAVO_DATABASE_URL" => Some(url.clone()),
            "ORDINAVO_DATA_DIR" => Some(data_dir.clone()),
            other => extra.iter().find(|(k, _)| *k == other).map(|(_, v)| v.clone()).or_else(|| {
                // Small uploads keep the tests fast; the blob store tests set a larger limit.
                (other == "ORDINAVO_MAX_UPLOAD_BYTES").then(|| "65536".into())
            }),
        })
        .unwrap();
        let state = ordinavo_server::open(config).await.expect("open app");
        let key = api_keys::create(&state.db, "tests").await.unwrap().secret;
        let router = ordinavo_server::app(state.clone());
        TestApp { backend, state, router, key, _dir: dir }
    }

    /// Another server instance on this app's database with its own data directory, as
    /// a second machine behind the load balancer would run it.
    pub async fn second_instance(&self) -> (AppState, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut config = (*self.state.config).clone();
        config.data_dir = dir.path().to_path_buf();
        (ordinavo_server::open(config).await.expect("open a second instance"), dir)
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, value)
    }

    /// A request with this app's API key and an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut builder =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {}", self.key));
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    /// Posts and expects 201/200, returning the created record's id.
    pub async fn create(&self, path: &str, body: Value) -> String {
        let (status, value) = self.post(path, body).await;
        assert!(status.is_success(), "[{}] POST {path}: {status} {value}", self.backend);
        value["id"].as_str().unwrap().to_string()
    }

    /// A raw request with a hand-written body and content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.key))
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap();
        self.send(request).await
    }

    /// Uploads a file as multipart/form-data.
    pub async fn upload(
        &self,
        owner_kind: &str,
        owner_id: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> (StatusCode, Value) {
        let boundary = "ordinavo-test-boundary";
        let mut body = Vec::new();
        for (name, value) in [("owner_kind", owner_kind), ("owner_id", owner_id)] {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.raw(Method::POST, "/api/v1/attachments", &format!("multipart/form-data; boundary={boundary}"), body).await
    }

    /// Counts rows of a table, to prove nothing was half-written.
    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&self.state.db.pool).await.unwrap();
        n
    }
}

/// Minimal valid PDF bytes.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// Creates a customer, a location in Berlin and a target there; returns their ids.
pub async fn work(app: &TestApp) -> (String, String, String) {
    let customer = app.create("/api/v1/customers", serde_json::json!({ "name": "Northwind Properties" })).await;
    let location = app
        .create(
            "/api/v1/locations",
            serde_json::json!({
                "customer_id": customer, "name": "HQ Berlin", "address_line": "Friedrichstraße 120",
                "postal_code": "10117", "city": "Berlin", "country_code": "DE", "time_zone": "Europe/Berlin"
            }),
        )
        .await;
    let target = app
        .create("/api/v1/targets", serde_json::json!({ "location_id": location, "title": "Sprinkler inspection", "internal_notes": "key at desk" }))
        .await;
    (customer, location, target)
}

impl TestApp {
    /// One fresh app per backend with the demo data seeded.
    pub async fn all_with_demo() -> Vec<TestApp> {
        let apps = Self::all().await;
        for app in &apps {
            assert!(ordinavo_server::demo::seed(&app.state).await.unwrap());
        }
        apps
    }

    /// Signs a portal user in and returns the session token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let (status, body) = self
            .send(
                Request::post("/portal/v1/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(serde_json::json!({ "email": email, "password": password }).to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{}] sign in {email}: {body}", self.backend);
        body["token"].as_str().unwrap().to_string()
    }

    /// A portal request with a bearer token (or none) and an optional JSON body; returns the raw body too.
    pub async fn portal(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Vec<u8>) {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let response = self.router.clone().oneshot(builder.body(body).unwrap()).await.unwrap();
        let status = response.status();
        (status, response.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    /// A GET on the portal API, decoded as JSON.
    pub async fn portal_get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let (status, bytes) = self.portal(Method::GET, path, Some(token), None).await;
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// The id of the first row a query returns.
    pub async fn id_of(&self, sql: &str) -> String {
        let (id,): (String,) = sqlx::query_as(sql).fetch_one(&self.state.db.pool).await.unwrap();
        id
    }
}

pub const PORTAL_PASSWORD: &str = "portal-demo-2026";
pub const NORTHWIND_ALL: &str = "facilities@northwind.example";
pub const NORTHWIND_MARINA: &str = "site.manager@northwind.example";
pub const CONTOSO: &str = "ops@contoso.example";
