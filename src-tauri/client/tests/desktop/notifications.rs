//! Native notifications through the real notification daemon (dunst), read off the
//! session bus with dbus-monitor: once per event, including events that happened
//! while the app was closed, and never again after a restart.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ordinavo_client::notices::Notice;
use ordinavo_client::notifier::{ClickableNotifier, DesktopNotifier, Notifier};
use ordinavo_client::runner::{self, Update};
use ordinavo_client::Client;
use ordinavo_e2e::notifications::NotificationMonitor;
use portal_types::TimelineKind;
use serde_json::json;

use crate::support::{location, Stack, FACILITIES};

#[tokio::test]
async fn a_required_follow_up_notifies_exactly_once_even_across_restarts() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let target = stack.target(&berlin.id, "Pump check").await;
    let monitor = NotificationMonitor::start().await;

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
    let left = (created + Duration::from_secs(2)).saturating_duration_since(Instant::now());
    assert!(monitor.wait_for(&first, left).await.is_some(), "a notification within 2 s");
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

#[tokio::test]
async fn ten_events_while_closed_become_one_digest_and_never_notify_again() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let target = stack.target(&berlin.id, "Roof drains").await;
    client.sync().await.unwrap();
    let monitor = NotificationMonitor::start().await;
    drop(client);

    // Ten follow-ups are raised while the app is closed.
    let run = uuid::Uuid::now_v7();
    let descriptions: Vec<String> = (1..=10).map(|drain| format!("Clear roof drain {drain} ({run})")).collect();
    for description in &descriptions {
        stack.post("/api/v1/follow-ups", json!({ "target_id": target, "description": description })).await;
    }
    let mut again = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    let outcome = again.sync().await.unwrap();
    assert_eq!(outcome.notified, 10, "every event counts as notified");
    again.sync().await.unwrap();
    monitor.sentinel().await;
    assert_eq!(monitor.count("10 updates"), 1, "one digest sums them up");
    assert_eq!(monitor.count("10 follow-ups"), 1);
    for description in &descriptions {
        assert_eq!(monitor.count(description), 0, "none of the ten shows on its own");
    }
    drop(again);
    let mut restarted = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    restarted.sync().await.unwrap();
    monitor.sentinel().await;
    assert_eq!(monitor.count("10 updates"), 1, "nor again after a restart");
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
        let _ = opened.send(notice.subject.clone().map(|(_, id)| id));
    });
    let notice = Notice {
        subject: Some((TimelineKind::FollowUpRequired, "follow-up-1".into())),
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
            assert_eq!(subject.as_deref(), Some("follow-up-1"));
            return;
        }
    }
    panic!("clicking the notification never reached the app");
}
