//! Messages on requests from the desktop: written offline they wait and go out once;
//! a client killed between the server's answer and storing it resends without a
//! second message; a staff reply arrives live, as one notification and in the cached
//! thread, while an internal note never reaches the cache.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use ordinavo_client::cache::window::Window;
use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::runner::{self, Update};
use ordinavo_client::Client;
use ordinavo_e2e::notifications::NotificationMonitor;
use portal_types::{MessageFrom, RequestView, SyncKind};
use serde_json::{json, Value};

use crate::support::{probe, Gate, Stack, FACILITIES, PASSWORD};

/// Hannah's loading dock request, as her cache holds it.
fn dock(client: &Client) -> RequestView {
    let requests: Vec<RequestView> = client.window(&Window::of(SyncKind::Request, 500)).unwrap().items;
    requests.into_iter().find(|r| r.title.starts_with("Loading dock")).expect("the demo's dock request")
}

/// The messages with this body on a request, as staff see them.
async fn on_server(stack: &Stack, request_id: &str, body: &str) -> usize {
    let thread =
        stack.staff(reqwest::Method::GET, &format!("/api/v1/requests/{request_id}/messages"), Value::Null).await;
    thread.as_array().unwrap().iter().filter(|m| m["body"] == body).count()
}

#[tokio::test]
async fn a_message_written_offline_waits_and_is_sent_once_when_the_network_is_back() {
    let stack = Stack::start();
    let gate = Gate::start(&stack.server.base_url).await;
    let mut client =
        Client::sign_in(stack.app(), &gate.address(), FACILITIES, PASSWORD, Arc::new(DesktopNotifier)).await.unwrap();
    client.sync().await.unwrap();
    let request = dock(&client);
    let body = "The door is stuck fully closed now.";

    gate.close();
    client.queue_message(&request.id, body).unwrap();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap_err().code(), "offline");
    let waiting = client.queued_messages().unwrap();
    assert_eq!(waiting.len(), 1, "waiting to send");
    assert!(waiting[0].last_error.is_none(), "a lost network is no refusal");

    gate.reopen();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 1);
    assert!(client.queued_messages().unwrap().is_empty());
    assert_eq!(on_server(&stack, &request.id, body).await, 1);
    let cached = dock(&client);
    assert_eq!(cached.messages.last().map(|m| m.body.as_str()), Some(body), "the thread in the cache has it at once");
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0, "nothing is sent twice");
    assert_eq!(on_server(&stack, &request.id, body).await, 1);
}

#[tokio::test]
async fn a_client_killed_after_sending_a_message_resends_it_without_duplicating() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let request = dock(&client);
    drop(client);
    let body = "Forklifts now use dock 5.";

    let mut child = Command::new(probe())
        .args(["message", &stack.app().to_string_lossy(), &request.id, body])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("sent "), "the probe reached the hook: {line:?}");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(on_server(&stack, &request.id, body).await, 1, "the server got it once");

    let resumed = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    assert_eq!(resumed.queued_messages().unwrap().len(), 1, "the answer was never stored: it still waits");
    drop(resumed);
    let output = Command::new(probe()).args(["flush", &stack.app().to_string_lossy()]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "flushed 1");
    assert_eq!(on_server(&stack, &request.id, body).await, 1, "the resend was the same message");

    let client = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    assert!(client.queued_messages().unwrap().is_empty());
    assert_eq!(dock(&client).messages.iter().filter(|m| m.body == body).count(), 1);
}

#[tokio::test]
async fn a_message_the_server_refuses_stays_with_the_reason_until_discarded() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.queue_message("no-such-request", "Hello?").unwrap();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0);
    let waiting = client.queued_messages().unwrap();
    assert!(waiting[0].last_error.is_some(), "{waiting:?}");
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0, "not resent");
    client.discard_message(&waiting[0].idempotency_key).unwrap();
    assert!(client.queued_messages().unwrap().is_empty());
}

#[tokio::test]
async fn a_staff_reply_arrives_live_as_one_notification_and_an_internal_note_never_arrives() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let request = dock(&client);
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

    let path = format!("/api/v1/requests/{}/messages", request.id);
    let note = format!("Internal: spring tension, check warranty ({})", uuid::Uuid::now_v7());
    stack.post(&path, json!({ "body": note, "visibility": "internal" })).await;
    let reply = format!("Our technician comes tomorrow at 8:00 ({})", uuid::Uuid::now_v7());
    stack.post(&path, json!({ "body": reply, "visibility": "customer" })).await;
    // The notification reads the reply under the request it answers.
    let shown = format!("{}: {reply}", request.title);
    assert!(monitor.wait_for(&shown, Duration::from_secs(30)).await.is_some(), "the reply is notified");
    assert_eq!(monitor.count("New reply from the service team"), 1);

    let mut guard = shared.lock().await;
    let client = guard.as_mut().unwrap();
    client.sync().await.unwrap();
    let cached = dock(client);
    let last = cached.messages.last().unwrap();
    assert_eq!((last.body.as_str(), last.from), (reply.as_str(), MessageFrom::Staff));
    assert!(cached.messages.iter().all(|m| m.body != note), "the internal note never reaches the cache");
    drop(guard);
    monitor.sentinel().await;
    assert_eq!(monitor.count(&shown), 1, "once");
    let lines = monitor.count(&format!("{}: {note}", request.title)) + monitor.count(&note);
    assert_eq!(lines, 0, "the note is never notified");
    background.abort();
}
