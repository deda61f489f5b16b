//! What the real desktop app's end-to-end tests share: acting in its window as a
//! user does, and looking at what it leaves on disk and in the keyring.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::target_dir;
use crate::webdriver::{descendants, WebDriver, DEFAULT_WAIT};

/// The app's environment with its data, config and cache folders under `home`, and
/// `home` as its home folder (where the autostart entry goes, in `.config/autostart`).
pub fn app_env(home: &Path) -> Vec<(String, String)> {
    vec![
        ("HOME".to_string(), home.to_string_lossy().to_string()),
        ("XDG_DATA_HOME".to_string(), home.join("data").to_string_lossy().to_string()),
        ("XDG_CONFIG_HOME".to_string(), home.join("config").to_string_lossy().to_string()),
        ("XDG_CACHE_HOME".to_string(), home.join("cache").to_string_lossy().to_string()),
        ("LANG".to_string(), "en_US.UTF-8".to_string()),
    ]
}

/// The app is single-instance per desktop session (a second launch hands over to the
/// first and exits), so the tests of one binary take turns holding this.
pub async fn one_app_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
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

/// What the app's own `overview` command answers (the account, the attention count, …).
pub async fn overview(app: &WebDriver) -> Value {
    invoke(app, "overview").await
}

/// What one of the app's commands answers (`{ error }` when it fails).
pub async fn invoke(app: &WebDriver, command: &str) -> Value {
    let script = "const done = arguments[arguments.length - 1]; \
                  window.__TAURI_INTERNALS__.invoke(arguments[0]).then(done, (e) => done({ error: String(e) }));";
    app.execute_async(script, vec![json!(command)]).await.unwrap()
}

/// Waits until the app counts `total` things needing attention, in its own state and
/// in its native window title (as the window manager and taskbar read it).
pub async fn wait_attention(app: &WebDriver, total: u64) {
    let title = match total {
        0 => PRODUCT.to_string(),
        n => format!("{PRODUCT} ({n})"),
    };
    let what = format!("an attention count of {total} and the title `{title}`");
    app.wait_for(&what, Duration::from_secs(30), || {
        let title = title.clone();
        async move {
            let attention = &overview(app).await["attention"];
            let counted: u64 =
                ["follow_ups", "reports", "request_changes"].iter().filter_map(|g| attention[g].as_u64()).sum();
            (counted == total && window_titles(app).contains(&title)).then_some(())
        }
    })
    .await;
}

/// The app's name: its window's title without a count, and its autostart entry's name.
pub const PRODUCT: &str = "Ordinavo Customer Portal";

/// The argument the autostart entry starts the app with, so it waits in the tray.
pub const MINIMIZED: &str = "--minimized";

/// The autostart entry the app writes for starting at login, under its `HOME`.
pub fn autostart_entry(home: &Path) -> PathBuf {
    home.join(".config/autostart").join(format!("{PRODUCT}.desktop"))
}

/// The titles of the native windows of the app this session drives, as the X server
/// holds them.
pub fn window_titles(app: &WebDriver) -> Vec<String> {
    app_windows(app).into_iter().map(|(_, title)| title).collect()
}

/// The native windows of the app this session drives, shown or hidden, as (X window
/// id, title): `xwininfo` lists them, `xprop` tells whose process each one is.
pub fn app_windows(app: &WebDriver) -> Vec<(u32, String)> {
    let ours = descendants(app.driver_pid().expect("a session with its own tauri-driver"));
    let tree = Command::new("xwininfo").args(["-root", "-tree"]).output().expect("xwininfo (x11-utils)");
    let mut windows = Vec::new();
    for line in String::from_utf8_lossy(&tree.stdout).lines() {
        let Some((id, rest)) = line.trim().split_once(' ') else { continue };
        let Some((title, _)) = rest.strip_prefix('"').and_then(|r| r.split_once("\":")) else { continue };
        let Some(window) = id.strip_prefix("0x").and_then(|hex| u32::from_str_radix(hex, 16).ok()) else { continue };
        let pid = Command::new("xprop").args(["-id", id, "_NET_WM_PID"]).output().expect("xprop (x11-utils)");
        let pid = String::from_utf8_lossy(&pid.stdout).rsplit(" = ").next().and_then(|p| p.trim().parse().ok());
        if pid.is_some_and(|pid| ours.contains(&pid)) {
            windows.push((window, title.to_string()));
        }
    }
    windows
}

/// The app's main window (the one titled with its name).
pub fn main_window(app: &WebDriver) -> Option<u32> {
    app_windows(app).into_iter().find(|(_, title)| title.starts_with(PRODUCT)).map(|(id, _)| id)
}

/// Whether the X window is on screen (mapped), not hidden.
pub fn window_shown(window: u32) -> bool {
    let info = Command::new("xwininfo").args(["-id", &window.to_string()]).output().expect("xwininfo (x11-utils)");
    String::from_utf8_lossy(&info.stdout).contains("Map State: IsViewable")
}

/// Asks the window to close as its close button does: the window manager's
/// `WM_DELETE_WINDOW` message, sent straight to it (the test display has no manager).
pub fn close_window(window: u32) {
    use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};
    let (x, _) = x11rb::connect(None).expect("the test display");
    let atom = |name: &str| x.intern_atom(false, name.as_bytes()).unwrap().reply().unwrap().atom;
    let message = ClientMessageEvent::new(32, window, atom("WM_PROTOCOLS"), [atom("WM_DELETE_WINDOW"), 0, 0, 0, 0]);
    x.send_event(false, window, EventMask::NO_EVENT, message).unwrap();
    // A round trip, so the server has passed the message on before the connection closes.
    x.get_input_focus().unwrap().reply().unwrap();
}

/// Launches the app a second time, as a user opening it from the menu does: the
/// running one is brought up and the new one exits.
pub fn launch_again(home: &Path) -> std::process::Child {
    Command::new(crate::desktop_binary()).envs(app_env(home)).spawn().expect("a second launch")
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
