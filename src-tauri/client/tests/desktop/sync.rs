//! Sync against the real server: first and incremental sync, removals after an
//! unpublish and after a grant shrinks, and downloads kept for offline use.

use ordinavo_client::cache::window::Window;
use portal_types::{AppointmentView, AttachmentView, LocationView, ReportView, SyncKind};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::{files_under, location, Stack, FACILITIES};

const PROTOCOL: &[u8] = b"%PDF-1.4\n% pump protocol\n%%EOF\n";

#[tokio::test]
async fn first_sync_fills_the_cache_and_incremental_sync_brings_only_changes() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    assert!(client.last_synced_at().unwrap().is_none());

    let first = client.sync().await.unwrap();
    assert!(first.changes > 0);
    let locations: Vec<LocationView> = client.window(&Window::of(SyncKind::Location, 500)).unwrap().items;
    assert!(locations.len() >= 2, "Northwind's locations: {locations:?}");
    let appointments = client.count(SyncKind::Appointment).unwrap();
    assert!(appointments > 0 && client.count(SyncKind::Report).unwrap() > 0);
    assert!(client.last_synced_at().unwrap().is_some());

    let quiet = client.sync().await.unwrap();
    assert_eq!(quiet.changes, 0, "nothing changed, nothing sent");

    let berlin = location(&client, "Berlin");
    let target = stack.target(&berlin.id, "Boiler check").await;
    let appointment = stack
        .post(
            "/api/v1/appointments",
            json!({ "target_id": target, "starts_at": "2026-12-03T08:00:00Z", "ends_at": "2026-12-03T09:00:00Z",
                    "shared_with_portal": true }),
        )
        .await;
    let incremental = client.sync().await.unwrap();
    assert!(incremental.changes >= 1 && incremental.changes < first.changes, "{incremental:?}");
    let stored: AppointmentView =
        client.get(SyncKind::Appointment, appointment["id"].as_str().unwrap()).unwrap().expect("the new appointment");
    assert_eq!(stored.starts_at, "2026-12-03T08:00:00Z");
    assert_eq!(client.count(SyncKind::Appointment).unwrap(), appointments + 1);
}

#[tokio::test]
async fn attachments_download_with_progress_and_stay_available_offline() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    let berlin = {
        client.sync().await.unwrap();
        location(&client, "Berlin")
    };
    let (_, attachment) = stack.published_report(&berlin.id, PROTOCOL).await;
    client.sync().await.unwrap();

    let mut seen = Vec::new();
    let path = client.download(&attachment, |received, total| seen.push((received, total))).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), PROTOCOL);
    assert_eq!(path.file_name().unwrap(), "Pump protocol.pdf");
    assert_eq!(seen.first(), Some(&(0, PROTOCOL.len() as u64)));
    assert_eq!(seen.last(), Some(&(PROTOCOL.len() as u64, PROTOCOL.len() as u64)));
    let view: AttachmentView = client.attachment(&attachment).unwrap();
    assert_eq!(view.sha256, hex::encode(Sha256::digest(PROTOCOL)));

    drop(client);
    let Stack { server, app_dir, server_dir, .. } = stack;
    server.stop();
    let mut offline = ordinavo_client::Client::resume(
        app_dir.path(),
        std::sync::Arc::new(ordinavo_client::notifier::DesktopNotifier),
    )
    .unwrap()
    .expect("the session is still in the keyring");
    let err = offline.sync().await.unwrap_err();
    assert_eq!(err.code(), "offline");
    assert!(offline.count(SyncKind::Report).unwrap() > 0, "cached views stay readable");
    let again = offline.download(&attachment, |_, _| panic!("no network needed")).await.unwrap();
    assert_eq!(again, path);
    assert_eq!(std::fs::read(&again).unwrap(), PROTOCOL);
    drop(server_dir);
}

#[tokio::test]
async fn an_unpublished_report_leaves_the_cache_with_its_downloaded_file() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let (report, attachment) = stack.published_report(&berlin.id, PROTOCOL).await;
    client.sync().await.unwrap();
    let path = client.download(&attachment, |_, _| {}).await.unwrap();
    assert!(path.exists());

    stack.post(&format!("/api/v1/visit-reports/{report}/unpublish"), json!({})).await;
    client.sync().await.unwrap();
    assert!(client.get::<ReportView>(SyncKind::Report, &report).unwrap().is_none(), "the report is gone");
    assert!(client.attachment(&attachment).is_err(), "so is its attachment");
    assert!(!path.exists(), "and the downloaded file");
    assert!(client.downloaded(&attachment).unwrap().is_none());
}

#[tokio::test]
async fn a_narrowed_grant_removes_that_scope_and_only_its_downloaded_files() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let hamburg = location(&client, "Hamburg");
    let (berlin_report, attachment) = stack.published_report(&berlin.id, PROTOCOL).await;
    let (_, kept) = stack.published_report(&hamburg.id, PROTOCOL).await;
    client.sync().await.unwrap();
    let path = client.download(&attachment, |_, _| {}).await.unwrap();
    let kept_path = client.download(&kept, |_, _| {}).await.unwrap();

    // Staff narrow Hannah's grant from all of Northwind to the Hamburg hub only.
    stack.server_sql(&format!(
        "UPDATE portal_grants SET whole_customer = 0 WHERE portal_user_id =
             (SELECT id FROM portal_users WHERE email = '{FACILITIES}');
         INSERT INTO portal_grant_locations (grant_id, location_id)
             SELECT id, '{}' FROM portal_grants WHERE portal_user_id =
                 (SELECT id FROM portal_users WHERE email = '{FACILITIES}');",
        hamburg.id
    ));
    client.sync().await.unwrap();
    let locations: Vec<LocationView> = client.window(&Window::of(SyncKind::Location, 500)).unwrap().items;
    assert_eq!(locations.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), [hamburg.id.as_str()]);
    let appointments: Vec<AppointmentView> = client.window(&Window::of(SyncKind::Appointment, 500)).unwrap().items;
    assert!(appointments.iter().all(|a| a.location_id == hamburg.id), "only Hamburg's visits remain");
    assert!(client.get::<ReportView>(SyncKind::Report, &berlin_report).unwrap().is_none());
    assert!(!path.exists(), "the Berlin protocol is deleted");
    assert!(client.downloaded(&attachment).unwrap().is_none());
    // Hamburg's protocol is still shared with her: it stays downloaded.
    assert_eq!(client.downloaded(&kept).unwrap().as_deref(), Some(kept_path.as_path()));
    assert_eq!(std::fs::read(&kept_path).unwrap(), PROTOCOL);
    let account_dir = client.account().dir(stack.app());
    assert_eq!(files_under(&account_dir.join("files")), [kept_path]);
}
