//! The real desktop app end to end: `ordinavo-desktop` driven through tauri-driver
//! and WebKitWebDriver under Xvfb, with a real `ordinavo-server` (demo data), a real
//! D-Bus session, gnome-keyring and dunst (see scripts/desktop-session.sh). Staff act
//! through the integration API and the admin web; the contact only through the app.

use std::time::Duration;

use ordinavo_e2e::accessibility::Findings;
use ordinavo_e2e::desktop::{app_env, click, files_named, go, keyring_holds, screenshot, set, wait_text};
use ordinavo_e2e::notifications::NotificationMonitor;
use ordinavo_e2e::staff::Staff;
use ordinavo_e2e::webdriver::{WebDriver, DEFAULT_WAIT};
use ordinavo_e2e::{desktop_binary, Server};
use serde_json::{json, Value};

const CONTACT: &str = "facilities@northwind.example";
const PASSWORD: &str = "portal-demo-2026";
const STAFF_EMAIL: &str = "admin@ordinavo.example";
const STAFF_PASSWORD: &str = "ordinavo-demo-2026";

const PHOTO_NAME: &str = "door-5.png";
const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR dock door 5";

/// Drops a file (`arguments[0]` its bytes, `arguments[1]` its name) on the open
/// request's drop zone, as WebKit delivers a drop from the file manager.
const DROP_PHOTO: &str = "const zone = document.querySelector('[data-testid=drop-zone]');
    if (!zone) return false;
    const file = new File([new Uint8Array(arguments[0])], arguments[1], { type: 'image/png' });
    let transfer;
    try {
        transfer = new DataTransfer();
        transfer.items.add(file);
    } catch {
        transfer = { files: [file], types: ['Files'], dropEffect: 'none' };
    }
    for (const type of ['dragenter', 'dragover', 'drop']) {
        const event = new Event(type, { bubbles: true, cancelable: true });
        Object.defineProperty(event, 'dataTransfer', { value: transfer });
        zone.dispatchEvent(event);
    }
    return true;";

/// Opens a request from the requests list.
async fn open_request(app: &WebDriver, title: &str) {
    let open = "const item = [...document.querySelectorAll('[data-testid=requests] .item')]
        .find((i) => i.innerText.includes(arguments[0])); if (item) item.click(); return !!item;";
    app.wait_for("the request in the list", DEFAULT_WAIT, || async {
        let clicked = app.execute(open, vec![json!(title)]).await.ok()?;
        (clicked == json!(true)).then_some(())
    })
    .await;
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
    let staff = Staff::new(&server);
    let hamburg = staff.location_in("Hamburg").await;

    let home = dir.path().join("home");
    let app_env = app_env(&home);
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

    // A photo of the door, dropped on the request: it is sent with it, and staff see it.
    let id = request["id"].as_str().unwrap();
    open_request(&app, title).await;
    app.wait_for("the photo to be dropped", DEFAULT_WAIT, || async {
        let dropped = app.execute(DROP_PHOTO, vec![json!(PHOTO), json!(PHOTO_NAME)]).await.ok()?;
        (dropped == json!(true)).then_some(())
    })
    .await;
    wait_text(&app, "[data-testid=request-files] [data-attachment]", PHOTO_NAME).await;
    let files = staff.get(&format!("/api/v1/attachments?owner_kind=request&owner_id={id}")).await;
    assert_eq!(files["items"][0]["file_name"], PHOTO_NAME, "staff see the photo: {files}");
    assert_eq!(files["items"][0]["content_type"], "image/png");
    go(&app, "requests").await;

    // Staff accept, convert and schedule: the request shows "planned" and the visit appears without a restart.
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

    // Staff reply on the request in the admin web (and leave an internal note): the
    // reply arrives as one native notification and in the request's thread; the
    // contact answers there, and staff read it on the request page.
    let web = AdminWeb::sign_in(&server.base_url).await;
    let page = format!("/admin/requests/{id}");
    let note = "Internal: door 5 spring is under warranty";
    let reply = "We come on 4 March between 9 and 11.";
    for (body, visibility) in [(note, "internal"), (reply, "customer")] {
        let fields = [("body".to_string(), body.to_string()), ("visibility".to_string(), visibility.to_string())];
        web.submit(&page, &format!("{page}/messages"), &fields).await;
    }
    let shown = format!("{title}: {reply}");
    assert!(notifications.wait_for(&shown, Duration::from_secs(30)).await.is_some(), "the reply is notified");
    assert!(web.page(&format!("/admin/targets/{target}")).await.contains(PHOTO_NAME), "the work shows the photo");
    open_request(&app, title).await;
    wait_text(&app, "[data-testid=thread]", reply).await;
    let thread = app.execute("return document.querySelector('[data-testid=thread]').innerText;", vec![]).await.unwrap();
    assert!(!thread.as_str().unwrap().contains(note), "the internal note never reaches the app");
    set(&app, "#message-body", "Thank you, the gate will be open.").await;
    click(&app, ".thread button[type=submit]").await;
    wait_text(&app, "[data-testid=thread]", "Thank you, the gate will be open.").await;
    screenshot(&app, "en", "request-thread").await;
    assert!(web.page(&page).await.contains("Thank you, the gate will be open."), "staff read the answer");
    assert_eq!(notifications.count(&shown), 1, "notified exactly once");
    go(&app, "requests").await;

    // Staff reword "planned" in the admin web: after the next sync the badge says it
    // in the company's words (Arabic is checked below).
    reword_in_admin_web(&server.base_url, "planned", "Visit booked", "تم حجز الزيارة").await;
    app.wait_for_element("[data-testid=sync-now]:not([disabled])").await;
    click(&app, "[data-testid=sync-now]").await;
    wait_text(&app, "[data-testid=requests]", "Visit booked").await;
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

    // The activity log, read from the server, names this sign-in with the app's version.
    go(&app, "activity").await;
    wait_text(&app, "[data-testid=activity]", "Signed in").await;
    wait_text(&app, "[data-testid=activity]", &format!("app {}", env!("CARGO_PKG_VERSION"))).await;

    // A customer admin manages colleagues: the demo's site manager is one of hers.
    go(&app, "colleagues").await;
    wait_text(&app, "[data-testid=colleagues]", "site.manager@northwind.example").await;

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
            go(&app, "requests").await;
            wait_text(&app, "[data-testid=requests]", "تم حجز الزيارة").await;
        }
        for screen in [
            "home",
            "requests",
            "appointments",
            "work",
            "reports",
            "follow_ups",
            "timeline",
            "colleagues",
            "activity",
            "settings",
        ] {
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
    assert!(!keyring_holds(&format!("{account} (cache key)")), "nor the cache's key");
    let left: Vec<_> = files_named(&home, "cache.sqlite").into_iter().chain(files_named(&home, "dock-5")).collect();
    assert!(left.is_empty(), "no cache or downloaded file is left: {left:?}");
    app.quit().await.unwrap();
    drop(server);
}

/// Staff in the admin web, signed in as the demo admin: pages, and form posts with
/// the CSRF token of the page they are on, as a browser sends them.
struct AdminWeb {
    http: reqwest::Client,
    base: String,
    session: String,
}

fn cookies(response: &reqwest::Response) -> String {
    let set = response.headers().get_all("set-cookie").iter();
    let pairs = set.filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string));
    pairs.collect::<Vec<_>>().join("; ")
}

fn csrf(page: &str) -> String {
    let after = page.split("name=\"csrf\" value=\"").nth(1).expect("a CSRF field on the page");
    after.split('"').next().unwrap().to_string()
}

impl AdminWeb {
    async fn sign_in(base: &str) -> AdminWeb {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let login = http.get(format!("{base}/admin/login")).send().await.unwrap();
        let login_cookie = cookies(&login);
        let token = csrf(&login.text().await.unwrap());
        let credentials = [("email", STAFF_EMAIL), ("password", STAFF_PASSWORD), ("csrf", token.as_str())];
        let signed_in = http.post(format!("{base}/admin/login")).header("cookie", login_cookie).form(&credentials);
        let signed_in = signed_in.send().await.unwrap();
        assert_eq!(signed_in.status(), 303, "staff sign in to the admin web");
        AdminWeb { session: cookies(&signed_in), http, base: base.to_string() }
    }

    async fn page(&self, path: &str) -> String {
        let page = self.http.get(format!("{}{path}", self.base)).header("cookie", &self.session).send().await.unwrap();
        page.text().await.unwrap()
    }

    /// Sends the form at `action` from the page at `page`; expects the redirect of a success.
    async fn submit(&self, page: &str, action: &str, fields: &[(String, String)]) {
        let mut form = vec![("csrf".to_string(), csrf(&self.page(page).await))];
        form.extend(fields.iter().cloned());
        let sent = self.http.post(format!("{}{action}", self.base)).header("cookie", &self.session).form(&form);
        let sent = sent.send().await.unwrap();
        assert_eq!(sent.status(), 303, "{action} is saved");
    }
}

/// Rewords one status label on the admin web's settings page.
async fn reword_in_admin_web(base: &str, status: &str, en: &str, ar: &str) {
    let web = AdminWeb::sign_in(base).await;
    let fields = [(format!("en.{status}"), en.to_string()), (format!("ar.{status}"), ar.to_string())];
    web.submit("/admin/settings", "/admin/settings/labels", &fields).await;
    assert!(web.page("/admin/settings").await.contains(en), "the admin web shows the new wording");
}
