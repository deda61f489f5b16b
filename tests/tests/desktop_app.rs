//! The real desktop app end to end: `ordinavo-desktop` driven through tauri-driver
//! and WebKitWebDriver under Xvfb, with a real `ordinavo-server` (demo data), a real
//! D-Bus session, gnome-keyring and dunst (see scripts/desktop-session.sh). Staff act
//! through the integration API; the contact only through the app.

use std::path::Path;
use std::time::Duration;

use ordinavo_e2e::accessibility::Findings;
use ordinavo_e2e::notifications::NotificationMonitor;
use ordinavo_e2e::webdriver::{WebDriver, DEFAULT_WAIT};
use ordinavo_e2e::{desktop_binary, target_dir, Server};
use serde_json::{json, Value};

const CONTACT: &str = "facilities@northwind.example";
const PASSWORD: &str = "portal-demo-2026";

struct Staff {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Staff {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// Every request with this title, whatever its status.
    async fn requests_titled(&self, title: &str) -> Vec<Value> {
        let page = self.get("/api/v1/requests?limit=200").await;
        page["items"].as_array().unwrap().iter().filter(|r| r["title"] == title).cloned().collect()
    }
}

/// Sets a form control's value the way typing or picking does (input + change events).
async fn set(app: &WebDriver, css: &str, value: &str) {
    app.wait_for_element(css).await;
    let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                  e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));";
    app.execute(script, vec![json!(css), json!(value)]).await.unwrap();
}

async fn click(app: &WebDriver, css: &str) {
    app.wait_for_element(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits until the element `css` shows `text`.
/// Waits until the element's rendered text (`innerText`, what the user reads)
/// contains `text`. WebDriver's own element text leaves out the rows of the
/// scrolling virtual lists, which WebKit counts as clipped.
async fn wait_text(app: &WebDriver, css: &str, text: &str) {
    let what = format!("`{text}` in `{css}`");
    let script = "const element = document.querySelector(arguments[0]); return element ? element.innerText : null;";
    app.wait_for(&what, Duration::from_secs(30), || async move {
        let shown = app.execute(script, vec![json!(css)]).await.ok()?;
        shown.as_str().filter(|t| t.contains(text)).map(|_| ())
    })
    .await;
}

async fn go(app: &WebDriver, screen: &str) {
    click(app, &format!("nav a[data-screen={screen}]")).await;
    app.wait_for("the screen to open", DEFAULT_WAIT, || async move {
        let current = app.find(&format!("nav a[data-screen={screen}][aria-current=page]")).await;
        current.ok().map(|_| ())
    })
    .await;
}

async fn screenshot(app: &WebDriver, language: &str, name: &str) {
    let path = target_dir().join("screenshots").join(format!("desktop-{language}-{name}.png"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, app.screenshot().await.unwrap()).unwrap();
}

fn files_named(dir: &Path, name: &str) -> Vec<std::path::PathBuf> {
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

/// Fills and sends the new request form.
async fn new_request(app: &WebDriver, location: &str, title: &str, window: Option<(&str, &str)>) {
    go(app, "requests").await;
    click(app, ".title-row button").await;
    set(app, "#r-location", location).await;
    set(app, "#r-kind", "maintenance").await;
    set(app, "#r-title", title).await;
    set(app, "#r-description", "Written in the desktop app end-to-end test.").await;
    if let Some((start, end)) = window {
        click(app, "[data-testid=new-request] fieldset button.secondary").await;
        set(app, "#w0-start", start).await;
        set(app, "#w0-end", end).await;
    }
    click(app, "[data-testid=new-request] button[type=submit]").await;
}

#[tokio::test]
async fn a_contact_uses_the_desktop_app_online_and_offline() {
    assert_eq!(
        std::env::var("ORDINAVO_DESKTOP_SESSION").as_deref(),
        Ok("ready"),
        "needs a display, D-Bus, a keyring and dunst: run through scripts/desktop-session.sh (as `make test` does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let env = vec![("ORDINAVO_DATA_DIR".to_string(), dir.path().join("server").to_string_lossy().to_string())];
    let server = Server::start(&env, &["--demo"]);
    let key = String::from_utf8(server.cli(&["api-key", "create", "--name", "desktop-e2e"]).stdout).unwrap();
    let staff = Staff { http: reqwest::Client::new(), base: server.base_url.clone(), key: key.trim().to_string() };
    let locations = staff.get("/api/v1/locations?limit=200").await;
    let hamburg = locations["items"].as_array().unwrap().iter().find(|l| l["city"] == "Hamburg").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let home = dir.path().join("home");
    let app_env = vec![
        ("XDG_DATA_HOME".to_string(), home.join("data").to_string_lossy().to_string()),
        ("XDG_CONFIG_HOME".to_string(), home.join("config").to_string_lossy().to_string()),
        ("XDG_CACHE_HOME".to_string(), home.join("cache").to_string_lossy().to_string()),
        ("LANG".to_string(), "en_US.UTF-8".to_string()),
    ];
    let notifications = NotificationMonitor::start().await;
    let app = WebDriver::tauri(&desktop_binary(), &app_env).await.expect("the desktop app starts under tauri-driver");

    // First run: sign in as a demo contact.
    set(&app, "#server", &server.base_url).await;
    set(&app, "#email", CONTACT).await;
    set(&app, "#password", PASSWORD).await;
    screenshot(&app, "en", "first-run").await;
    click(&app, "form button[type=submit]").await;
    app.wait_for_element("nav a[data-screen=home]").await;

    // Sign-in returns at once; the first sync runs in the background, and what it
    // brings shows as it lands: the upcoming appointments are there.
    wait_text(&app, "[data-testid=home-appointments]", "Northwind").await;
    app.wait_for("the first sync to finish", Duration::from_secs(60), || async {
        app.find("[data-testid=sync-progress]").await.err().map(|_| ())
    })
    .await;

    // A request with a preferred window (times on site, Hamburg).
    let title = "Dock door 5 rattles when opening";
    new_request(&app, &hamburg, title, Some(("2030-03-04T09:00", "2030-03-04T12:00"))).await;
    wait_text(&app, "[data-testid=requests]", title).await;
    let request = staff.wait_for_request(title).await;
    assert_eq!(request["preferred_windows"][0]["starts_at"], "2030-03-04T08:00:00Z", "09:00 in Hamburg");

    // Staff accept, convert and schedule: the request shows "planned" and the visit appears without a restart.
    let id = request["id"].as_str().unwrap();
    staff.post(&format!("/api/v1/requests/{id}/decision"), json!({ "status": "accepted" })).await;
    let target = staff
        .post("/api/v1/targets", json!({ "location_id": hamburg, "request_id": id, "title": "Dock door 5 repair" }))
        .await;
    let target = target["id"].as_str().unwrap().to_string();
    staff
        .post(
            "/api/v1/appointments",
            json!({ "target_id": target, "starts_at": "2030-03-04T08:00:00Z", "ends_at": "2030-03-04T10:00:00Z", "shared_with_portal": true }),
        )
        .await;
    wait_text(&app, "[data-testid=requests]", "Planned").await;
    go(&app, "appointments").await;
    wait_text(&app, "[data-testid=appointments]", "4 March 2030").await;

    // Staff publish a report and release an attachment: it appears and downloads.
    let report = staff
        .post(
            "/api/v1/visit-reports",
            json!({ "target_id": target, "visit_date": "2030-03-04", "internal_title": "Dock 5 internal", "internal_body": "Roller bearing replaced." }),
        )
        .await;
    let report = report["id"].as_str().unwrap().to_string();
    staff.post(&format!("/api/v1/visit-reports/{report}/approve"), json!({})).await;
    staff
        .post(
            &format!("/api/v1/visit-reports/{report}/publish"),
            json!({ "portal_title": "Dock door 5 repaired", "portal_summary": "We replaced a worn roller bearing." }),
        )
        .await;
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new().text("owner_kind", "report").text("owner_id", report.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(pdf.clone()).file_name("dock-5.pdf").mime_str("application/pdf").unwrap(),
    );
    let uploaded: Value = staff
        .http
        .post(format!("{}/api/v1/attachments", staff.base))
        .bearer_auth(&staff.key)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attachment = uploaded["id"].as_str().unwrap().to_string();
    staff
        .call(reqwest::Method::PATCH, &format!("/api/v1/attachments/{attachment}"), Some(json!({ "released": true })))
        .await;
    go(&app, "reports").await;
    wait_text(&app, "[data-testid=reports]", "Dock door 5 repaired").await;
    app.wait_for("the report with its attachment", DEFAULT_WAIT, || async {
        // Rendered texts (see `wait_text`), in the document order `find_all` keeps.
        let script = "return [...document.querySelectorAll('[data-testid=reports] .item')].map((i) => i.innerText);";
        let texts = app.execute(script, vec![]).await.ok()?;
        let index = texts.as_array()?.iter().position(|text| {
            text.as_str().is_some_and(|t| t.contains("Dock door 5 repaired") && t.contains("attachment"))
        })?;
        let items = app.find_all("[data-testid=reports] .item").await.ok()?;
        items.get(index)?.click().await.ok()
    })
    .await;
    click(&app, &format!("[data-attachment='{attachment}'] button")).await;
    app.wait_for_element(&format!("[data-attachment='{attachment}'] [data-testid=downloaded]")).await;
    let kept = files_named(&home, "dock-5");
    assert_eq!(kept.len(), 1, "the file is kept for offline use: {kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), pdf);
    screenshot(&app, "en", "report").await;

    // Staff mark a follow-up required: one native notification, and it shows.
    let follow_up = "Check dock door 5 again after a week";
    staff
        .post(
            "/api/v1/follow-ups",
            json!({ "target_id": target, "origin_report_id": report, "description": follow_up }),
        )
        .await;
    let took = notifications.wait_for(follow_up, Duration::from_secs(20)).await;
    eprintln!("follow-up notification after {took:?}");
    assert!(took.is_some(), "a native notification for the follow-up");
    go(&app, "follow_ups").await;
    wait_text(&app, "[data-testid=follow-ups]", follow_up).await;
    assert_eq!(notifications.count(follow_up), 1, "notified exactly once");

    // The server goes away: everything stays, marked offline, and a new request waits.
    let server = {
        let env = server.env.clone();
        drop(server);
        env
    };
    click(&app, "[data-testid=sync-now]").await;
    app.wait_for_element("[data-testid=offline-banner]").await;
    go(&app, "reports").await;
    wait_text(&app, "[data-testid=reports]", "Dock door 5 repaired").await;
    let offline_title = "Light in stairwell B flickers";
    new_request(&app, &hamburg, offline_title, None).await;
    wait_text(&app, "[data-testid=outbox]", "Waiting to send").await;
    screenshot(&app, "en", "offline").await;

    // It comes back: the queued request arrives exactly once.
    let server = Server::restart_with(server, &[]);
    click(&app, "[data-testid=sync-now]").await;
    app.wait_for("the outbox to empty", Duration::from_secs(60), || async {
        app.find("[data-testid=outbox]").await.err().map(|_| ())
    })
    .await;
    assert_eq!(staff.requests_titled(offline_title).await.len(), 1, "exactly one request on the server");
    wait_text(&app, "[data-testid=requests]", offline_title).await;

    // Every main screen in English, then in Arabic with the layout right to left; each
    // passes an accessibility audit.
    let mut accessibility = Findings::default();
    for language in ["en", "ar"] {
        if language == "ar" {
            go(&app, "settings").await;
            click(&app, "input[name=language][value=ar]").await;
            app.wait_for("right-to-left", DEFAULT_WAIT, || async {
                let dir = app.execute("return document.documentElement.dir;", vec![]).await.ok()?;
                (dir == "rtl").then_some(())
            })
            .await;
        }
        for screen in ["home", "requests", "appointments", "work", "reports", "follow_ups", "timeline", "settings"] {
            go(&app, screen).await;
            screenshot(&app, language, screen).await;
            accessibility.audit(&app, &format!("desktop-{language}-{screen}")).await;
        }
        go(&app, "requests").await;
        click(&app, ".title-row button").await;
        app.wait_for_element("[data-testid=new-request]").await;
        screenshot(&app, language, "new-request").await;
        accessibility.audit(&app, &format!("desktop-{language}-new-request")).await;
    }
    accessibility.assert_clean();
    let errors = app.execute("return window.ordinavoErrors || [];", vec![]).await.unwrap();
    assert_eq!(errors, json!([]), "no errors in the app's console");
    let lang = app.execute("return document.documentElement.lang;", vec![]).await.unwrap();
    assert_eq!(lang, "ar");

    // Signing out leaves no keyring entry and no cache.
    let account = format!("{CONTACT} on {}", staff.base);
    assert!(keyring_holds(&account), "while signed in, the session is in the keyring");
    go(&app, "settings").await;
    click(&app, "[data-testid=sign-out]").await;
    app.wait_for_element("#server").await;
    assert!(!keyring_holds(&account), "no keyring entry is left");
    let left: Vec<_> = files_named(&home, "cache.sqlite").into_iter().chain(files_named(&home, "dock-5")).collect();
    assert!(left.is_empty(), "no cache or downloaded file is left: {left:?}");
    app.quit().await.unwrap();
    drop(server);
}

/// Whether the session's keyring holds a secret for this account (keyring crate's
/// Secret Service attributes: `service` and `username`).
fn keyring_holds(account: &str) -> bool {
    let found = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", "example.ordinavo.portal", "username", account])
        .output()
        .expect("secret-tool (libsecret-tools)");
    String::from_utf8_lossy(&found.stdout).contains("secret = ")
}

impl Staff {
    /// The request as the server stored it, once the app has sent it.
    async fn wait_for_request(&self, title: &str) -> Value {
        for _ in 0..600 {
            if let Some(found) = self.requests_titled(title).await.into_iter().next() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the request `{title}` never reached the server");
    }
}
