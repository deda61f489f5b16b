//! The release server as a real process, for the benchmarks that drive it over HTTP
//! (`load`, `fanout`): included by each with `#[path]`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The release server as a real process, killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// An API key made with the CLI before the server started.
    pub key: String,
}

impl Server {
    pub async fn start(binary: &Path, data_dir: &Path, database_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let bind = format!("127.0.0.1:{port}");
        let command = |args: &[&str]| {
            let mut command = Command::new(binary);
            // Only this run's configuration: no SMTP or other settings from the caller's shell.
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("ORDINAVO_") {
                    command.env_remove(name);
                }
            }
            command
                .args(args)
                .env("ORDINAVO_DATA_DIR", data_dir)
                .env("ORDINAVO_DATABASE_URL", database_url)
                .env("ORDINAVO_BIND", &bind)
                .env("ORDINAVO_LOG", "warn");
            command
        };
        let output = command(&["api-key", "create", "--name", "bench"]).output().expect("run ordinavo-server");
        assert!(output.status.success(), "api-key create failed: {}", String::from_utf8_lossy(&output.stderr));
        let key = String::from_utf8(output.stdout).unwrap().trim().to_string();
        assert!(!key.is_empty(), "api-key create printed no key");
        let child = command(&["serve"]).stdout(Stdio::null()).spawn().expect("start ordinavo-server serve");
        let mut server = Server { child, base: format!("http://{bind}"), key };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&mut self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the server exited while starting: {status}");
            }
            let answer = client.get(format!("{}/healthz", self.base)).send().await;
            if answer.is_ok_and(|response| response.status().is_success()) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the server did not answer /healthz within 60 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
