//! Graceful shutdown of the real binary, as a supervisor or a rolling deploy does it:
//! on SIGTERM the server stops accepting, ends live event streams with a `retry:`
//! hint, finishes the request in flight and exits 0. Every wait is for a condition.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{database_urls, NORTHWIND_ALL, PORTAL_PASSWORD};

/// How long any one condition may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

fn free_address() -> String {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string()
}

/// Polls `condition` until it holds, failing after `PATIENCE`.
async fn wait_for<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

struct Running {
    child: Child,
    public: String,
    metrics: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(data_dir: &std::path::Path, database_url: &str) -> Running {
    let (public, metrics) = (free_address(), free_address());
    let child = Command::new(env!("CARGO_BIN_EXE_ordinavo-server"))
        .args(["serve", "--demo"])
        .env("ORDINAVO_DATA_DIR", data_dir)
        .env("ORDINAVO_DATABASE_URL", database_url)
        .env("ORDINAVO_BIND", &public)
        .env("ORDINAVO_METRICS_BIND", &metrics)
        .env("ORDINAVO_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start ordinavo-server");
    let running = Running { child, public, metrics };
    let http = &reqwest::Client::new();
    let ready = &format!("http://{}/readyz", running.public);
    wait_for(
        "the server is ready",
        || async move { http.get(ready).send().await.is_ok_and(|r| r.status().is_success()) },
    )
    .await;
    running
}

async fn scrape(http: &reqwest::Client, metrics: &str) -> String {
    http.get(format!("http://{metrics}/metrics")).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn sigterm_ends_event_streams_with_a_retry_hint_finishes_requests_in_flight_and_exits_0() {
    let probe = tempfile::tempdir().unwrap();
    for (backend, url) in database_urls(probe.path()).await {
        let dir = tempfile::tempdir().unwrap();
        let url = if backend == "sqlite" { format!("sqlite://{}", dir.path().join("test.db").display()) } else { url };
        let mut running = start(dir.path(), &url).await;
        let http = reqwest::Client::new();
        let base = format!("http://{}", running.public);

        let public_metrics = http.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(public_metrics.status(), 404, "[{backend}] no metrics on the public port");
        let signed_in: serde_json::Value = http
            .post(format!("{base}/portal/v1/session"))
            .json(&serde_json::json!({ "email": NORTHWIND_ALL, "password": PORTAL_PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = signed_in["token"].as_str().expect("a session token").to_string();

        let mut events = http.get(format!("{base}/portal/v1/events")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(events.status(), 200, "[{backend}]");
        let mut seen = String::new();
        while !seen.contains(": connected") {
            let chunk = events.chunk().await.unwrap().expect("the stream opens with a comment");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        let (client, metrics) = (&http, &running.metrics);
        wait_for("the stream is counted", || async move {
            scrape(client, metrics).await.contains("ordinavo_event_streams_open 1\n")
        })
        .await;

        // A sign-in whose body is only half sent: `100 Continue` shows the handler is reading it.
        let body = serde_json::json!({ "email": NORTHWIND_ALL, "password": PORTAL_PASSWORD }).to_string();
        let (first, rest) = body.split_at(body.len() / 2);
        let mut in_flight = TcpStream::connect(&running.public).await.unwrap();
        let head = format!(
            "POST /portal/v1/session HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            running.public,
            body.len()
        );
        in_flight.write_all(head.as_bytes()).await.unwrap();
        let mut interim = Vec::new();
        while !String::from_utf8_lossy(&interim).contains("\r\n\r\n") {
            let mut byte = [0u8; 1];
            in_flight.read_exact(&mut byte).await.unwrap();
            interim.push(byte[0]);
        }
        assert!(String::from_utf8_lossy(&interim).starts_with("HTTP/1.1 100"), "[{backend}] {interim:?}");
        in_flight.write_all(first.as_bytes()).await.unwrap();

        let terminated = Command::new("kill").args(["-TERM", &running.child.id().to_string()]).status().unwrap();
        assert!(terminated.success());

        while let Some(chunk) = tokio::time::timeout(PATIENCE, events.chunk()).await.expect("the stream ends").unwrap()
        {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("retry: 1000\n"), "[{backend}] the stream ends with a reconnect hint: {seen:?}");

        let refused = running.public.clone();
        wait_for("new connections are refused", || {
            let address = refused.clone();
            async move { TcpStream::connect(address).await.is_err() }
        })
        .await;

        in_flight.write_all(rest.as_bytes()).await.unwrap();
        let mut response = String::new();
        tokio::time::timeout(PATIENCE, in_flight.read_to_string(&mut response)).await.unwrap().unwrap();
        assert!(response.starts_with("HTTP/1.1 201"), "[{backend}] the request in flight completes: {response}");
        assert!(response.contains("\"token\""), "[{backend}] {response}");

        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = running.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "[{backend}] the server did not exit");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(status.code(), Some(0), "[{backend}] a graceful stop exits 0");
    }
}
