//! The real desktop app (the release `ordinavo-desktop`), driven through tauri-driver
//! and WebKitWebDriver, and the memory of its process tree.
//!
//! Times come from the app's own clock where it can give them: the UI marks the
//! first screen's paint on its performance timeline (`ui/src/lib/marks.ts`), and the
//! appointments screen is timed by a script inside the page, from the click to the
//! paint after the first rows exist. Nothing waits a fixed time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ordinavo_e2e::webdriver::WebDriver;
use serde_json::json;

/// The mark `ui/src/lib/marks.ts` sets (`FIRST_SCREEN`).
const FIRST_SCREEN: &str = "ordinavo:first-screen";
/// Linux reports process start times in clock ticks of 1/100 s (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;

pub struct App {
    driver: WebDriver,
    pub pid: u32,
}

impl App {
    /// Starts the app under tauri-driver with `env` and finds its process.
    pub async fn launch(binary: &Path, env: &[(String, String)]) -> App {
        let driver = WebDriver::tauri(binary, env).await.expect("the desktop app starts under tauri-driver");
        driver.set_script_timeout(Duration::from_secs(60)).await.unwrap();
        let root = driver.driver_pid().expect("the session owns its driver");
        let binary = binary.canonicalize().unwrap();
        let started = Instant::now();
        let pid = loop {
            let found = descendants(root)
                .into_iter()
                .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary));
            if let Some(pid) = found {
                break pid;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no {} process below the driver", binary.display());
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        App { driver, pid }
    }

    /// Milliseconds from the process's start to the paint of its first screen.
    pub async fn first_screen_ms(&self) -> f64 {
        let script = "const mark = performance.getEntriesByName(arguments[0], 'mark')[0]; \
                      return mark ? performance.timeOrigin + mark.startTime : null;";
        let driver = &self.driver;
        let painted = driver
            .wait_for("the first screen", Duration::from_secs(60), || async move {
                driver.execute(script, vec![json!(FIRST_SCREEN)]).await.ok()?.as_f64()
            })
            .await;
        painted - process_started_ms(self.pid)
    }

    /// Signs in through the first-run form, as a user does.
    pub async fn sign_in(&self, server: &str, email: &str, password: &str) {
        for (css, value) in [("#server", server), ("#email", email), ("#password", password)] {
            self.driver.wait_for_element(css).await;
            let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                          e.dispatchEvent(new Event('input', {bubbles: true})); \
                          e.dispatchEvent(new Event('change', {bubbles: true}));";
            self.driver.execute(script, vec![json!(css), json!(value)]).await.unwrap();
        }
        self.driver.find("form button[type=submit]").await.unwrap().click().await.unwrap();
        self.driver.wait_for_element("nav a[data-screen=home]").await;
    }

    /// Waits until no sync is running (no progress bar) and the cache in `data`
    /// holds `appointments` appointments.
    pub async fn wait_synced(&self, data: &Path, appointments: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let idle = self.driver.find("[data-testid=sync-progress]").await.is_err();
            if idle && cache_in(data).is_some_and(|cache| count_appointments(&cache) >= appointments) {
                return;
            }
            assert!(Instant::now() < deadline, "the app's first sync did not finish within {timeout:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens the appointments screen from the navigation: milliseconds from the
    /// click to the paint after its first rows exist, timed inside the page.
    pub async fn open_appointments_ms(&self) -> f64 {
        let script = "const done = arguments[arguments.length - 1]; \
            const started = performance.now(); \
            document.querySelector('nav a[data-screen=appointments]').click(); \
            const poll = () => { \
              if (document.querySelector('[data-testid=appointments] .virtual-row .item')) \
                requestAnimationFrame(() => setTimeout(() => done(performance.now() - started))); \
              else setTimeout(poll, 1); \
            }; \
            poll();";
        self.driver.execute_async(script, vec![]).await.unwrap().as_f64().expect("a duration")
    }

    /// Back to the home screen, with its cards read.
    pub async fn go_home(&self) {
        self.driver.find("nav a[data-screen=home]").await.unwrap().click().await.unwrap();
        self.driver.wait_for_element("[data-testid=home-appointments] .item").await;
    }

    /// Waits for the sync bar to show no sync running (the one at start included).
    pub async fn wait_idle(&self) {
        let driver = &self.driver;
        driver
            .wait_for("sync to be idle", Duration::from_secs(120), || async move {
                driver.find("[data-testid=sync-progress]").await.err().map(|_| ())
            })
            .await;
    }

    /// Ends the session and waits for the app to exit: a second instance would
    /// otherwise hand over to the first and leave.
    pub async fn quit(self) {
        let pid = self.pid;
        let _ = self.driver.quit().await;
        let started = Instant::now();
        while alive(pid) {
            if started.elapsed() > Duration::from_secs(15) {
                // Our own child's child, by its id.
                let _ = std::process::Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the app (pid {pid}) did not exit");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The PSS of a process tree, in MB (10^6 bytes), in total and per process name.
pub struct Memory {
    pub total_mb: f64,
    pub by_name: Vec<(String, f64)>,
}

impl Memory {
    pub fn breakdown(&self) -> String {
        self.by_name.iter().map(|(name, mb)| format!("{name} {mb:.0}")).collect::<Vec<_>>().join(", ")
    }
}

/// The tree's PSS once it has settled: sampled every 250 ms until four samples in a
/// row lie within 2 MB (at most 30 s, then the last sample).
pub async fn memory_at_rest(root: u32) -> Memory {
    let started = Instant::now();
    let mut recent: Vec<f64> = Vec::new();
    loop {
        let memory = memory(root);
        recent.push(memory.total_mb);
        let last = &recent[recent.len().saturating_sub(4)..];
        let spread = last.iter().copied().fold(f64::MIN, f64::max) - last.iter().copied().fold(f64::MAX, f64::min);
        if (last.len() == 4 && spread <= 2.0) || started.elapsed() > Duration::from_secs(30) {
            return memory;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// PSS (`/proc/<pid>/smaps_rollup`) summed over `root` and its descendants (the
/// app's WebKit web and network processes).
pub fn memory(root: u32) -> Memory {
    let mut by_name: HashMap<String, f64> = HashMap::new();
    for pid in std::iter::once(root).chain(descendants(root)) {
        let Some(kb) = pss_kb(pid) else { continue };
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string();
        *by_name.entry(name).or_default() += kb as f64 * 1024.0 / 1e6;
    }
    let mut by_name: Vec<(String, f64)> = by_name.into_iter().collect();
    by_name.sort_by(|a, b| b.1.total_cmp(&a.1));
    Memory { total_mb: by_name.iter().map(|(_, mb)| mb).sum(), by_name }
}

fn pss_kb(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let line = rollup.lines().find(|l| l.starts_with("Pss:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Every process below `root`, from the parent ids in `/proc/<pid>/stat`.
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if let Some(parent) = stat_fields(pid).and_then(|f| f.get(1)?.parse().ok()) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        for &child in children.get(&pid).into_iter().flatten() {
            found.push(child);
            queue.push(child);
        }
    }
    found
}

/// The fields of `/proc/<pid>/stat` after the command name: state, ppid, ….
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

fn alive(pid: u32) -> bool {
    stat_fields(pid).is_some_and(|fields| fields.first().is_some_and(|state| state != "Z"))
}

/// When the process started, in ms since the Unix epoch (10 ms resolution): its
/// start in ticks since boot, with the boot time from `/proc/uptime` and the clock.
fn process_started_ms(pid: u32) -> f64 {
    let ticks: f64 = stat_fields(pid).and_then(|f| f.get(19)?.parse().ok()).expect("the app's start time");
    let uptime: f64 =
        std::fs::read_to_string("/proc/uptime").unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    (now - uptime + ticks / TICKS_PER_SECOND) * 1000.0
}

/// The cache database the app keeps under its data folder, once it exists.
pub fn cache_in(data: &Path) -> Option<PathBuf> {
    let mut pending = vec![data.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|n| n == "cache.sqlite") {
                return Some(path);
            }
        }
    }
    None
}

pub fn count_appointments(cache: &Path) -> usize {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let Ok(conn) = rusqlite::Connection::open_with_flags(cache, flags) else { return 0 };
    conn.query_row("SELECT COUNT(*) FROM records WHERE kind = 'appointment'", [], |r| r.get(0)).unwrap_or(0)
}
