//! The session in the real Secret Service: kept across restarts, wiped with all
//! local data when the server ends it or the user signs out.

use std::sync::Arc;

use ordinavo_client::notifier::DesktopNotifier;
use ordinavo_client::session::{current, Account};
use ordinavo_client::{Client, ClientError};
use portal_types::SyncKind;

use crate::support::{files_under, location, Stack, FACILITIES};

#[tokio::test]
async fn the_token_lives_in_the_keyring_and_never_in_the_app_folder() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let token = client.account().token().unwrap().expect("stored in the keyring");
    assert!(token.len() >= 40);
    for file in files_under(stack.app()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "token found in {}", file.display());
    }
    drop(client);
    let resumed = Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().expect("signed in after restart");
    assert_eq!(resumed.account().email, FACILITIES);
    assert!(resumed.count(SyncKind::Appointment).unwrap() > 0, "opens straight into the cached data");
}

#[tokio::test]
async fn wrong_passwords_get_the_servers_message() {
    let stack = Stack::start();
    let err = Client::sign_in(stack.app(), &stack.address(), FACILITIES, "not-the-password", Arc::new(DesktopNotifier))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::Server { status: 401, .. }), "{err:?}");
    assert!(current(stack.app()).unwrap().is_none());
    assert!(Account::new(&stack.address(), FACILITIES).token().unwrap().is_none());
}

#[tokio::test]
async fn an_expired_session_wipes_the_users_data_with_a_clear_message() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let account = client.account().clone();
    stack.server_sql("UPDATE portal_sessions SET expires_at = 1");

    let err = client.sync().await.unwrap_err();
    assert_eq!(err.code(), "session_ended");
    assert!(err.to_string().contains("sign in again"), "{err}");
    assert!(!account.dir(stack.app()).exists(), "cache and files are gone");
    assert!(account.token().unwrap().is_none(), "so is the token");
    assert!(Client::resume(stack.app(), Arc::new(DesktopNotifier)).unwrap().is_none(), "the app asks to sign in");
}

#[tokio::test]
async fn signing_out_leaves_no_files_and_no_keyring_entry() {
    let stack = Stack::start();
    let mut client = stack.sign_in(FACILITIES).await;
    client.sync().await.unwrap();
    let berlin = location(&client, "Berlin");
    let (_, attachment) = stack.published_report(&berlin.id, b"%PDF-1.4\n%%EOF\n").await;
    client.sync().await.unwrap();
    client.download(&attachment, |_, _| {}).await.unwrap();
    let account = client.account().clone();
    let token = account.token().unwrap().unwrap();

    client.sign_out().await.unwrap();
    assert_eq!(files_under(stack.app()), Vec::<std::path::PathBuf>::new());
    assert!(account.token().unwrap().is_none());
    let stale = ordinavo_client::api::Api::new(stack.address(), Some(token));
    assert_eq!(stale.me().await.unwrap_err().code(), "session_ended", "the server ended the session too");
}
