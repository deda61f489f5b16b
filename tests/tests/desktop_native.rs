//! The real desktop app as a private, native app (issue 14): its cache is encrypted
//! on disk under a key in the keyring, and a lost key costs a fresh sync, never the
//! app; the tray and the window title count what needs attention; the app starts at
//! login when the user wants it to. Driven like desktop_app.rs: tauri-driver under
//! Xvfb with D-Bus, gnome-keyring and dunst (scripts/desktop-session.sh), against a
//! real server with demo data.

use std::path::Path;
use std::time::Duration;

use ordinavo_e2e::desktop::{
    app_env, autostart_entry, click, files_named, go, keyring_clear, keyring_holds, one_app_at_a_time, screenshot,
    sign_in, wait_attention, wait_text,
};
use ordinavo_e2e::staff::Staff;
use ordinavo_e2e::webdriver::{WebDriver, DEFAULT_WAIT};
use ordinavo_e2e::{desktop_binary, Server};
use serde_json::json;

const CONTACT: &str = "facilities@northwind.example";
const PASSWORD: &str = "portal-demo-2026";

/// A demo server and the app signed in to it as the contact, both under `dir`; the
/// app's home is `dir/home`.
async fn signed_in_app(dir: &Path) -> (Server, WebDriver) {
    let env = vec![("ORDINAVO_DATA_DIR".to_string(), dir.join("server").to_string_lossy().to_string())];
    let server = Server::start(&env, &["--demo"]);
    let app = WebDriver::tauri(&desktop_binary(), &app_env(&dir.join("home"))).await.expect("the desktop app starts");
    sign_in(&app, &server.base_url, CONTACT, PASSWORD).await;
    (server, app)
}

async fn first_sync_done(app: &WebDriver) {
    wait_text(app, "[data-testid=home-appointments]", "Northwind").await;
    app.wait_for("the sync to finish", Duration::from_secs(60), || async {
        app.find("[data-testid=sync-progress]").await.err().map(|_| ())
    })
    .await;
}

fn require_desktop_session() {
    assert_eq!(
        std::env::var("ORDINAVO_DESKTOP_SESSION").as_deref(),
        Ok("ready"),
        "needs a display, D-Bus, a keyring and dunst: run through scripts/desktop-session.sh (as `make test` does)"
    );
}

#[tokio::test]
async fn the_cache_is_encrypted_and_a_lost_key_means_a_fresh_sync_with_a_message() {
    require_desktop_session();
    let _turn = one_app_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, app) = signed_in_app(dir.path()).await;
    let home = dir.path().join("home");
    first_sync_done(&app).await;

    // On disk the cache is noise: no SQLite header, none of the customer's words.
    let caches = files_named(&home, "cache.sqlite");
    assert!(!caches.is_empty(), "the app keeps a cache");
    for file in &caches {
        let bytes = std::fs::read(file).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"), "{} has a plain SQLite header", file.display());
        assert!(!bytes.windows(9).any(|w| w == b"Northwind"), "{} holds the customer's name", file.display());
    }
    app.quit().await.unwrap();

    // The keyring loses the cache's key (the session stays): the app starts, says why,
    // and fills a new cache from the server.
    let key_entry = format!("{CONTACT} on {} (cache key)", server.base_url);
    assert!(keyring_holds(&key_entry), "the key is kept in the keyring");
    keyring_clear(&key_entry);
    let app = WebDriver::tauri(&desktop_binary(), &app_env(&home)).await.expect("the app starts without its key");
    app.wait_for_element("nav a[data-screen=home]").await;
    wait_text(&app, "[data-testid=cache-rebuilt]", "could not be unlocked").await;
    first_sync_done(&app).await;
    screenshot(&app, "en", "cache-rebuilt").await;
    assert!(keyring_holds(&key_entry), "a new key is stored");
    app.quit().await.unwrap();
}

#[tokio::test]
async fn the_tray_count_follows_a_required_follow_up_until_it_is_seen() {
    require_desktop_session();
    let _turn = one_app_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, app) = signed_in_app(dir.path()).await;
    let staff = Staff::new(&server);
    first_sync_done(&app).await;
    // The demo's required follow-ups count until the user opens their screen; the
    // reports and decisions the first sync brought are history.
    go(&app, "follow_ups").await;
    wait_attention(&app, 0).await;
    go(&app, "home").await;

    // Staff mark a follow-up required: the next sync counts it, in the window title too.
    let hamburg = staff.location_in("Hamburg").await;
    let target = staff.post("/api/v1/targets", json!({ "location_id": hamburg, "title": "Dock door 2 check" })).await;
    let description = "Grease the rails of dock door 2";
    staff.post("/api/v1/follow-ups", json!({ "target_id": target["id"], "description": description })).await;
    wait_attention(&app, 1).await;
    wait_text(&app, "[data-testid=waiting-follow_ups]", "1 new").await;
    screenshot(&app, "en", "attention-count").await;

    // The user opens the follow-ups: seen, and the count goes back to zero.
    go(&app, "follow_ups").await;
    wait_text(&app, "[data-testid=follow-ups]", description).await;
    wait_attention(&app, 0).await;
    assert!(app.find("[data-testid=waiting-follow_ups]").await.is_err(), "no count beside Follow-ups");
    app.quit().await.unwrap();
}

#[tokio::test]
async fn the_start_at_login_switch_writes_and_removes_the_autostart_entry() {
    require_desktop_session();
    let _turn = one_app_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    // The server lives until the test ends.
    let (_server, app) = signed_in_app(dir.path()).await;
    let home = dir.path().join("home");
    go(&app, "settings").await;
    let entry = autostart_entry(&home);
    assert!(!entry.exists(), "no entry before the user asks");

    click(&app, "[data-testid=start-at-login]").await;
    app.wait_for("the autostart entry", DEFAULT_WAIT, || async { entry.exists().then_some(()) }).await;
    let written = std::fs::read_to_string(&entry).unwrap();
    let exec = written.lines().find_map(|line| line.strip_prefix("Exec=")).expect("an Exec line");
    let binary = std::fs::canonicalize(desktop_binary()).unwrap();
    assert!(exec.starts_with(binary.to_string_lossy().as_ref()), "it starts this app: {exec}");
    assert!(exec.split_whitespace().any(|arg| arg == "--minimized"), "minimized into the tray: {exec}");
    screenshot(&app, "en", "start-at-login").await;

    click(&app, "[data-testid=start-at-login]").await;
    app.wait_for("the entry to go", DEFAULT_WAIT, || async { (!entry.exists()).then_some(()) }).await;
    app.quit().await.unwrap();
}
