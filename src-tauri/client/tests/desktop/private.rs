//! The customer's data on disk: an encrypted cache whose key lives in the keyring, in
//! folders only this OS user can open, and what happens when that key is gone.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::Client;
use portal_types::SyncKind;

use crate::support::{files_under, location, Stack, FACILITIES};

#[tokio::test]
async fn the_cache_on_disk_is_encrypted_and_private_to_this_user() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let (_, attachment) = stack.published_report(&berlin.id, b"%PDF-1.4\n%%EOF\n").await;
    client.sync().await.unwrap();
    client.download(&attachment, |_, _| {}).await.unwrap();
    assert!(client.account().cache_key().unwrap().is_some(), "the key is in the keyring");
    let dir = client.account().dir(stack.app());
    drop(client);

    let databases: Vec<_> = files_under(&dir)
        .into_iter()
        .filter(|f| f.file_name().unwrap().to_string_lossy().starts_with("cache.sqlite"))
        .collect();
    assert!(!databases.is_empty());
    for file in databases {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"), "{} has a plain SQLite header", file.display());
        for marker in [berlin.name.as_bytes(), berlin.address_line.as_bytes(), b"appointment"] {
            let found = bytes.windows(marker.len()).any(|w| w == marker);
            assert!(!found, "{} holds `{}` in plain text", file.display(), String::from_utf8_lossy(marker));
        }
    }
    for folder in [dir.clone(), dir.join("files")] {
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{} is private to this user", folder.display());
    }
    let resumed = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    assert!(!resumed.rebuilt(), "its own key opens the cache");
    assert!(resumed.count(SyncKind::Appointment).unwrap() > 0);
    assert!(resumed.downloaded(&attachment).unwrap().is_some(), "the downloaded file is kept");
}

#[tokio::test]
async fn a_cache_whose_key_left_the_keyring_is_rebuilt_by_a_fresh_sync() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let appointments = client.count(SyncKind::Appointment).unwrap();
    assert!(appointments > 0);
    let account = client.account().clone();
    drop(client);

    // The keyring loses the key (reset, or a new login keyring); the session stays.
    account.delete_cache_key().unwrap();
    let mut resumed = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().expect("still signed in");
    assert!(resumed.rebuilt(), "the app is told, to say why");
    assert_eq!(resumed.count(SyncKind::Appointment).unwrap(), 0, "the old data is gone, not misread");
    assert!(account.cache_key().unwrap().is_some(), "a new key is stored");
    resumed.sync().await.unwrap();
    assert_eq!(resumed.count(SyncKind::Appointment).unwrap(), appointments, "a full sync fills it again");
    assert!(resumed.reader().is_ok(), "the UI's reader opens with the new key");
    drop(resumed);
    let again = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().unwrap();
    assert!(!again.rebuilt());
    assert_eq!(again.count(SyncKind::Appointment).unwrap(), appointments);

    // Signing out takes the key with everything else.
    again.sign_out().await.unwrap();
    assert!(account.cache_key().unwrap().is_none());
}
