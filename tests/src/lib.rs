//! End-to-end support: runs the real `ordinavo-server` binary on a free port with
//! a temporary data directory, as an operator would.

pub mod accessibility;
pub mod desktop;
pub mod notifications;
pub mod staff;
pub mod webdriver;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The Cargo target directory: `CARGO_TARGET_DIR`, or the workspace's `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The one .deb that `scripts/package.sh test` (run by make test) left in
/// `test-packages/<which>`: `current` (the workspace's version) or `next`.
pub fn test_package(which: &str) -> PathBuf {
    let dir = target_dir().join("test-packages").join(which);
    let debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} is missing; run `scripts/package.sh test` (make test does)", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "deb"))
        .collect();
    assert_eq!(debs.len(), 1, "one .deb in {}: {debs:?}", dir.display());
    debs.into_iter().next().unwrap()
}

/// Which Cargo profile's binaries to run: the tests use debug builds, the
/// benchmarks release builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Debug,
    Release,
}

impl Build {
    /// The binary `name` (also its package's name) of this build; it must exist.
    pub fn binary(self, name: &str) -> PathBuf {
        let (dir, flag) = match self {
            Build::Debug => ("debug", ""),
            Build::Release => ("release", " --release"),
        };
        let binary = target_dir().join(dir).join(name);
        assert!(binary.exists(), "{} is missing; run `cargo build{flag} -p {name}`", binary.display());
        binary
    }
}

/// The desktop app binary built by `cargo test --workspace` (or `cargo build`).
pub fn desktop_binary() -> PathBuf {
    Build::Debug.binary("ordinavo-desktop")
}

/// The server binary built by `cargo test --workspace` (or `cargo build`).
pub fn server_binary() -> PathBuf {
    Build::Debug.binary("ordinavo-server")
}

/// A running server process; killed when dropped.
pub struct Server {
    child: Child,
    binary: PathBuf,
    pub base_url: String,
    pub env: Vec<(String, String)>,
}

impl Server {
    /// Starts `serve` with `args` on a free port, with the given environment, and
    /// waits until `/healthz` answers.
    pub fn start(env: &[(String, String)], args: &[&str]) -> Server {
        Self::start_built(Build::Debug, env, args)
    }

    /// Like `start`, with the server binary of `build` (benchmarks run the release one).
    pub fn start_built(build: Build, env: &[(String, String)], args: &[&str]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut env = env.to_vec();
        env.push(("ORDINAVO_BIND".into(), format!("127.0.0.1:{port}")));
        env.push(("ORDINAVO_LOG".into(), "warn".into()));
        Self::spawn(build.binary("ordinavo-server"), env, args)
    }

    /// Starts a server again with the environment of one that was stopped (same
    /// address and data), as after an outage.
    pub fn restart_with(env: Vec<(String, String)>, args: &[&str]) -> Server {
        Self::spawn(server_binary(), env, args)
    }

    fn spawn(binary: PathBuf, env: Vec<(String, String)>, args: &[&str]) -> Server {
        let bind =
            env.iter().rev().find(|(k, _)| k == "ORDINAVO_BIND").map(|(_, v)| v.clone()).expect("a bind address");
        let child = Command::new(&binary)
            .arg("serve")
            .args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start ordinavo-server");
        let mut server = Server { child, binary, base_url: format!("http://{bind}"), env };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("{}/healthz", self.base_url);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("ordinavo-server exited early with {status}");
            }
            let healthy = std::net::TcpStream::connect(self.base_url.trim_start_matches("http://"))
                .is_ok_and(|_| http_get_ok(&url));
            if healthy {
                return;
            }
            assert!(Instant::now() < deadline, "ordinavo-server did not become healthy");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs another subcommand against the same configuration.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(&self.binary)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("run ordinavo-server")
    }

    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A plain HTTP/1.1 GET over a socket, so readiness polling needs no async runtime.
fn http_get_ok(url: &str) -> bool {
    use std::io::{Read, Write};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

/// Environments to run against: SQLite in `dir`, and a fresh PostgreSQL database
/// when `ORDINAVO_TEST_POSTGRES_URL` names a server.
pub fn environments(dir: &Path) -> Vec<(&'static str, Vec<(String, String)>)> {
    let mut list =
        vec![("sqlite", vec![("ORDINAVO_DATA_DIR".to_string(), dir.join("sqlite").to_string_lossy().to_string())])];
    if let Ok(admin_url) = std::env::var("ORDINAVO_TEST_POSTGRES_URL") {
        let name = format!("e2e_{}_{}", std::process::id(), dir.file_name().unwrap().to_string_lossy().to_lowercase());
        let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let created = Command::new("psql")
            .args([admin_url.as_str(), "-v", "ON_ERROR_STOP=1", "-qc", &format!("CREATE DATABASE {name}")])
            .status()
            .expect("run psql");
        assert!(created.success(), "creating the e2e database {name}");
        let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
        list.push((
            "postgres",
            vec![
                ("ORDINAVO_DATA_DIR".to_string(), dir.join("pg").to_string_lossy().to_string()),
                ("ORDINAVO_DATABASE_URL".to_string(), format!("{base}/{name}")),
            ],
        ));
    }
    list
}
