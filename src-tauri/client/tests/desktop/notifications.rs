//! Native notifications through the real notification daemon (dunst), read off the
//! session bus with dbus-monitor: once per event, including events that happened
//! while the app was closed, and never again after a restart.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ordinavo_client::notices::Notice;
use ordinavo_client::notifier::{ClickableNotifier, DesktopNotifier, Notifier};
use ordinavo_client::runner::{self, Update};
use ordinavo_client::Client;
use portal_types::TimelineKind;
use serde_json::json;

use crate::support::{location, Stack, FACILITIES};

/// Every `Notify` call on the session bus, as dbus-monitor prints it.
struct Monitor {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Monitor {
    async fn start() -> Monitor {
        let mut child = Command::new("dbus-monitor")
            .args(["--session", "interface='org.freedesktop.Notifications',member='Notify'"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-monitor (package dbus-x11 or dbus-bin)");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = BufReader::new(child.stdout.take().unwrap());
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let monitor = Monitor { child, lines };
        monitor.sentinel().await;
        monitor
    }

    /// How many notifications carried `text` as summary or body.
    fn count(&self, text: &str) -> usize {
        let quoted = format!("string \"{text}\"");
        self.lines.lock().unwrap().iter().filter(|line| line.trim() == quoted).count()
    }

    async fn wait_for(&self, text: &str, deadline: Instant) -> bool {
        while Instant::now() < deadline {
            if self.count(text) > 0 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.count(text) > 0
    }

    /// Sends a marker notification and waits until the monitor saw it: everything
    /// sent before it has been seen too.
    async fn sentinel(&self) {
        let marker = format!("sentinel {}", uuid::Uuid::now_v7());
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.count(&marker) == 0 {
            assert!(Instant::now() < deadline, "dbus-monitor never saw a notification");
            notify_rust::Notification::new().summary(&marker).show().expect("a notification daemon on the session bus");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_required_follow_up_notifies_exactly_once_even_across_restarts() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let target = stack.target(&berlin.id, "Pump check").await;
    let monitor = Monitor::start().await;

    let shared: runner::Shared = Arc::new(tokio::sync::Mutex::new(Some(client)));
    let (updates, mut received) = tokio::sync::mpsc::unbounded_channel();
    let background = tokio::spawn(runner::run(
        shared.clone(),
        runner::PERIOD,
        Arc::new(move |update| {
            let _ = updates.send(update);
        }),
    ));
    loop {
        match received.recv().await.unwrap() {
            Update::Connected => break,
            Update::Synced { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    let first = format!("Replace the seal on pump 2 ({})", uuid::Uuid::now_v7());
    let created = Instant::now();
    stack.post("/api/v1/follow-ups", json!({ "target_id": target, "description": first })).await;
    assert!(monitor.wait_for(&first, created + Duration::from_secs(2)).await, "a notification within 2 s");
    println!("follow-up notified {} ms after it was created", created.elapsed().as_millis());
    assert_eq!(monitor.count("Follow-up required"), 1);

    shared.lock().await.as_mut().unwrap().sync().await.unwrap();
    monitor.sentinel().await;
    assert_eq!(monitor.count(&first), 1, "another sync does not notify again");

    // The app closes; a second follow-up is raised while it is closed.
    background.abort();
    let _ = background.await;
    drop(shared.lock().await.take());
    let second = format!("Check pump 3 as well ({})", uuid::Uuid::now_v7());
    stack.post("/api/v1/follow-ups", json!({ "target_id": target, "description": second })).await;

    let mut again = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    again.sync().await.unwrap();
    again.sync().await.unwrap();
    monitor.sentinel().await;
    assert_eq!(monitor.count(&second), 1, "what happened while closed notifies once at the next start");
    assert_eq!(monitor.count(&first), 1, "and nothing is notified twice after a restart");
}

fn dunstctl(args: &[&str]) -> String {
    let output = Command::new("dunstctl").args(args).output().expect("dunstctl (package dunst)");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[tokio::test]
async fn clicking_a_notification_opens_its_subject() {
    crate::support::require_desktop_session();
    let (opened, received) = std::sync::mpsc::channel();
    let notifier = ClickableNotifier::new(move |notice| {
        let _ = opened.send(notice.subject_id.clone());
    });
    let notice = Notice {
        event_id: "event-1".into(),
        kind: TimelineKind::FollowUpRequired,
        subject_id: "follow-up-1".into(),
        title: "Follow-up required".into(),
        body: "Replace the gasket.".into(),
    };
    // Other tests may show notifications at the same time; retry until ours is the one clicked.
    for _ in 0..5 {
        dunstctl(&["close-all"]);
        notifier.show(&notice).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while dunstctl(&["count", "displayed"]) == "0" && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        dunstctl(&["action", "0"]);
        if let Ok(subject) = received.recv_timeout(Duration::from_secs(2)) {
            assert_eq!(subject, "follow-up-1");
            return;
        }
    }
    panic!("clicking the notification never reached the app");
}
