//! The outbox: a request is never lost and never duplicated, even when the client
//! process dies between the server's answer and storing it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use portal_types::{NewRequestInput, RequestKind, RequestView, SyncKind};

use std::sync::Arc;

use ordinavo_client::cache::window::Window;
use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::Client;

use crate::support::{location, probe, Gate, Stack, FACILITIES, PASSWORD};

#[tokio::test]
async fn a_client_killed_after_sending_resends_without_duplicating() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    drop(client);
    let title = "Leaking door seal at dock 3";

    let mut child = Command::new(probe())
        .args(["send", &stack.app().to_string_lossy(), &berlin.id, title])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("sent "), "the probe reached the hook: {line:?}");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(stack.requests_titled(title).await, 1, "the server got it once");

    let resumed = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    let waiting = resumed.outbox().unwrap();
    assert_eq!(waiting.len(), 1, "the answer was never stored, so it still waits to send");
    drop(resumed);

    let output = Command::new(probe()).args(["flush", &stack.app().to_string_lossy()]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "flushed 1");
    assert_eq!(stack.requests_titled(title).await, 1, "the resend returned the same request");

    let client = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    assert!(client.outbox().unwrap().is_empty());
    let titled = Window { search: Some(title.to_string()), ..Window::of(SyncKind::Request, 500) };
    let requests: Vec<RequestView> = client.window(&titled).unwrap().items;
    assert_eq!(requests.iter().filter(|r| r.title == title).count(), 1);
}

#[tokio::test]
async fn a_request_made_offline_waits_and_is_sent_when_the_network_is_back() {
    let stack = Stack::start();
    let gate = Gate::start(&stack.server.base_url).await;
    let mut client =
        Client::sign_in(stack.app(), &gate.address(), FACILITIES, PASSWORD, Arc::new(DesktopNotifier)).await.unwrap();
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let input = NewRequestInput {
        location_id: berlin.id.clone(),
        kind: RequestKind::Support,
        title: "Badge reader offline".into(),
        description: "Main entrance".into(),
        preferred_windows: Vec::new(),
    };

    gate.close();
    client.queue_request(&input).unwrap();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap_err().code(), "offline");
    let waiting = client.outbox().unwrap();
    assert_eq!(waiting.len(), 1, "waiting to send");
    assert!(waiting[0].last_error.is_none(), "a lost network is no refusal");

    gate.reopen();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 1);
    assert!(client.outbox().unwrap().is_empty());
    assert_eq!(stack.requests_titled("Badge reader offline").await, 1);
}

#[tokio::test]
async fn a_request_the_server_refuses_stays_with_the_reason_until_discarded() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    let refused = NewRequestInput {
        location_id: "no-such-location".into(),
        kind: RequestKind::Support,
        title: "Somewhere else".into(),
        description: String::new(),
        preferred_windows: Vec::new(),
    };
    client.queue_request(&refused).unwrap();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0);
    let waiting = client.outbox().unwrap();
    assert!(waiting[0].last_error.is_some(), "{waiting:?}");
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0, "not resent");
    client.discard_queued(&waiting[0].idempotency_key).unwrap();
    assert!(client.outbox().unwrap().is_empty());
}
