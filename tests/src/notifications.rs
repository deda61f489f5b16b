//! Watches the notifications sent on the session bus with `dbus-monitor`, so a test
//! can see exactly what the notification daemon (dunst) was asked to show.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every `Notify` call on the session bus since it started.
pub struct NotificationMonitor {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl NotificationMonitor {
    /// Starts monitoring and returns once the monitor sees notifications.
    pub async fn start() -> NotificationMonitor {
        let mut child = Command::new("dbus-monitor")
            .args(["--session", "interface='org.freedesktop.Notifications',member='Notify'"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor (package dbus-x11)");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = BufReader::new(child.stdout.take().unwrap());
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let monitor = NotificationMonitor { child, lines };
        monitor.sentinel().await;
        monitor
    }

    /// Sends a marker notification and waits until the monitor saw it: everything
    /// sent before it has been seen too.
    pub async fn sentinel(&self) {
        let marker = format!("sentinel {}", uuid::Uuid::now_v7());
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.count(&marker) == 0 {
            assert!(Instant::now() < deadline, "dbus-monitor never saw a notification");
            notify_rust::Notification::new().summary(&marker).show().expect("a notification daemon on the session bus");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many notifications had `text` as their summary or body.
    pub fn count(&self, text: &str) -> usize {
        let quoted = format!("string \"{text}\"");
        self.lines.lock().unwrap().iter().filter(|line| line.trim() == quoted).count()
    }

    /// Waits up to `timeout` for a notification with `text`; returns how long it took.
    pub async fn wait_for(&self, text: &str, timeout: Duration) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if self.count(text) > 0 {
                return Some(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        None
    }
}

impl Drop for NotificationMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
