//! The real desktop app as a private, native app (issue 14): its cache is encrypted
//! on disk under a key in the keyring, and a lost key costs a fresh sync, never the
//! app; the tray and the window title count what needs attention; the app starts at
//! login when the user wants it to. Driven like desktop_app.rs: tauri-driver under
//! Xvfb with D-Bus, gnome-keyring and dunst (scripts/desktop-session.sh), against a
//! real server with demo data.

use std::path::Path;
use std::time::Duration;

use ordinavo_e2e::desktop::{
    app_env, autostart_entry, click, close_window, files_named, go, invoke, keyring_clear, keyring_holds, launch_again,
    main_window, one_app_at_a_time, overview, screenshot, sign_in, wait_attention, wait_text, window_shown, MINIMIZED,
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
    assert!(exec.split_whitespace().any(|arg| arg == MINIMIZED), "minimized into the tray: {exec}");
    screenshot(&app, "en", "start-at-login").await;

    click(&app, "[data-testid=start-at-login]").await;
    app.wait_for("the entry to go", DEFAULT_WAIT, || async { (!entry.exists()).then_some(()) }).await;
    app.quit().await.unwrap();
}

#[tokio::test]
async fn closing_the_window_keeps_the_app_counting_in_the_tray_when_the_user_chose_so() {
    require_desktop_session();
    let _turn = one_app_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, app) = signed_in_app(dir.path()).await;
    let home = dir.path().join("home");
    let staff = Staff::new(&server);
    first_sync_done(&app).await;
    go(&app, "follow_ups").await;
    wait_attention(&app, 0).await;
    keep_in_tray(&app, true).await;

    // The user closes the window: it goes, the app stays and keeps syncing.
    let window = main_window(&app).expect("the app's window");
    assert!(window_shown(window), "the window is on screen before it is closed");
    close_window(window);
    app.wait_for("the window to hide", DEFAULT_WAIT, || async { (!window_shown(window)).then_some(()) }).await;
    let hamburg = staff.location_in("Hamburg").await;
    let target = staff.post("/api/v1/targets", json!({ "location_id": hamburg, "title": "Shutter check" })).await;
    staff.post("/api/v1/follow-ups", json!({ "target_id": target["id"], "description": "Oil the shutter" })).await;
    wait_attention(&app, 1).await;
    assert!(!window_shown(window), "counting in the tray does not bring the window back");

    // Opening the app again brings the window back.
    shown_by_a_second_launch(&app, &home).await;
    // Switched off again, so that ending the session closes the app.
    keep_in_tray(&app, false).await;
    app.quit().await.unwrap();
}

/// Sets "keep running in the tray" in Settings and waits until it is saved.
async fn keep_in_tray(app: &WebDriver, on: bool) {
    go(app, "settings").await;
    if invoke(app, "get_settings").await["keep_in_tray"] != on {
        click(app, "[data-testid=keep-in-tray]").await;
    }
    app.wait_for("the switch to be saved", DEFAULT_WAIT, || async {
        (invoke(app, "get_settings").await["keep_in_tray"] == on).then_some(())
    })
    .await;
}

#[tokio::test]
async fn started_at_login_the_app_waits_in_the_tray_until_opened() {
    require_desktop_session();
    let _turn = one_app_at_a_time().await;
    let dir = tempfile::tempdir().unwrap();
    // The server lives until the test ends.
    let (_server, app) = signed_in_app(dir.path()).await;
    let home = dir.path().join("home");
    first_sync_done(&app).await;
    app.quit().await.unwrap();

    // As the autostart entry starts it: signed in and syncing, with no window shown.
    let args = [MINIMIZED];
    let app = WebDriver::tauri_with_args(&desktop_binary(), &args, &app_env(&home)).await.expect("a start at login");
    app.wait_for("the signed-in app", DEFAULT_WAIT, || async {
        overview(&app).await["account"]["email"].as_str().is_some_and(|email| email == CONTACT).then_some(())
    })
    .await;
    // GTK creates the native window only when it is first shown.
    assert!(!main_window(&app).is_some_and(window_shown), "a start at login shows no window");

    shown_by_a_second_launch(&app, &home).await;
    wait_text(&app, "[data-testid=home-appointments]", "Northwind").await;
    app.quit().await.unwrap();
}

/// Opens the app from the launcher while it runs: the second process hands over and
/// exits, and the app's window is on screen.
async fn shown_by_a_second_launch(app: &WebDriver, home: &Path) {
    let second = std::cell::RefCell::new(launch_again(home));
    app.wait_for("the second launch to hand over and exit", DEFAULT_WAIT, || async {
        second.borrow_mut().try_wait().unwrap().map(drop)
    })
    .await;
    app.wait_for("the window on screen", DEFAULT_WAIT, || async {
        main_window(app).is_some_and(window_shown).then_some(())
    })
    .await;
}
