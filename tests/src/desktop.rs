//! What the real desktop app's end-to-end tests share: acting in its window as a
//! user does, and looking at what it leaves on disk and in the keyring.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::target_dir;
use crate::webdriver::{WebDriver, DEFAULT_WAIT};

/// The app's environment with its data, config and cache folders under `home`.
pub fn app_env(home: &Path) -> Vec<(String, String)> {
    vec![
        ("XDG_DATA_HOME".to_string(), home.join("data").to_string_lossy().to_string()),
        ("XDG_CONFIG_HOME".to_string(), home.join("config").to_string_lossy().to_string()),
        ("XDG_CACHE_HOME".to_string(), home.join("cache").to_string_lossy().to_string()),
        ("LANG".to_string(), "en_US.UTF-8".to_string()),
    ]
}

/// Signs in on the first-run screen and waits for the signed-in shell.
pub async fn sign_in(app: &WebDriver, server: &str, email: &str, password: &str) {
    set(app, "#server", server).await;
    set(app, "#email", email).await;
    set(app, "#password", password).await;
    click(app, "form button[type=submit]").await;
    app.wait_for_element("nav a[data-screen=home]").await;
}

/// Sets a form control's value the way typing or picking does (input + change events).
pub async fn set(app: &WebDriver, css: &str, value: &str) {
    app.wait_for_element(css).await;
    let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                  e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));";
    app.execute(script, vec![json!(css), json!(value)]).await.unwrap();
}

pub async fn click(app: &WebDriver, css: &str) {
    app.wait_for_element(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits until the element's rendered text (`innerText`, what the user reads)
/// contains `text`. WebDriver's own element text leaves out the rows of the
/// scrolling virtual lists, which WebKit counts as clipped.
pub async fn wait_text(app: &WebDriver, css: &str, text: &str) {
    let what = format!("`{text}` in `{css}`");
    let script = "const element = document.querySelector(arguments[0]); return element ? element.innerText : null;";
    app.wait_for(&what, Duration::from_secs(30), || async move {
        let shown = app.execute(script, vec![json!(css)]).await.ok()?;
        shown.as_str().filter(|t| t.contains(text)).map(|_| ())
    })
    .await;
}

pub async fn go(app: &WebDriver, screen: &str) {
    click(app, &format!("nav a[data-screen={screen}]")).await;
    app.wait_for("the screen to open", DEFAULT_WAIT, || async move {
        let current = app.find(&format!("nav a[data-screen={screen}][aria-current=page]")).await;
        current.ok().map(|_| ())
    })
    .await;
}

pub async fn screenshot(app: &WebDriver, language: &str, name: &str) {
    let path = target_dir().join("screenshots").join(format!("desktop-{language}-{name}.png"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, app.screenshot().await.unwrap()).unwrap();
}

pub fn files_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_named(&path, name));
            } else if path.file_name().is_some_and(|n| n.to_string_lossy().contains(name)) {
                found.push(path);
            }
        }
    }
    found
}

/// The keyring crate's Secret Service attributes of the app's entries: `service`
/// and `username` (`<e-mail> on <server>`, with ` (cache key)` for the cache's key).
const KEYRING_SERVICE: &str = "example.ordinavo.portal";

fn secret_tool(args: &[&str]) -> std::process::Output {
    std::process::Command::new("secret-tool").args(args).output().expect("secret-tool (libsecret-tools)")
}

/// Whether the session's keyring holds a secret under this username.
pub fn keyring_holds(username: &str) -> bool {
    let found = secret_tool(&["search", "--all", "service", KEYRING_SERVICE, "username", username]);
    String::from_utf8_lossy(&found.stdout).contains("secret = ")
}

/// Removes the keyring's secret under this username, as a keyring reset would.
pub fn keyring_clear(username: &str) {
    assert!(secret_tool(&["clear", "service", KEYRING_SERVICE, "username", username]).status.success());
}
