//! The real desktop app as a private, native app (issue 14): its cache is encrypted
//! on disk under a key in the keyring, and a lost key costs a fresh sync, never the
//! app. Driven like desktop_app.rs: tauri-driver under Xvfb with D-Bus, gnome-keyring
//! and dunst (scripts/desktop-session.sh), against a real server with demo data.

use std::time::Duration;

use ordinavo_e2e::desktop::{app_env, files_named, keyring_clear, keyring_holds, screenshot, sign_in, wait_text};
use ordinavo_e2e::webdriver::WebDriver;
use ordinavo_e2e::{desktop_binary, Server};

const CONTACT: &str = "facilities@northwind.example";
const PASSWORD: &str = "portal-demo-2026";

async fn first_sync_done(app: &WebDriver) {
    wait_text(app, "[data-testid=home-appointments]", "Northwind").await;
    app.wait_for("the sync to finish", Duration::from_secs(60), || async {
        app.find("[data-testid=sync-progress]").await.err().map(|_| ())
    })
    .await;
}

#[tokio::test]
async fn the_cache_is_encrypted_and_a_lost_key_means_a_fresh_sync_with_a_message() {
    assert_eq!(
        std::env::var("ORDINAVO_DESKTOP_SESSION").as_deref(),
        Ok("ready"),
        "needs a display, D-Bus, a keyring and dunst: run through scripts/desktop-session.sh (as `make test` does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let env = vec![("ORDINAVO_DATA_DIR".to_string(), dir.path().join("server").to_string_lossy().to_string())];
    let server = Server::start(&env, &["--demo"]);
    let home = dir.path().join("home");
    let app = WebDriver::tauri(&desktop_binary(), &app_env(&home)).await.expect("the desktop app starts");
    sign_in(&app, &server.base_url, CONTACT, PASSWORD).await;
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
