//! Photos from the site, sent from the desktop: picked offline they wait and go out
//! once; a client killed between the server's answer and storing it resends without a
//! second file; a file the server refuses stays with its reason until discarded; one
//! too large never enters the outbox.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use ordinavo_client::cache::window::Window;
use ordinavo_client::cache::NewFile;
use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::Client;
use portal_types::{RequestView, SyncKind};
use serde_json::Value;

use crate::support::{probe, Gate, Stack, FACILITIES, PASSWORD};

const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR door 3 from the yard";

/// Hannah's loading dock request, as her cache holds it.
fn dock(client: &Client) -> RequestView {
    let requests: Vec<RequestView> = client.window(&Window::of(SyncKind::Request, 500)).unwrap().items;
    requests.into_iter().find(|r| r.title.starts_with("Loading dock")).expect("the demo's dock request")
}

/// The files of this name on a request, as staff see them.
async fn on_server(stack: &Stack, request_id: &str, name: &str) -> usize {
    let path = format!("/api/v1/attachments?owner_kind=request&owner_id={request_id}");
    let files = stack.staff(reqwest::Method::GET, &path, Value::Null).await;
    files["items"].as_array().unwrap().iter().filter(|f| f["file_name"] == name).count()
}

#[tokio::test]
async fn a_photo_picked_offline_waits_and_is_sent_once_when_the_network_is_back() {
    let stack = Stack::start();
    let gate = Gate::start(&stack.server.base_url).await;
    let mut client =
        Client::sign_in(stack.app(), &gate.address(), FACILITIES, PASSWORD, Arc::new(DesktopNotifier)).await.unwrap();
    client.sync().await.unwrap();
    let request = dock(&client);

    gate.close();
    // The system named no type: the extension gives it.
    let file = NewFile { request_id: &request.id, file_name: "door 3.png", content_type: "", bytes: PHOTO };
    client.queue_file(&file).unwrap();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap_err().code(), "offline");
    let waiting = client.queued_files().unwrap();
    assert_eq!(waiting.len(), 1, "waiting to send");
    assert_eq!((waiting[0].content_type.as_str(), waiting[0].size_bytes), ("image/png", PHOTO.len() as i64));
    assert!(waiting[0].last_error.is_none(), "a lost network is no refusal");

    gate.reopen();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 1);
    assert!(client.queued_files().unwrap().is_empty());
    assert_eq!(on_server(&stack, &request.id, "door 3.png").await, 1);
    let cached = dock(&client);
    let names: Vec<&str> = cached.attachments.iter().map(|a| a.file_name.as_str()).collect();
    assert_eq!(names, ["door 3.png"], "the request in the cache lists it at once");
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0, "nothing is sent twice");
    assert_eq!(on_server(&stack, &request.id, "door 3.png").await, 1);
}

#[tokio::test]
async fn a_client_killed_after_sending_a_photo_resends_it_without_duplicating() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let request = dock(&client);
    drop(client);
    let name = "dock 5.png";

    let mut child = Command::new(probe())
        .args(["file", &stack.app().to_string_lossy(), &request.id, name])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("sent "), "the probe reached the hook: {line:?}");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(on_server(&stack, &request.id, name).await, 1, "the server got it once");

    let resumed = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    assert_eq!(resumed.queued_files().unwrap().len(), 1, "the answer was never stored: it still waits");
    drop(resumed);
    let output = Command::new(probe()).args(["flush", &stack.app().to_string_lossy()]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "flushed 1");
    assert_eq!(on_server(&stack, &request.id, name).await, 1, "the resend was the same file");

    let client = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    assert!(client.queued_files().unwrap().is_empty());
    assert_eq!(dock(&client).attachments.iter().filter(|a| a.file_name == name).count(), 1);
}

#[tokio::test]
async fn a_file_the_server_refuses_stays_with_the_reason_until_discarded() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let request = dock(&client);
    let notes = NewFile { request_id: &request.id, file_name: "notes.txt", content_type: "text/plain", bytes: b"hi" };
    client.queue_file(&notes).unwrap();
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0);
    let waiting = client.queued_files().unwrap();
    let reason = waiting[0].last_error.clone().unwrap_or_default();
    assert!(reason.contains("a photo (PNG, JPEG, WebP or HEIC) or a PDF"), "the server's reason: {reason}");
    assert_eq!(client.flush_outbox(&|_| {}).await.unwrap(), 0, "not resent");
    client.discard_file(&waiting[0].idempotency_key).unwrap();
    assert!(client.queued_files().unwrap().is_empty());

    let huge = vec![0u8; 10 * 1024 * 1024 + 1];
    let scan =
        NewFile { request_id: &request.id, file_name: "scan.pdf", content_type: "application/pdf", bytes: &huge };
    assert_eq!(client.queue_file(&scan).unwrap_err().code(), "file_refused");
    assert!(client.queued_files().unwrap().is_empty(), "too large to keep: never queued");
}
